// Reports on many dumps as JSON: `corelens collect`'s array of reports (each as
// report_to_json writes it), and `corelens triage`'s signature table.
#pragma once

#include <string>
#include <vector>

#include "core/report/batch/crash_batch.hpp"

namespace corelens {

// "[" the reports of the cases that have one, "]"; errors are not in it.
std::string reports_to_json_array(const std::vector<CrashCase>& cases);
// {"tool", "dumps", "groups": [...], "not_analysed": [...]}
std::string triage_to_json(const TriageTable& table);

}  // namespace corelens
