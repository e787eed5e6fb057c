// Cores of other architectures (issue 7): the cross-compiled samples crashed under qemu-user by
// samples/make-cross-cores.sh (the cross_cores.make fixture), one test instance per architecture.
// An architecture whose cores were not all made (its cross compiler or qemu-user is not installed)
// fails, or is skipped when CORELENS_SKIP names cross.
//
// Checked on every core: read as its architecture, registers named as gdb names them, the right
// crashing thread and signal (qemu-user writes no NT_SIGINFO: pr_cursig), the sample's own
// frames on their marker lines, the modules found from the dynamic linker's list in memory
// (qemu-user writes no NT_FILE), the faulting instruction decoded, an uncaught C++ exception's
// type and what() as the program printed them, and every thread agreeing with gdb-multiarch
// frame by frame.
//
// Known and explained differences, each asserted below where it shows:
//   - s390x: gcc keeps a leaf's r11 and r15 in floating-point registers (ldgr), which qemu-user
//     cores do not hold; the caller of the leaf's caller cannot be computed. gdb-multiarch stops
//     at the same frame ("not enough registers or memory available"), and so do we, saying why.
//   - i386: main realigns its stack (and %esp, %ebp) at entry, so the frame-pointer walk out of
//     main (no_unwind_info_*) lands inside libc's __libc_start_call_main with a wrong stack
//     pointer: gdb-multiarch stops there too ("previous frame inner to this frame").
//   - i386 no_unwind_info_nofp: gdb-multiarch's prologue analysis goes astray (see below).
//   - libunwind: Debian's libunwind-dev has only the host's (x86_64) remote unwinder: on these
//     cores --unwinder libunwind says so and libdwfl unwinds; cross-check has nothing to compare.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "core/model/arch.hpp"
#include "core/model/strings.hpp"
#include "core/report/text_report.hpp"
#include "tests/integration/samples.hpp"
#include "tests/support/opt_out.hpp"
#include "unwinder/pipeline/session.hpp"
#include "unwinder/unwinder_choice.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

struct ArchInfo {
  std::string arch, triple;
  std::vector<std::string> first_registers;  // the first registers of NT_PRSTATUS, in order
  std::string pc, sp;
};

const std::vector<ArchInfo>& arches() {
  static const std::vector<ArchInfo> a = {
      {"aarch64", "aarch64-linux-gnu", {"x0", "x1", "x2"}, "pc", "sp"},
      {"arm", "arm-linux-gnueabihf", {"r0", "r1", "r2"}, "pc", "sp"},
      {"i386", "i686-linux-gnu", {"ebx", "ecx", "edx", "esi", "edi", "ebp", "eax"}, "eip", "esp"},
      {"ppc64le", "powerpc64le-linux-gnu", {"r0", "r1", "r2"}, "nip", "r1"},
      {"s390x", "s390x-linux-gnu", {"pswm", "pswa", "r0", "r1"}, "pswa", "r15"},
  };
  return a;
}

std::string dir_of(const std::string& arch) { return std::string(CORELENS_CORES_DIR) + "/cross/" + arch; }

// What samples/make-cross-cores.sh makes for every architecture.
const std::vector<std::string> kSamples = {"null_read",           "assert_fail",       "threads_blocked",
                                           "stack_overflow",      "inlined_c",         "no_unwind_info_fp",
                                           "no_unwind_info_nofp", "null_read_joined",  "uncaught_exception"};

bool have_gdb_multiarch() { return std::system("command -v gdb-multiarch >/dev/null 2>&1") == 0; }

