// Reports on many dumps as text for people: the summary `corelens run` prints of the crashes it
// caught, and `corelens triage`'s signature table.
#pragma once

#include <string>
#include <vector>

#include "core/report/batch/crash_batch.hpp"

namespace corelens {

// A few lines per crash: signal, why, the crashing thread's top frames, the core.
std::string to_summary_text(const std::vector<CrashCase>& cases, const CiReportOptions& options);
// "N dumps, M signatures", then each signature: count, hash, category, why, example, top frames.
std::string triage_to_text(const TriageTable& table);

}  // namespace corelens
