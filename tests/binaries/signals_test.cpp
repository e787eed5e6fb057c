// Fault signals a process sends itself, on real kernel cores (issue 21): raise(SIGSEGV),
// kill(getpid(), SIGSEGV), a SIGSEGV from another process, pthread_kill of another thread, and
// two handlers that raise the signal again, one inside the handler and one after it returned.
// The signal's si_code and si_pid are compared with gdb's $_siginfo; the handler's frames with
// gdb's backtrace ("<signal handler called>" and the frame below it).
#include <gtest/gtest.h>

#include <regex>

#include "core/model/strings.hpp"
#include "tests/integration/samples.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

std::string core_of(const std::string& sample) { return std::string(CORELENS_BINARIES_CORES) + "/" + sample + "/core"; }
std::string exe_of(const std::string& sample) {
  return std::string(CORELENS_BINARIES_CORES) + "/" + sample + "/bin/" + sample;
}

const Report& report_of(const std::string& sample) {
  static std::map<std::string, Report> cache;
  auto it = cache.find(sample);
  if (it != cache.end()) return it->second;
  AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  auto r = analyze_file(core_of(sample), options);
  if (!r) ADD_FAILURE() << sample << ": " << r.error().message;
  return cache.emplace(sample, r ? std::move(*r) : Report{}).first->second;
}

// "@LINE@" in PATTERN becomes the line of MARKER in samples/SAMPLE.c.
std::regex with_line(std::string pattern, const std::string& sample, const std::string& marker = "// CRASH-SITE") {
  int line = marker_line(sample + ".c", marker);
  EXPECT_GT(line, 0) << marker << " in " << sample;
  for (auto at = pattern.find("@LINE@"); at != std::string::npos; at = pattern.find("@LINE@")) {
    pattern.replace(at, 6, std::to_string(line));
  }
  return std::regex(pattern);
}

// gdb's si_code and si_pid of the core's signal.
std::pair<int, int> gdb_siginfo(const std::string& sample) {
  std::string out = run_command("gdb -batch -nx -ex 'p $_siginfo.si_code' -ex 'p $_siginfo._sifields._kill.si_pid' '" +
                                exe_of(sample) + "' '" + core_of(sample) + "' 2>/dev/null");
  std::smatch m;
  static const std::regex kValue(R"(\$\d+ = (-?\d+))");
  std::vector<int> values;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), kValue); it != std::sregex_iterator(); ++it) {
    values.push_back(std::stoi((*it)[1]));
  }
  EXPECT_EQ(values.size(), 2u) << out;
  return values.size() == 2 ? std::pair{values[0], values[1]} : std::pair{0, 0};
}

struct Case {
  std::string sample, category, why;
};
[[maybe_unused]] void PrintTo(const Case& c, std::ostream* os) { *os << c.sample; }

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"raise_segv", "raised-signal",
       R"(^SIGSEGV raised by the process itself \(raise, kill, tgkill\) in give_up at raise_segv\.c:@LINE@$)"},
      {"kill_self", "raised-signal",
       R"(^SIGSEGV raised by the process itself \(raise, kill, tgkill\) in stop_now at kill_self\.c:@LINE@$)"},
      {"kill_from_other", "killed", R"(^killed by SIGSEGV sent by pid \d+ \(uid \d+\))"},
      // The executable has only _start on the stack (main tail-called the library): the sender
      // is named in the library, not "in _start", the C runtime's.
      {"kill_from_library", "raised-signal",
       R"(^SIGSEGV raised by the process itself \(raise, kill, tgkill\) in stop_in_library at kill_from_library\.c:@LINE@$)"},
      {"pthread_kill_other", "raised-signal",
       R"(^SIGSEGV sent by another thread of the process itself \(pid \d+, tgkill or pthread_kill\).*; thread \d+ received it in wait_for_worker at pthread_kill_other\.c:@LINE@$)"},
      // The first delivery, from the kernel's signal frame: the NULL write, then the handler.
      {"reraise_handler", "null-pointer-write",
       R"(^write of 4 bytes at 0x0 through r\w+ \(= 0x0\): NULL pointer write to \*slot in store_sample at reraise_handler\.c:@LINE@, where slot = 0x0 \(int \*\); caught by the handler on_crash, which raised it again \(SIGSEGV SI_TKILL from the process itself \(pid \d+\)\)$)"},
      {"reraise_siginfo", "null-pointer-write",
       R"(^write of 4 bytes at 0x0 through r\w+ \(= 0x0\): NULL pointer write to \*slot in store_sample at reraise_siginfo\.c:@LINE@, where slot = 0x0 \(int \*\); caught by the handler on_crash, which raised it again \(SIGSEGV SI_TKILL from the process itself \(pid \d+\)\)$)"},
      // Pending until the handler returned: delivered at the NULL write itself.
      {"reraise_deferred", "null-pointer-write",
       R"(^write of 4 bytes at 0x0 through r\w+ \(= 0x0\): NULL pointer write to \*slot in store_sample at reraise_deferred\.c:@LINE@, where slot = 0x0 \(int \*\); the signal itself is SIGSEGV SI_TKILL from the process itself \(pid \d+\): a handler raised it again, and the kernel delivered it at this instruction when the handler returned$)"},
  };
  return all;
}

