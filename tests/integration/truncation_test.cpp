// Every sample core, truncated at many offsets (inside the headers, the notes, and the memory
// segments), is analysed without a crash or a hang: either a clear error (when not even the
// headers survive) or a report that keeps everything the remaining bytes hold.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "parsers/elf_core.hpp"
#include "tests/integration/samples.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

struct Case {
  std::string method;
  std::string sample;
  int spread;  // evenly spaced offsets across the file, beyond the structural ones
};

// Names the case in test listings instead of gtest's byte dump.
[[maybe_unused]] void PrintTo(const Case& c, std::ostream* os) { *os << c.method << "/" << c.sample; }

std::set<std::uint64_t> offsets_for(const ProcessDump& dump, std::uint64_t size, int spread) {
  std::set<std::uint64_t> out = {0, 1, 4, 16, 52, 63, 64, 65, 120, 200};
  for (const auto& n : dump.notes) {
    // Inside each note's header and descriptor, and at its end.
    for (std::uint64_t o : {n.offset - 12, n.offset - 1, n.offset, n.offset + n.size / 2, n.offset + n.size}) {
      if (o < size) out.insert(o);
    }
  }
  for (int i = 1; i < spread; ++i) out.insert(size * static_cast<std::uint64_t>(i) / static_cast<std::uint64_t>(spread));
  out.insert(size - 1);
  return out;
}

class Truncated : public ::testing::TestWithParam<Case> {};

TEST_P(Truncated, NeverCrashesAndKeepsWhatRemains) {
  const Case& c = GetParam();
  std::string original = core_path(c.method, c.sample);
  auto full_file = MappedFile::open(original);
  ASSERT_TRUE(full_file.has_value());
  auto full_dump = parse_elf_core(*full_file);
  ASSERT_TRUE(full_dump.has_value());
  std::uint64_t size = (*full_file)->size();
  std::uint64_t notes_end = 0;
  for (const auto& n : full_dump->notes) notes_end = std::max(notes_end, n.offset + n.size);
  const Report& full = sample_report(c.method, c.sample);
  ASSERT_FALSE(full.threads.empty());

  // Truncate one copy from the largest offset down: each ftruncate keeps the prefix intact.
  std::string dir = ::testing::TempDir() + "/corelens-trunc-" + std::to_string(::getpid()) + "-" + c.method + "-" + c.sample;
  std::filesystem::create_directories(dir);
  std::string copy = dir + "/core";
  std::filesystem::copy_file(original, copy, std::filesystem::copy_options::overwrite_existing);
  auto offsets = offsets_for(*full_dump, size, c.spread);
  AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    std::uint64_t at = *it;
    SCOPED_TRACE("truncated at " + std::to_string(at) + " of " + std::to_string(size));
    ASSERT_EQ(::truncate(copy.c_str(), static_cast<off_t>(at)), 0);
    auto report = analyze_file(copy, options);
    if (!report) {
      const Error& e = report.error();
      EXPECT_TRUE(e.code == ErrorCode::not_a_dump || e.code == ErrorCode::truncated || e.code == ErrorCode::malformed)
          << e.message;
      EXPECT_FALSE(e.message.empty());
      // Once the program headers are there, a report must come out, however little it holds.
      EXPECT_LT(at, 64u + 56u) << "a core with its headers intact was rejected: " << e.message;
      continue;
    }
    bool has_truncation_diag = false;
    for (const auto& d : report->diagnostics) has_truncation_diag |= d.code == "core-truncated" || d.code == "phdrs-truncated";
    EXPECT_TRUE(has_truncation_diag) << "no diagnostic says the core is truncated";
    if (at >= notes_end) {
      // All notes survived: every thread, the signal and the crashing thread's registers too.
      ASSERT_EQ(report->threads.size(), full.threads.size());
      ASSERT_TRUE(report->signal.has_value());
      EXPECT_EQ(report->signal->number, full.signal->number);
      EXPECT_EQ(report->crashed_tid, full.crashed_tid);
      ASSERT_FALSE(report->threads.front().frames.empty());
      EXPECT_EQ(report->threads.front().frames.front().pc, full.threads.front().frames.front().pc);
      EXPECT_EQ(report->threads.front().registers.size(), full.threads.front().registers.size());
    }
  }
  std::filesystem::remove_all(dir);
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& s : sample_expectations()) {
    out.push_back({"auto", s.name, 48});
    out.push_back({"gcore", s.name, 16});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Samples, Truncated, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return p.param.method + "_" + p.param.sample; });

}  // namespace
}  // namespace corelens::testing