std::vector<std::string> built(const std::string& arch) {
  std::vector<std::string> out;
  std::ifstream in(dir_of(arch) + "/built");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

AnalyzeOptions options_for(const ArchInfo& a) {
  AnalyzeOptions o;
  o.locator.sysroot = "/usr/" + a.triple;
  return o;
}

// One analysis per (arch, sample), shared by the tests.
const Report& report(const ArchInfo& a, const std::string& sample) {
  static std::map<std::string, Report> cache;
  std::string key = a.arch + "/" + sample;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  AnalyzeOptions o = options_for(a);
  o.locator.executable = dir_of(a.arch) + "/" + sample;
  auto r = analyze_file(dir_of(a.arch) + "/" + sample + ".core", o);
  if (!r) {
    ADD_FAILURE() << key << ": " << r.error().message;
    return cache[key];
  }
  return cache.emplace(key, std::move(*r)).first->second;
}

const ThreadReport* crashed(const Report& r) {
  for (const auto& t : r.threads) {
    if (t.crashed) return &t;
  }
  return nullptr;
}

bool has_diagnostic(const Report& r, const std::string& code) {
  for (const auto& d : r.diagnostics) {
    if (d.code == code) return true;
  }
  return false;
}

// The frames of T that are not inlined, from the first in the sample's own executable.
std::vector<const Frame*> own_frames(const ThreadReport& t, const std::string& exe) {
  std::vector<const Frame*> out;
  bool started = false;
  for (const auto& f : t.frames) {
    if (f.module == exe) started = true;
    if (started) out.push_back(&f);
  }
  return out;
}

class CrossArch : public ::testing::TestWithParam<ArchInfo> {
 protected:
  void SetUp() override {
    samples_ = built(GetParam().arch);
    std::string missing;
    for (const auto& s : kSamples) {
      if (std::find(samples_.begin(), samples_.end(), s) == samples_.end()) missing += " " + s;
    }
    CORELENS_REQUIRE("cross", missing.empty(),
                     "no " + GetParam().arch + " core of" + missing + " (see the cross_cores.make test's output: " +
                         GetParam().triple + "-gcc, -g++ or qemu-" + GetParam().arch + " is not installed)");
  }
  std::vector<std::string> samples_;
};

TEST_P(CrossArch, ReadAsTheirArchitectureWithItsRegisterNames) {
  const ArchInfo& a = GetParam();
  for (const auto& s : samples_) {
    SCOPED_TRACE(s);
    const Report& r = report(a, s);
    EXPECT_EQ(r.arch, a.arch);
    EXPECT_EQ(r.producer, "qemu-user");
    const ThreadReport* t = crashed(r);
    ASSERT_NE(t, nullptr);
    ASSERT_GE(t->registers.size(), a.first_registers.size());
    for (std::size_t i = 0; i < a.first_registers.size(); ++i) EXPECT_EQ(t->registers[i].name, a.first_registers[i]);
    bool pc = false, sp = false;
    for (const auto& reg : t->registers) {
      pc |= reg.name == a.pc;
      sp |= reg.name == a.sp;
    }
    EXPECT_TRUE(pc && sp);
    // The signal from pr_cursig, said to be so.
    ASSERT_TRUE(r.signal);
    EXPECT_EQ(r.signal->number, s == "assert_fail" || s == "uncaught_exception" ? 6 : 11);
    EXPECT_FALSE(r.signal->address);
    EXPECT_TRUE(has_diagnostic(r, "no-siginfo"));
    // Frame 0 is at the pc register.
    ASSERT_FALSE(t->frames.empty());
    for (const auto& reg : t->registers) {
      if (reg.name == a.pc) {
        EXPECT_EQ(t->frames.front().pc, reg.value);
      }
    }
  }
}

TEST_P(CrossArch, OwnFramesOnTheirMarkerLines) {
  const ArchInfo& a = GetParam();
  struct Expect {
    std::string sample, source;
    std::vector<std::string> frames;  // from the first own frame; CRASH-SITE then CALL-SITE lines
    std::vector<bool> inlined;
  };
  const std::vector<Expect> expected = {
      {"null_read", "null_read.c", {"f3", "f2", "f1", "main"}, {}},
      {"null_read_joined", "null_read.c", {"f3", "f2", "f1", "main"}, {}},
      {"assert_fail", "assert_fail.c", {"parse_header", "main"}, {}},
      {"threads_blocked", "threads_blocked.c", {"crash_in_main_thread", "main"}, {}},
      {"inlined_c", "inlined_c.c", {"extract_field", "decode_record", "load_record", "process_request", "main"},
       {true, true, true, false, false}},
      {"no_unwind_info_fp", "no_unwind_info.c", {"store_result", "compute", "main"}, {}},
      {"no_unwind_info_nofp", "no_unwind_info.c", {"store_result", "compute", "main"}, {}},
      {"uncaught_exception", "uncaught_exception.cpp", {"validate_config", "load_config", "run_job", "main"}, {}},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE(e.sample);
    const ThreadReport* t = crashed(report(a, e.sample));
    ASSERT_NE(t, nullptr);
    auto frames = own_frames(*t, dir_of(a.arch) + "/" + e.sample);
    // s390x: the stack ends two frames up in the -O0 samples (see the header comment).
    std::size_t want = e.frames.size();
    if (a.arch == "s390x" && (e.sample == "null_read" || e.sample == "null_read_joined" || e.sample == "threads_blocked")) {
      want = std::min<std::size_t>(want, 2);
      EXPECT_FALSE(t->unwind.complete());
      EXPECT_NE(describe(t->unwind).find("floating-point registers"), std::string::npos) << describe(t->unwind);
    }
    ASSERT_GE(frames.size(), want) << describe(t->unwind);
    // Scanning on s390x may meet stale return addresses between the real frames: the sample's
    // frames must come in order, with only scanned frames between them.
    std::size_t at = 0;
    for (std::size_t i = 0; i < want; ++i) {
      while (at < frames.size() && comparable_name(frames[at]->function) != e.frames[i]) {
        EXPECT_EQ(frames[at]->trust, FrameTrust::scan) << "unexpected " << frames[at]->function;
        ++at;
      }
      ASSERT_LT(at, frames.size()) << "no " << e.frames[i];
      const Frame& f = *frames[at];
      int line = marker_line(e.source, i == 0 ? "CRASH-SITE" : "CALL-SITE " + e.frames[i - 1]);
      EXPECT_EQ(f.line, static_cast<std::uint32_t>(line)) << e.frames[i];
      if (!e.inlined.empty()) {
        EXPECT_EQ(f.inlined, e.inlined[i]) << e.frames[i];
      }
      ++at;
    }
  }
}

// Without CFI: with frame pointers (or the ABI's chain, or arm's prologues) the callers are found
// without scanning on the architectures that keep a chain; without them, by scanning, marked so.
TEST_P(CrossArch, CodeWithoutUnwindInformation) {
  const ArchInfo& a = GetParam();
  auto trusts = [&](const std::string& sample) {
    std::vector<FrameTrust> out;
    const ThreadReport* t = crashed(report(a, sample));
    for (const Frame* f : own_frames(*t, dir_of(a.arch) + "/" + sample)) {
      std::string n = comparable_name(f->function);
      if (n == "compute" || n == "main") out.push_back(f->trust);
    }
    return out;
  };
  using T = FrameTrust;
  std::map<std::string, std::pair<std::vector<T>, std::vector<T>>> expected = {
      // store_result is a leaf: its caller is in x30 (checked against the call before it); main
      // is reached by x29's frame record, or by scanning where there is none.
      {"aarch64", {{T::frame_pointer, T::frame_pointer}, {T::frame_pointer, T::scan}}},
      // The ebp chain, or a scan.
      {"i386", {{T::frame_pointer, T::frame_pointer}, {T::scan, T::scan}}},
      // The ABI's back chain exists with or without frame pointers.
      {"ppc64le", {{T::frame_pointer, T::frame_pointer}, {T::frame_pointer, T::frame_pointer}}},
      // Thumb-2 keeps no chain; the functions' prologues (push {r7, lr}, sub sp) say where lr is.
      {"arm", {{T::frame_pointer, T::frame_pointer}, {T::frame_pointer, T::frame_pointer}}},
      // A leaf's r14, then a scan: s390x has no chain without -mbackchain.
      {"s390x", {{T::frame_pointer, T::scan}, {T::frame_pointer, T::scan}}},
  };
  EXPECT_EQ(trusts("no_unwind_info_fp"), expected[a.arch].first);
  EXPECT_EQ(trusts("no_unwind_info_nofp"), expected[a.arch].second);
}

TEST_P(CrossArch, DeepRecursionUnwindsToMain) {
  const ArchInfo& a = GetParam();
  const Report& r = report(a, "stack_overflow");
  const ThreadReport* t = crashed(r);
  ASSERT_NE(t, nullptr);
  std::size_t recurse = 0;
  bool main_found = false;
  for (const auto& f : t->frames) {
    if (f.function == "recurse") ++recurse;
    if (f.function == "main") main_found = true;
  }
  EXPECT_GE(recurse, 20u);  // a 2 MiB stack of 64 KiB frames
  EXPECT_TRUE(main_found) << describe(t->unwind);
  EXPECT_EQ(r.analysis->classification.category, "stack-overflow") << r.analysis->why;
}

TEST_P(CrossArch, WhyNamesTheFaultingInstruction) {
  const ArchInfo& a = GetParam();
  for (const std::string s : {"null_read", "inlined_c", "no_unwind_info_fp"}) {
    SCOPED_TRACE(s);
    const Report& r = report(a, s);
    const bool write = s == "no_unwind_info_fp";
    EXPECT_EQ(r.analysis->classification.category, write ? "null-pointer-write" : "null-pointer-read") << r.analysis->why;
    ASSERT_TRUE(r.analysis->fault);
    const FaultExplanation& f = *r.analysis->fault;
    EXPECT_FALSE(f.instruction.empty());
    EXPECT_EQ(f.access, write ? "write" : "read");
    EXPECT_EQ(f.size, 4u);
    ASSERT_TRUE(f.address);  // no si_addr in the core: computed from the operands and registers
    EXPECT_EQ(*f.address, 0u);
    EXPECT_NE(r.analysis->why.find("address computed from the registers"), std::string::npos) << r.analysis->why;
    EXPECT_FALSE(f.base_register.empty());
  }
}

// An uncaught C++ exception: its type and what() read from libstdc++'s header in the process's
// own layout (pointer size, byte order, arm's EHABI record), equal to what the program printed
// before it aborted ("terminate called after throwing an instance of 'T'", "  what():  ...").
TEST_P(CrossArch, UncaughtExceptionSaysWhatTheProgramPrinted) {
  const ArchInfo& a = GetParam();
  std::ifstream log(dir_of(a.arch) + "/uncaught_exception.log");
  std::string line, type, what;
  while (std::getline(log, line)) {
    std::smatch m;
    if (std::regex_search(line, m, std::regex("throwing an instance of '([^']+)'"))) type = m[1];
    if (std::regex_search(line, m, std::regex("^  what\\(\\):  (.*)$"))) what = m[1];
  }
  ASSERT_FALSE(type.empty() || what.empty()) << "the program's own message is not in its log";
  const Report& r = report(a, "uncaught_exception");
  ASSERT_TRUE(r.analysis);
  EXPECT_EQ(r.analysis->classification.category, "uncaught-exception");
  EXPECT_EQ(r.analysis->classification.exception_type, type);
  EXPECT_EQ(r.analysis->classification.message, what);
}

// The executable's name for gdb-multiarch: null_read_joined is null_read linked without
// -z separate-code, whose headers share the executable mapping qemu-user does not save; gdb then
// cannot tell where the PIE was loaded ("#0 ?? ()", no shared library), so it is compared with
// gdb's view of null_read, the same program. corelens reads the headers from the file.
std::string gdb_sample(const std::string& s) { return s == "null_read_joined" ? "null_read" : s; }

TEST_P(CrossArch, ModulesFromTheLinkMapInMemory) {
  const ArchInfo& a = GetParam();
  CORELENS_REQUIRE("cross", have_gdb_multiarch(), "gdb-multiarch is not installed (Debian package gdb-multiarch)");
  for (const std::string s : {"null_read", "null_read_joined"}) {
    SCOPED_TRACE(s);
    const Report& r = report(a, s);
    EXPECT_TRUE(has_diagnostic(r, "link-map"));
    // null_read_joined: no -z separate-code, so its headers share the unsaved text mapping.
    EXPECT_EQ(has_diagnostic(r, "executable-headers-from-file"), s == "null_read_joined");
    // Both runs load the libraries at the same addresses (qemu-user has no ASLR by default).
    const std::string g = gdb_sample(s);
    std::string gdb = run_command("gdb-multiarch -batch -nx -iex 'set sysroot /usr/" + a.triple +
                                  "' -ex 'info sharedlibrary' " + dir_of(a.arch) + "/" + g + " " + dir_of(a.arch) + "/" +
                                  g + ".core 2>/dev/null");
    // "0x00000055028c73c0  0x00000055029d5c50  Yes (*)     /usr/aarch64-linux-gnu/lib/libc.so.6"
    static const std::regex kLib(R"(^(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+\S+(?: \(\*\))?\s+(/\S+)$)");
    std::istringstream in(gdb);
    int libraries = 0;
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (!std::regex_match(line, m, kLib)) continue;
      ++libraries;
      std::uint64_t from = std::stoull(m[1], nullptr, 16);
      const ModuleReport* mod = nullptr;
      for (const auto& candidate : r.modules) {
        if (candidate.file == m[2].str()) mod = &candidate;
      }
      ASSERT_NE(mod, nullptr) << "gdb-multiarch has " << m[2] << ", corelens has no module for it";
      EXPECT_EQ(mod->symbols, SymbolSource::file);
      EXPECT_GE(from, mod->start) << m[2];
      EXPECT_LT(from, mod->end) << m[2];
    }
    EXPECT_GE(libraries, 2) << gdb;  // libc and the dynamic linker
  }
}

