// Crashes as GitHub workflow annotations: an ::error line per crash group, at the topmost frame
// in the project's own sources when there is one, with the explanation and the stack.
#pragma once

#include <string>
#include <vector>

#include "core/report/batch/crash_batch.hpp"

namespace corelens {

std::string to_github_annotations(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                                  const CiReportOptions& options);

}  // namespace corelens
