// `corelens-gui --help`. Its one source is gui/help.txt: the build compiles it in here and
// helpgen turns the same file into corelens-gui(1) and the bash and zsh completions.
#pragma once

#include <string_view>

namespace corelens::gui {

extern const std::string_view kHelp;

}  // namespace corelens::gui