// Without --sysroot, the libraries' recorded paths (/lib/libc.so.6) name no file of this
// architecture here; Debian's cross sysroot is tried next, and the report says so.
TEST_P(CrossArch, DebianCrossSysrootWithoutSysrootOption) {
  const ArchInfo& a = GetParam();
  AnalyzeOptions o;
  auto r = analyze_file(dir_of(a.arch) + "/null_read.core", o);
  ASSERT_TRUE(r) << r.error().message;
  int found = 0;
  for (const auto& m : r->modules) {
    if (m.is_main_executable) {
      EXPECT_EQ(m.file, dir_of(a.arch) + "/null_read");  // AT_EXECFN's absolute path
      continue;
    }
    EXPECT_EQ(m.file.rfind("/usr/" + a.triple + "/", 0), 0u) << m.file;
    EXPECT_NE(m.symbols_note.find("cross sysroot"), std::string::npos) << m.symbols_note;
    ++found;
  }
  EXPECT_GE(found, 2);
}

TEST_P(CrossArch, LibunwindSaysItCannotAndLibdwflUnwinds) {
  const ArchInfo& a = GetParam();
  for (UnwinderChoice choice : {UnwinderChoice::libunwind, UnwinderChoice::automatic, UnwinderChoice::cross_check}) {
    SCOPED_TRACE(std::string(to_string(choice)));
    AnalyzeOptions o = options_for(a);
    o.locator.executable = dir_of(a.arch) + "/null_read";
    o.unwinder = choice;
    auto r = analyze_file(dir_of(a.arch) + "/null_read.core", o);
    ASSERT_TRUE(r) << r.error().message;
    const ThreadReport* t = crashed(*r);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->unwinder, "libdwfl");
    bool said = false;
    for (const auto& d : r->diagnostics) {
      said |= d.code == "libunwind-unavailable" && d.message.find(a.arch) != std::string::npos &&
              d.message.find("x86_64") != std::string::npos;
    }
    EXPECT_TRUE(said);
    EXPECT_TRUE(r->unwinder_cross_check.empty());
    // The same frames as the default unwinder.
    ASSERT_EQ(t->frames.size(), crashed(report(a, "null_read"))->frames.size());
  }
}

