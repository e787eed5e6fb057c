// The real kernel dumps the tests run on (samples/kernel/make-kernel-dumps.sh, made at test time), and
// the ground truth of the same runs: the console's oops and Call Trace, makedumpfile's log.
//   DIR/               Debian 12's 6.1 amd64, KASLR on: vmcore.elf, vmcore.kdump, vmcore-lzo.kdump,
//                      vmcore.flat (kdump), and qemu.elf, qemu.kdump, qemu.flat (QEMU's
//                      dump-guest-memory); DIR/vmlinux (DWARF)
//   DIR/nokaslr/       the QEMU files of a boot with `nokaslr` (KERNELOFFSET 0)
//   DIR/oops/          the QEMU files of a boot whose panic follows a real oops (samples/kernel/
//                      corelens_oops.c), and the module's corelens_oops.ko with its DWARF
//   DIR/debianN-ARCH/  the same two runs of Debian 11's 5.10 and 13's 6.12 amd64, Debian 12's 6.1
//                      and 13's 6.12 arm64 (with nokaslr/); vmlinux for debian11-amd64 and
//                      debian12-arm64. Debian 13's arm64 has no makedumpfile files (its
//                      makedumpfile reads no dump of that kernel).
// A test parameter names a file relative to DIR: "qemu.elf", "nokaslr/qemu.elf",
// "debian11-amd64/vmcore.elf".
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/model/arch.hpp"
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

// The sysrq-c dumps of Debian 12's amd64 kernel, with KASLR and without.
#define CORELENS_SYSRQ_DUMPS                                                                                 \
  "vmcore.elf", "vmcore.kdump", "vmcore-lzo.kdump", "vmcore.flat", "qemu.elf", "qemu.kdump", "qemu.flat", \
      "nokaslr/qemu.elf", "nokaslr/qemu.kdump", "nokaslr/qemu.flat"

// The kernels the tests boot, each in its own directory ("" for Debian 12's amd64).
struct TestKernel {
  const char* dir;
  Arch arch;
  bool makedumpfile_files;  // vmcore.kdump, vmcore-lzo.kdump, vmcore.flat
};
inline constexpr TestKernel kKernels[] = {{"", Arch::x86_64, true},
                                          {"debian11-amd64", Arch::x86_64, true},
                                          {"debian13-amd64", Arch::x86_64, true},
                                          {"debian12-arm64", Arch::aarch64, true},
                                          {"debian13-arm64", Arch::aarch64, false}};

// Every sysrq dump of every kernel.
inline std::vector<std::string> all_sysrq_dumps() {
  std::vector<std::string> out;
  for (const TestKernel& k : kKernels) {
    std::string dir = *k.dir ? std::string(k.dir) + "/" : "";
    for (const char* f : {"vmcore.elf", "vmcore.kdump", "vmcore-lzo.kdump", "vmcore.flat", "qemu.elf", "qemu.kdump",
                          "qemu.flat", "nokaslr/qemu.elf", "nokaslr/qemu.kdump", "nokaslr/qemu.flat"}) {
      std::string_view name(f);
      bool makedumpfile = name.starts_with("vmcore.kdump") || name.starts_with("vmcore-lzo") || name == "vmcore.flat";
      if (makedumpfile && !k.makedumpfile_files) continue;
      out.push_back(dir + f);
    }
  }
  return out;
}

// The kernel a dump came from.
inline const TestKernel& kernel_of(const std::string& param) {
  for (const TestKernel& k : kKernels) {
    if (*k.dir && param.starts_with(std::string(k.dir) + "/")) return k;
  }
  return kKernels[0];
}

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

// What the kernel printed on the console of the run that made PARAM (console-kdump.log for
// vmcore*, console-qemu.log for qemu*) about its panic: the task line ("CPU: 1 PID: 1 Comm:
// init", 6.12 adds "UID: 0"), the Call Trace's reliable lines (x86_64's "?" lines are stack
// leftovers; arm64 prints "Call trace:" and no such lines) and, on x86_64, the user context it
// ends in.
struct ConsoleTrace {
  std::vector<std::string> frames;  // "sysrq_handle_crash+0x16/0x20", "f+0x1/0x8 [pvpanic]"
  std::string user_rip;             // "0033:0x47b7a0"
  std::string user_rsp;             // "002b:00007ffe7bbeb358"
  std::optional<std::uint32_t> cpu;
  std::optional<std::int32_t> pid;
  std::string comm;
};

inline ConsoleTrace console_trace(const std::string& param) {
  static const std::regex kTask(R"(^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+))");
  static const std::regex kFrame(R"(^[A-Za-z0-9_.$]+\+0x[0-9a-f]+/0x[0-9a-f]+( \[[A-Za-z0-9_-]+\])?$)");
  ConsoleTrace t;
  fs::path dir = (kDir / param).parent_path();
  std::istringstream in(slurp(dir / (is_qemu_dump(param) ? "console-qemu.log" : "console-kdump.log")));
  enum { before, panicked, inside } where = before;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t text_at = line.find("] ");
    std::string text = text_at == std::string::npos ? line : line.substr(text_at + 2);
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    if (where == before) {
      if (text.find("Kernel panic - not syncing") != std::string::npos || text.starts_with("Oops") ||
          text.starts_with("BUG: ")) {
        where = panicked;
      }
      continue;
    }
    std::smatch m;
    if (where == panicked) {
      if (!t.cpu && std::regex_search(text, m, kTask)) {
        t.cpu = static_cast<std::uint32_t>(std::stoul(m[1]));
        t.pid = std::stoi(m[2]);
        t.comm = m[3];
      }
      if (text == "Call Trace:" || text == "Call trace:") where = inside;
      continue;
    }
    if (text == "</TASK>") break;
    if (text.starts_with("RIP: ")) t.user_rip = text.substr(5);
    if (text.starts_with("RSP: ")) t.user_rsp = text.substr(5, text.find(' ', 5) - 5);
    if (std::regex_match(text, kFrame)) {
      t.frames.push_back(text);
      continue;
    }
    // Markers (<IRQ>, <TASK>), "?" leftovers and the register lines of a pt_regs go on; anything
    // else ends the trace.
    if (text.starts_with("<") || text.starts_with("? ") || text.find(": ") != std::string::npos) continue;
    break;
  }
  return t;
}

inline std::string name_of(const std::string& symbol) { return symbol.substr(0, symbol.find('+')); }
// The offset of "name+0x16/0x20".
inline std::uint64_t offset_of(const std::string& symbol) {
  std::size_t plus = symbol.find('+');
  return plus == std::string::npos ? 0 : std::stoull(symbol.substr(plus + 1), nullptr, 16);
}

// The log makedumpfile read from the dump, normalised: makedumpfile 1.7.6 adds the caller
// ("[    T1] ") after the timestamp, and indents a record's further lines under it, which 1.7.2
// and corelens do not.
inline std::string without_caller_ids(const std::string& log) {
  static const std::regex kCaller(R"(^(\[ *[0-9]+\.[0-9]+\] )(\[ *[TC][0-9]+\] ))");
  std::istringstream in(log);
  std::string out;
  std::size_t removed = 0;  // the caller's width in the record's first line
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kCaller)) {
      removed = static_cast<std::size_t>(m[2].length());
      line = std::string(m[1]) + m.suffix().str();
    } else if (!line.starts_with("[") && line.size() >= removed && line.find_first_not_of(' ') >= removed) {
      line.erase(0, removed);
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace corelens::kernel_test
