// The --help texts of `corelens` and its subcommands. Their one source is cli/help/*.txt: the
// build compiles them in here and helpgen turns the same files into corelens(1) and the bash
// and zsh completions, so none of them can drift from --help.
#pragma once

#include <string_view>

namespace corelens::cli {

extern const std::string_view kHelpMain;     // cli/help/corelens.txt: `corelens --help` (analyze)
extern const std::string_view kHelpRun;      // cli/help/run.txt
extern const std::string_view kHelpCollect;  // cli/help/collect.txt
extern const std::string_view kHelpTriage;   // cli/help/triage.txt
extern const std::string_view kHelpHistory;  // cli/help/history.txt
extern const std::string_view kHelpSnapshot; // cli/help/snapshot.txt

}  // namespace corelens::cli
