// corelens and eu-stack (elfutils) agree on every thread of every sample core, frame by frame,
// inlined frames included: the same functions, in the same order, on the same source lines.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "tests/integration/samples.hpp"

namespace corelens::testing {
namespace {

struct PeerFrame {
  std::uint64_t pc = 0;
  std::string function;
  std::string file;
  int line = 0;
};

// Parses `eu-stack -i -s`: "TID n:", then "#k  0xPC [- 1] NAME" lines, each optionally followed
// by an indented "FILE:LINE[:COL]" line.
std::map<int, std::vector<PeerFrame>> parse_eu_stack(const std::string& text) {
  std::map<int, std::vector<PeerFrame>> out;
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

class EuStackAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(EuStackAgreement, EveryThreadFrameByFrame) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    const std::string& sample = GetParam();
    int status = 0;
    std::string text = run_command("eu-stack -i -s -n 0 --core " + core_path(method, sample) + " -e " +
                                       exe_path(method, sample) + " 2>/dev/null",
                                   &status);
    auto peer = parse_eu_stack(text);
    ASSERT_FALSE(peer.empty()) << "eu-stack printed no thread:\n" << text;
    const Report& r = sample_report(method, sample);
    ASSERT_EQ(peer.size(), r.threads.size());
    for (const auto& t : r.threads) {
      SCOPED_TRACE("thread " + std::to_string(t.tid));
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
}

std::vector<std::string> sample_names() {
  std::vector<std::string> out;
  for (const auto& s : sample_expectations()) out.push_back(s.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Samples, EuStackAgreement, ::testing::ValuesIn(sample_names()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace corelens::testing
