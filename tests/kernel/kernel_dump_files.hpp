// The real kernel dumps the tests run on (samples/make-kernel-dumps.sh, made at test time), and
// the ground truth of the same runs: the console's oops and Call Trace, makedumpfile's log.
//   DIR/          KASLR on: vmcore.elf, vmcore.kdump, vmcore-lzo.kdump, vmcore.flat (kdump), and
//                 qemu.elf, qemu.kdump, qemu.flat (QEMU's dump-guest-memory); DIR/vmlinux (DWARF)
//   DIR/nokaslr/  the QEMU files of a boot with `nokaslr` (KERNELOFFSET 0)
//   DIR/oops/     the QEMU files of a boot whose panic follows a real oops (samples/kernel/corelens_oops.c),
//                 and the module's corelens_oops.ko with its DWARF
// A test parameter names a file relative to DIR: "qemu.elf", "nokaslr/qemu.elf".
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/opt_out.hpp"

// In a test or SetUp: FILE, which the test MADE_BY makes, must exist; missing, the test
// fails, or is skipped when CORELENS_SKIP names kernel (a machine without qemu or the archive).
#define CORELENS_REQUIRE_KERNEL_FILE(file, made_by)                                             \
  CORELENS_REQUIRE("kernel", ::std::filesystem::exists(file),                                     \
                   ::std::filesystem::path(file).string() + " was not made (see the " + (made_by) + " test's output)")

namespace corelens::kernel_test {

namespace fs = std::filesystem;
inline const fs::path kDir = CORELENS_KDUMPS_DIR;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What a shell command (gdb, addr2line on the same files: the ground truth) prints on stdout.
inline std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// The sysrq-c dumps, with KASLR and without.
#define CORELENS_SYSRQ_DUMPS                                                                                 \
  "vmcore.elf", "vmcore.kdump", "vmcore-lzo.kdump", "vmcore.flat", "qemu.elf", "qemu.kdump", "qemu.flat", \
      "nokaslr/qemu.elf", "nokaslr/qemu.kdump", "nokaslr/qemu.flat"

inline std::string param_name(const std::string& p) {
  std::string n = p;
  for (char& c : n) if (c == '.' || c == '-' || c == '/') c = '_';
  return n;
}

// What a run's info.txt says ("release", "append" ...), for the run that made dump PARAM.
inline std::string run_info(const std::string& param, const std::string& key) {
  std::istringstream in(slurp((kDir / param).parent_path() / "info.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
  }
  return {};
}

inline bool is_qemu_dump(const std::string& param) { return fs::path(param).filename().string().starts_with("qemu"); }

// The Call Trace the kernel printed on the console of the run that made PARAM (console-kdump.log
// for vmcore*, console-qemu.log for qemu*): its reliable lines ("?" ones are stack leftovers) and
// the user context it ends in.
struct ConsoleTrace {
  std::vector<std::string> frames;  // "sysrq_handle_crash+0x16/0x20"
  std::string user_rip;             // "0033:0x47b7a0"
  std::string user_rsp;             // "002b:00007ffe7bbeb358"
};

inline ConsoleTrace console_trace(const std::string& param) {
  ConsoleTrace t;
  fs::path dir = (kDir / param).parent_path();
  std::istringstream in(slurp(dir / (is_qemu_dump(param) ? "console-qemu.log" : "console-kdump.log")));
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t text_at = line.find("] ");
    std::string text = text_at == std::string::npos ? line : line.substr(text_at + 2);
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    if (!inside) {
      inside = text == "Call Trace:";
      continue;
    }
    if (text == "</TASK>") break;
    if (text.starts_with("RIP: ")) t.user_rip = text.substr(5);
    if (text.starts_with("RSP: ")) t.user_rsp = text.substr(5, text.find(' ', 5) - 5);
    if (text.empty() || text.starts_with("<") || text.starts_with("? ") || text.find(": ") != std::string::npos) continue;
    t.frames.push_back(text);
  }
  return t;
}

inline std::string name_of(const std::string& symbol) { return symbol.substr(0, symbol.find('+')); }

}  // namespace corelens::kernel_test
