// The subcommands that live in their own files (main.cpp only registers them), and the small
// helpers they share.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "unwinder/pipeline/session.hpp"

namespace corelens::cli {

int run_run(const std::vector<std::string>& argv);      // cli/run.cpp
int run_collect(const std::vector<std::string>& argv);  // cli/collect.cpp
int run_snapshot(const std::vector<std::string>& argv); // cli/snapshot.cpp
// `corelens` alone: the crashes systemd-coredump kept (cli/recent_crashes.cpp); nullopt when this
// machine has no systemd-coredump (no /var/lib/systemd/coredump, no coredumpctl).
std::optional<int> list_recent_crashes();

// "4096", "512K", "64M", "4G" (powers of 1024).
inline std::optional<std::uint64_t> parse_size(const std::string& text) {
  char* end = nullptr;
  unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (end == text.c_str()) return std::nullopt;
  std::string unit(end);
  int shift = unit.empty() || unit == "B" ? 0 : unit == "K" || unit == "k" ? 10 : unit == "M" ? 20 : unit == "G" ? 30
              : unit == "T" ? 40 : -1;
  if (shift < 0 || (shift > 0 && n > (~0ull >> shift))) return std::nullopt;
  return std::uint64_t{n} << shift;
}

// What `corelens analyze` uses without options: /usr/lib/debug, debuginfod when DEBUGINFOD_URLS is set.
inline AnalyzeOptions default_analyze_options() {
  AnalyzeOptions o;
  o.locator.debug_dirs.push_back("/usr/lib/debug");
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  o.locator.use_debuginfod = urls != nullptr && *urls != '\0';
  return o;
}

}  // namespace corelens::cli