class RaisedSignal : public ::testing::TestWithParam<Case> {};

TEST_P(RaisedSignal, ClassifiedAsRaisedOrSent) {
  const Case& c = GetParam();
  const Report& r = report_of(c.sample);
  ASSERT_TRUE(r.analysis.has_value());
  ASSERT_TRUE(r.signal.has_value());
  EXPECT_EQ(r.signal->number, 11);
  EXPECT_EQ(r.analysis->classification.category, c.category) << r.analysis->why;
  EXPECT_TRUE(std::regex_search(r.analysis->why, with_line(c.why, c.sample))) << r.analysis->why;
  EXPECT_NE(r.analysis->classification.severity, "exploitable");
  // The signal as gdb reads it.
  auto [code, pid] = gdb_siginfo(c.sample);
  EXPECT_EQ(r.signal->code, code);
  ASSERT_TRUE(r.signal->sender_pid.has_value());
  EXPECT_EQ(*r.signal->sender_pid, pid);
  if (c.category == "killed") {
    EXPECT_NE(*r.signal->sender_pid, *r.process.pid);
  } else {
    EXPECT_EQ(*r.signal->sender_pid, *r.process.pid);
  }
}

// Where the first delivery was read: the siginfo an SA_SIGINFO handler gets, else the trap.
TEST(RaisedSignalDetails, FirstDeliveryFromSiginfoOrTrap) {
  const Report& with_siginfo = report_of("reraise_siginfo");
  const Report& without = report_of("reraise_handler");
  ASSERT_TRUE(with_siginfo.analysis && without.analysis);
  EXPECT_NE(with_siginfo.analysis->classification.rule.find("(SIGSEGV SEGV_MAPERR) read from the kernel's signal frame (its siginfo)"),
            std::string::npos) << with_siginfo.analysis->classification.rule;
  EXPECT_NE(without.analysis->classification.rule.find("(SIGSEGV SEGV_MAPERR) read from the kernel's signal frame (the trap number"),
            std::string::npos) << without.analysis->classification.rule;
}

// kill_from_library's executable has only _start on the stack, which has no lines (crt1.o has no
// DWARF); the file has DWARF all the same, so the symbol doctor has nothing to say of it. It said
// "no-debug-info", judging by the frames alone.
TEST(RaisedSignalDetails, AnExecutableWithOnlyStartOnTheStackHasDebugInfo) {
  const Report& r = report_of("kill_from_library");
  const ModuleReport* exe = nullptr;
  for (const auto& m : r.modules) {
    if (m.is_main_executable) exe = &m;
  }
  ASSERT_NE(exe, nullptr);
  ASSERT_FALSE(r.threads.empty());
  std::vector<std::string> own;
  for (const auto& f : r.threads.front().frames) {
    if (f.module == exe->path) own.push_back(f.function);
  }
  ASSERT_EQ(own, std::vector<std::string>{"_start"}) << "main is on the stack again: the case this test is for is gone";
  EXPECT_EQ(exe->symbols_problem, "") << exe->symbols_fix;
}

INSTANTIATE_TEST_SUITE_P(Samples, RaisedSignal, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.sample; });

// The re-raising handler's stack as gdb shows it: the handler, "<signal handler called>", then the
// interrupted function; its signature is that of the NULL write, as if no handler had run.
TEST(RaisedSignalDetails, HandlerFramesAgreeWithGdb) {
  const Report& r = report_of("reraise_handler");
  ASSERT_FALSE(r.threads.empty());
  const ThreadReport& t = r.threads.front();
  std::size_t trampoline = t.frames.size();
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    if (t.frames[i].signal_frame && trampoline == t.frames.size()) trampoline = i;
  }
  ASSERT_LT(trampoline + 1, t.frames.size());
  EXPECT_EQ(comparable_name(t.frames[trampoline - 1].function), "on_crash");
  EXPECT_EQ(comparable_name(t.frames[trampoline + 1].function), "store_sample");
  std::string gdb = run_command("gdb -batch -nx -ex bt '" + exe_of("reraise_handler") + "' '" +
                                core_of("reraise_handler") + "' 2>/dev/null");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(gdb, m, std::regex(R"(<signal handler called>\n#\d+\s+0x([0-9a-f]+) in store_sample)")))
      << gdb;
  EXPECT_EQ(t.frames[trampoline + 1].pc, std::stoull(m[1].str(), nullptr, 16));
  ASSERT_TRUE(r.analysis.has_value());
  ASSERT_FALSE(r.analysis->signature.frames.empty());
  EXPECT_NE(r.analysis->signature.frames.front().find("store_sample"), std::string::npos)
      << r.analysis->signature.readable;
}

}  // namespace
}  // namespace corelens::testing
