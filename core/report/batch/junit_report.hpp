// Crashes as JUnit XML: a failed test case per crash group, named by its title, with the
// crashing thread's stack and every place the crash was seen (CI systems show these as failed
// tests).
#pragma once

#include <string>
#include <vector>

#include "core/report/batch/crash_batch.hpp"

namespace corelens {

std::string to_junit(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                     const CiReportOptions& options);

}  // namespace corelens
