#include "tests/integration/peer_tools.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "tests/integration/samples.hpp"

namespace corelens::testing {

PeerStacks parse_eu_stack(const std::string& text) {
  PeerStacks out;
  static const std::regex kTid(R"(^TID (\d+):$)");
  static const std::regex kFrame(R"(^#(\d+)\s+0x([0-9a-f]+)(?: - 1)?\s*(.*)$)");
  static const std::regex kSource(R"(^\s+(\S.*?):(\d+)(?::\d+)?$)");
  std::istringstream in(text);
  std::string line;
  std::vector<PeerFrame>* current = nullptr;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, kTid)) {
      current = &out[std::stoi(m[1])];
    } else if (current != nullptr && std::regex_match(line, m, kFrame)) {
      current->push_back(PeerFrame{std::stoull(m[2], nullptr, 16), m[3], "", 0});
    } else if (current != nullptr && !current->empty() && std::regex_match(line, m, kSource)) {
      current->back().file = m[1];
      current->back().line = std::stoi(m[2]);
    }
  }
  return out;
}

PeerStacks parse_gdb(const std::string& text) {
  PeerStacks out;
  static const std::regex kThread(R"(^Thread \d+ \(.*LWP (\d+)\)\)?:?.*$)");
  static const std::regex kFrame(R"(^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*?\)(?: at (\S+):(\d+))?.*$)");
  std::istringstream in(text);
  std::string line;
  std::vector<PeerFrame>* current = nullptr;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, kThread)) {
      current = &out[std::stoi(m[1])];
    } else if (current != nullptr && std::regex_match(line, m, kFrame)) {
      current->push_back(PeerFrame{0, m[1], "", m[3].matched ? std::stoi(m[3]) : 0});
    }
  }
  return out;
}

bool same_function_as_gdb(const std::string& ours, const std::string& theirs) {
  std::string a = comparable_name(ours), b = comparable_name(theirs);
  if (a.empty() && b == "??") return true;  // neither knows the function
  auto strip = [](const std::string& x) {
    auto p = x.find_first_not_of('_');
    return p == std::string::npos ? x : x.substr(p);
  };
  return a == b || strip(a) == strip(b);
}

void expect_eu_stack_agrees(const Report& r, const std::string& core, const std::string& exe) {
  std::string text = run_command("eu-stack -i -s -n 0 --core '" + core + "' -e '" + exe + "' 2>/dev/null");
  auto peer = parse_eu_stack(text);
  ASSERT_FALSE(peer.empty()) << "eu-stack printed no thread:\n" << text;
  ASSERT_EQ(peer.size(), r.threads.size()) << text;
  for (const auto& t : r.threads) {
    SCOPED_TRACE("eu-stack, thread " + std::to_string(t.tid));
    auto it = peer.find(t.tid);
    ASSERT_NE(it, peer.end()) << "eu-stack has no thread " << t.tid;
    const auto& theirs = it->second;
    ASSERT_EQ(t.frames.size(), theirs.size());
    for (std::size_t i = 0; i < theirs.size(); ++i) {
      const Frame& ours = t.frames[i];
      EXPECT_EQ(ours.pc, theirs[i].pc) << "frame " << i;
      EXPECT_EQ(comparable_name(ours.function), comparable_name(theirs[i].function)) << "frame " << i;
      if (theirs[i].line != 0) {
        EXPECT_EQ(ours.line, static_cast<std::uint32_t>(theirs[i].line)) << "frame " << i << " " << ours.function;
        EXPECT_EQ(ours.file, theirs[i].file) << "frame " << i;
      }
    }
  }
}

void expect_gdb_agrees(const Report& r, const std::string& core, const std::string& exe, const std::string& gdb) {
  std::string text = run_command(gdb + " -batch -nx -ex 'set pagination off' -ex 'set width 0' -ex 'thread apply all bt' '" +
                                 exe + "' '" + core + "' 2>/dev/null");
  auto peer = parse_gdb(text);
  ASSERT_FALSE(peer.empty()) << "gdb printed no thread:\n" << text;
  ASSERT_EQ(peer.size(), r.threads.size()) << text;
  for (const auto& t : r.threads) {
    SCOPED_TRACE("gdb, thread " + std::to_string(t.tid));
    auto it = peer.find(t.tid);
    ASSERT_NE(it, peer.end()) << "gdb has no thread " << t.tid;
    const auto& theirs = it->second;
    ASSERT_FALSE(theirs.empty());
    std::size_t ours = 0, extra = 0;
    for (const auto& g : theirs) {
      if (ours < t.frames.size() && same_function_as_gdb(t.frames[ours].function, g.function)) {
        if (g.line != 0) {
          EXPECT_EQ(t.frames[ours].line, static_cast<std::uint32_t>(g.line)) << "frame " << ours;
        }
        ++ours;
        continue;
      }
      ++extra;
      EXPECT_LE(extra, 2u) << "gdb's frame " << g.function << " is not on our stack (ours #" << ours << ": "
                           << (ours < t.frames.size() ? t.frames[ours].function : "end") << ")";
    }
    // Everything gdb shows up to main, we show too.
    ASSERT_GT(ours, 0u);
    EXPECT_TRUE(same_function_as_gdb(t.frames[ours - 1].function, theirs.back().function));
  }
}

}  // namespace corelens::testing
