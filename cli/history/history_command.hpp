// `corelens history --db FILE|URL`: the signatures of the crash history with their crashes per
// day, first and last seen, and the newest example with its top frames.
#pragma once

#include <string>
#include <vector>

#include "cli/history/days.hpp"

namespace corelens::cli::history {

int run_history(const std::vector<std::string>& argv);

}  // namespace corelens::cli::history