// gdb-multiarch's `thread apply all bt` and ours agree frame by frame on every thread, up to
// where gdb stops (main: it does not show frames past main): function, and pc, file and line
// wherever gdb shows them.
struct GdbFrame {
  std::optional<std::uint64_t> pc;  // not for an inlined frame, nor for frame 0 at a line's start
  std::string function, file;
  int line = 0;
  std::string pc_text;  // as gdb prints it: as many digits as the architecture's addresses
};

std::map<int, std::vector<GdbFrame>> gdb_threads(const std::string& text) {
  std::map<int, std::vector<GdbFrame>> out;
  static const std::regex kThread(R"(^Thread \d+ \(.*LWP (\d+)\)\)?:?.*$)");
  static const std::regex kFrame(R"(^#\d+\s+(?:0x([0-9a-f]+) in )?(\S+) \(.*\)(?: at (\S+):(\d+))?(?: from \S+)?$)");
  std::istringstream in(text);
  std::vector<GdbFrame>* current = nullptr;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kThread)) {
      current = &out[std::stoi(m[1])];
    } else if (current != nullptr && std::regex_match(line, m, kFrame)) {
      GdbFrame f{std::nullopt, m[2], m[3], m[4].matched ? std::stoi(m[4]) : 0, ""};
      if (m[1].matched) {
        f.pc = std::stoull(m[1], nullptr, 16);
        f.pc_text = "0x" + m[1].str();
      }
      current->push_back(std::move(f));
    }
  }
  return out;
}

