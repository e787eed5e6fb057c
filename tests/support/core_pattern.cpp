#include "tests/support/core_pattern.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace corelens::testing {

namespace fs = std::filesystem;

std::string kernel_core_problem() {
  std::ifstream in("/proc/sys/kernel/core_pattern");
  std::string pattern;
  if (!in || !std::getline(in, pattern)) return "cannot read /proc/sys/kernel/core_pattern";
  if (pattern.empty()) return "core_pattern is empty";
  if (pattern.front() == '|') return "core_pattern pipes cores to a program ('" + pattern + "')";
  if (pattern.find('/') != std::string::npos) return "core_pattern '" + pattern + "' is a path, not a plain file name";
  rlimit limit{};
  if (getrlimit(RLIMIT_CORE, &limit) != 0 || limit.rlim_max != RLIM_INFINITY) {
    return "the hard core size limit is " + std::to_string(limit.rlim_max) + " bytes, not unlimited";
  }
  return "";
}

std::vector<std::string> elf_core_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    char head[18] = {};
    f.read(head, sizeof head);
    // ELF magic, and e_type (offset 16, little-endian: every core this machine writes) ET_CORE.
    if (f && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F' && head[16] == 4 && head[17] == 0) {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace corelens::testing
