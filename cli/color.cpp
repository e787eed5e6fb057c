#include "cli/color.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace corelens::cli {

std::optional<ColorMode> parse_color_mode(const std::string& text) {
  if (text == "auto") return ColorMode::auto_;
  if (text == "always") return ColorMode::always;
  if (text == "never") return ColorMode::never;
  return std::nullopt;
}

bool use_color(ColorMode mode, const char* no_color, const char* term, bool is_terminal) {
  if (mode != ColorMode::auto_) return mode == ColorMode::always;
  if (no_color != nullptr && *no_color != '\0') return false;
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return is_terminal;
}

bool use_color_for(ColorMode mode, int fd) {
  return use_color(mode, std::getenv("NO_COLOR"), std::getenv("TERM"), ::isatty(fd) == 1);
}

}  // namespace corelens::cli
