// corelens and gdb agree on every thread of every sample core: the same functions, inlined frames
// included, on the same lines, from frame 0 up to main (gdb does not show frames past main).
//
// One documented difference: gdb synthesises "tail-call frames" from DW_TAG_call_site entries
// (libc's raise -> __pthread_kill_internal, which jumps to __pthread_kill_implementation: gdb
// shows __pthread_kill_internal although it has no frame on the stack). corelens, like eu-stack,
// shows the frames that are on the stack. So gdb may have a few extra frames outside the
// program's own code; every frame of ours must appear in gdb's list, in order, on the same line.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "tests/integration/samples.hpp"

namespace corelens::testing {
namespace {

struct GdbFrame {
  std::string function;
  int line = 0;
};

// Parses `thread apply all bt`: "Thread N (... (LWP tid)):" then "#k  [0xPC in ]NAME (args) [at FILE:LINE | from LIB]".
std::map<int, std::vector<GdbFrame>> parse_gdb(const std::string& text) {
  std::map<int, std::vector<GdbFrame>> out;
  static const std::regex kThread(R"(^Thread \d+ \(.*LWP (\d+)\)\)?:?.*$)");
  static const std::regex kFrame(R"(^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*?\)(?: at (\S+):(\d+))?.*$)");
  std::istringstream in(text);
  std::string line;
  std::vector<GdbFrame>* current = nullptr;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, kThread)) {
      current = &out[std::stoi(m[1])];
    } else if (current != nullptr && std::regex_match(line, m, kFrame)) {
      current->push_back(GdbFrame{m[1], m[3].matched ? std::stoi(m[3]) : 0});
    }
  }
  return out;
}

// gdb names a few assembly functions by their minimal symbol ("clone3") where DWARF has the
// internal name ("__clone3"); both name the same code.
bool same_function(const std::string& ours, const std::string& theirs) {
  std::string a = comparable_name(ours), b = comparable_name(theirs);
  if (a.empty() && b == "??") return true;  // neither knows the function
  auto strip = [](std::string s) { return s.substr(s.find_first_not_of('_') == std::string::npos ? 0 : s.find_first_not_of('_')); };
  return a == b || strip(a) == strip(b);
}

class GdbAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(GdbAgreement, EveryThreadUpToMain) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    const std::string& sample = GetParam();
    std::string text = run_command("gdb -batch -nx -ex 'set pagination off' -ex 'set width 0' "
                                   "-ex 'thread apply all bt' " + exe_path(method, sample) + " " +
                                   core_path(method, sample) + " 2>/dev/null");
    auto peer = parse_gdb(text);
    ASSERT_FALSE(peer.empty()) << "gdb printed no thread:\n" << text;
    const Report& r = sample_report(method, sample);
    ASSERT_EQ(peer.size(), r.threads.size());
    for (const auto& t : r.threads) {
      SCOPED_TRACE("thread " + std::to_string(t.tid));
      auto it = peer.find(t.tid);
      ASSERT_NE(it, peer.end());
      const auto& theirs = it->second;
      ASSERT_FALSE(theirs.empty());
      std::size_t ours = 0, extra = 0;
      for (const auto& g : theirs) {
        if (ours < t.frames.size() && same_function(t.frames[ours].function, g.function)) {
          if (g.line != 0) {
            EXPECT_EQ(t.frames[ours].line, static_cast<std::uint32_t>(g.line)) << "frame " << ours;
          }
          ++ours;
          continue;
        }
        ++extra;
        EXPECT_LE(extra, 2u) << "gdb's frame " << g.function << " is not on our stack (ours #" << ours
                             << ": " << (ours < t.frames.size() ? t.frames[ours].function : "end") << ")";
      }
      // Everything gdb shows up to main, we show too.
      ASSERT_GT(ours, 0u);
      EXPECT_TRUE(same_function(t.frames[ours - 1].function, theirs.back().function));
    }
  }
}

std::vector<std::string> sample_names() {
  std::vector<std::string> out;
  for (const auto& s : sample_expectations()) out.push_back(s.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Samples, GdbAgreement, ::testing::ValuesIn(sample_names()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace corelens::testing
