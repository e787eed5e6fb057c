// Crashes as SARIF 2.1.0 (what code scanning reads): a result per crash group at the topmost
// frame in the project's own sources, with the crashing thread's stack as a stack and a code flow,
// and the signature hash as the fingerprint that follows a crash from run to run.
#pragma once

#include <string>
#include <vector>

#include "core/report/batch/crash_batch.hpp"

namespace corelens {

std::string to_sarif(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                     const CiReportOptions& options);

}  // namespace corelens