TEST_P(CrossArch, AgreesWithGdbMultiarchOnEveryThread) {
  const ArchInfo& a = GetParam();
  CORELENS_REQUIRE("cross", have_gdb_multiarch(), "gdb-multiarch is not installed (Debian package gdb-multiarch)");
  std::size_t compared = 0;
  for (const auto& s : samples_) {
    SCOPED_TRACE(s);
    // gdb-multiarch's i386 prologue analysis takes store_result's locals for return addresses
    // (frames #1-#8 at pcs 0x2-0x5) before it reaches compute: no reference for this one;
    // OwnFramesOnTheirMarkerLines and CodeWithoutUnwindInformation check ours.
    if (a.arch == "i386" && s == "no_unwind_info_nofp") continue;
    const std::string gs = gdb_sample(s);
    std::string text = run_command("gdb-multiarch -batch -nx -iex 'set sysroot /usr/" + a.triple +
                                   "' -ex 'set pagination off' -ex 'set width 0' -ex 'thread apply all bt' " +
                                   dir_of(a.arch) + "/" + gs + " " + dir_of(a.arch) + "/" + gs + ".core 2>/dev/null");
    auto peer = gdb_threads(text);
    const Report& r = report(a, s);
    ASSERT_EQ(peer.size(), r.threads.size()) << text;
    for (const auto& t : r.threads) {
      SCOPED_TRACE("thread " + std::to_string(t.tid));
      auto it = gs == s ? peer.find(t.tid) : peer.begin();  // another run: another tid
      ASSERT_NE(it, peer.end());
      ASSERT_LE(it->second.size(), t.frames.size()) << "gdb-multiarch found more frames";
      for (std::size_t i = 0; i < it->second.size(); ++i) {
        const GdbFrame& g = it->second[i];
        const Frame& f = t.frames[i];
        // A libc function has aliases at one address (__nanosleep, nanosleep); debuggers pick either.
        auto bare = [](std::string n) { return n.substr(std::min(n.find_first_not_of('_'), n.size())); };
        std::string ours = bare(comparable_name(f.function)), theirs = bare(comparable_name(g.function));
        EXPECT_TRUE(ours == theirs || (ours.empty() && theirs == "??")) << "frame " << i << ": " << ours << " vs " << theirs;
        if (g.line != 0) {
          EXPECT_EQ(f.line, static_cast<std::uint32_t>(g.line)) << "frame " << i;
        }
        // The pc, where gdb knows the function: a "??" frame is one neither tool can place (s390x
        // without CFI: gdb's prologue analysis yields pc 0x5, "previous frame inner to this frame",
        // where our scan finds a stale return address). null_read_joined is compared with gdb's
        // null_read, another executable: other pcs.
        if (g.pc && g.function != "??" && gs == s) {
          EXPECT_EQ(hex(f.pc), hex(*g.pc)) << "frame " << i;
          // And written as gdb writes it: 8 digits on a 32-bit core, 16 on a 64-bit one (an
          // inlined call's line shows no pc: gdb shows its physical frame's).
          std::string line = frame_to_text(f, false, nullptr, address_digits(r.arch));
          if (!f.inlined) {
            EXPECT_NE(line.find(" " + g.pc_text + " in "), std::string::npos) << line << " vs gdb's " << g.pc_text;
          }
        }
        if (!g.file.empty()) {
          EXPECT_EQ(f.file, g.file) << "frame " << i;
        }
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 40u);
}

// Readable names in test output instead of the struct's bytes.
[[maybe_unused]] void PrintTo(const ArchInfo& a, std::ostream* os) { *os << a.arch; }

INSTANTIATE_TEST_SUITE_P(Arches, CrossArch, ::testing::ValuesIn(arches()),
                         [](const ::testing::TestParamInfo<ArchInfo>& i) { return i.param.arch; });

}  // namespace
}  // namespace corelens::testing
