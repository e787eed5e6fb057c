// Whether the text report is coloured: --color=auto|always|never, NO_COLOR (no-color.org) and
// whether the output is a terminal. The report writers (core/report/text_report) only apply colour
// when told to; the decision lives here, in the front end.
#pragma once

#include <optional>
#include <string>

namespace corelens::cli {

enum class ColorMode { auto_, always, never };

std::optional<ColorMode> parse_color_mode(const std::string& text);  // "auto", "always", "never"

// always: colour; never: none; auto: colour only on a terminal, and not when NO_COLOR is set to
// a non-empty value or TERM is "dumb". An explicit --color=always wins over NO_COLOR, as
// no-color.org asks of command-line flags.
bool use_color(ColorMode mode, const char* no_color, const char* term, bool is_terminal);

// The same for the file descriptor FD and this process's environment.
bool use_color_for(ColorMode mode, int fd);

}  // namespace corelens::cli
