// Reports on many dumps as Markdown: the crashes of a CI run as a job summary (a table of the
// groups, each group's stack in a <details>), and `corelens triage`'s signature table. One
// Report as Markdown: core/report/markdown_report.hpp.
#pragma once

#include <string>
#include <vector>

#include "core/report/batch/crash_batch.hpp"

namespace corelens {

std::string to_markdown(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                        const CiReportOptions& options);
std::string triage_to_markdown(const TriageTable& table);

}  // namespace corelens
