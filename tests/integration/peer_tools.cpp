#include "tests/integration/peer_tools.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "core/model/strings.hpp"
#include "tests/integration/samples.hpp"
#include "tests/integration/tail_calls.hpp"

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
      current->push_back(PeerFrame{std::stoull(m[2], nullptr, 16), true, m[3], "", 0});
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
  // The file is the last " at FILE:LINE" (an argument's string may hold " at ").
  static const std::regex kFrame(R"(^#\d+\s+(?:0x([0-9a-f]+) in )?(\S+) \(.*\)(?: at (\S+):(\d+))?(?: from \S+)?$)");
  std::istringstream in(text);
  std::string line;
  std::vector<PeerFrame>* current = nullptr;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, kThread)) {
      current = &out[std::stoi(m[1])];
    } else if (current != nullptr && std::regex_match(line, m, kFrame)) {
      current->push_back(PeerFrame{m[1].matched ? std::stoull(m[1], nullptr, 16) : 0, m[1].matched, m[2],
                                   m[3].matched ? m[3].str() : "", m[4].matched ? std::stoi(m[4]) : 0});
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
    std::size_t ours = 0;
    for (std::size_t k = 0; k < theirs.size(); ++k) {
      const PeerFrame& g = theirs[k];
      if (ours < t.frames.size() && same_function_as_gdb(t.frames[ours].function, g.function)) {
        const Frame& f = t.frames[ours];
        if (g.has_pc) {
          EXPECT_EQ(hex(f.pc), hex(g.pc)) << "frame " << ours << " " << f.function;
        }
        if (g.line != 0) {
          EXPECT_EQ(f.line, static_cast<std::uint32_t>(g.line)) << "frame " << ours << " " << f.function;
        }
        if (!g.file.empty()) {
          EXPECT_EQ(f.file, g.file) << "frame " << ours << " " << f.function;
        }
        ++ours;
        continue;
      }
      // Not on our stack: gdb's tail-call frame, or a disagreement.
      SCOPED_TRACE("gdb's #" + std::to_string(k) + " " + g.function + ", not on our stack (ours #" + std::to_string(ours) +
                   ": " + (ours < t.frames.size() ? t.frames[ours].function : "end") + ")");
      ASSERT_TRUE(g.has_pc) << "no pc: not a tail-call frame";
      ASSERT_GT(k, 0u) << "frame 0 is no tail call";
      auto sites = tail_calls_returning_to(core, exe, g.pc);
      ASSERT_FALSE(sites.empty()) << "DWARF marks no tail call returning to " << hex(g.pc);
      // DWARF names glibc's functions as written ("__futex_abstimed_wait_cancelable64"); gdb
      // may name them by the internal alias at the same address ("__GI___futex_...").
      auto same = [](const std::string& dwarf, const std::string& by_gdb) {
        return same_function_as_gdb(dwarf, by_gdb) || by_gdb == "__GI_" + dwarf;
      };
      bool marked = false;
      for (const auto& site : sites) {
        marked |= same(site.caller, g.function) && (site.callee.empty() || same(site.callee, theirs[k - 1].function));
      }
      EXPECT_TRUE(marked) << "the tail call returning to " << hex(g.pc) << " is in " << sites.front().caller << ", to "
                          << sites.front().callee << ", not from " << g.function << " to " << theirs[k - 1].function;
    }
    // Everything gdb shows up to main, we show too.
    ASSERT_GT(ours, 0u);
    EXPECT_TRUE(same_function_as_gdb(t.frames[ours - 1].function, theirs.back().function));
  }
}

}  // namespace corelens::testing
