// A Session keeps what the front ends need after the analysis: memory (code served from verified
// module files where the core saved none) and symbol lookups by address and by name.
#include <gtest/gtest.h>

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "parsers/elf_image.hpp"
#include "tests/integration/samples.hpp"
#include "tests/support/opt_out.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

std::shared_ptr<const Session> open(const std::string& method, const std::string& sample) {
  AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  auto s = open_session(core_path(method, sample), options);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
  return s ? *s : nullptr;
}

TEST(Session, CodeBytesComeFromTheExecutableWhereTheCoreHasNone) {
  for (const char* method : {"auto", "gcore"}) {
    auto session = open(method, "null_read");
    ASSERT_NE(session, nullptr);
    const Frame& f0 = session->report().threads.front().frames.front();
    ASSERT_TRUE(f0.module_offset.has_value());
    std::byte code[16];
    ASSERT_TRUE(session->memory().read(f0.pc, code).has_value()) << method;
    // The same bytes at the same link-time address in the file on disk.
    auto info = read_elf_file(exe_path(method, "null_read"));
    ASSERT_TRUE(info.has_value());
    std::ifstream in(exe_path(method, "null_read"), std::ios::binary);
    std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bool compared = false;
    for (const auto& p : info->phdrs) {
      if (p.type == PT_LOAD && *f0.module_offset >= p.vaddr && *f0.module_offset < p.vaddr + p.filesz) {
        std::uint64_t off = p.offset + (*f0.module_offset - p.vaddr);
        EXPECT_EQ(std::memcmp(code, file.data() + off, sizeof code), 0) << method;
        compared = true;
      }
    }
    EXPECT_TRUE(compared);
  }
}

TEST(Session, MemoryOutsideEverythingIsAFaultWithItsAddress) {
  auto session = open("auto", "null_read");
  ASSERT_NE(session, nullptr);
  std::byte b[8];
  auto r = session->memory().read(0x10, b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::not_mapped);
  EXPECT_EQ(r.error().where, 0x10u);
}

TEST(Session, SymbolsByAddressAndByName) {
  auto session = open("auto", "assert_fail");
  ASSERT_NE(session, nullptr);
  const ThreadReport& t = session->report().threads.front();
  const Frame* parse_header = nullptr;
  for (const auto& f : t.frames) {
    if (f.function == "parse_header") parse_header = &f;
  }
  ASSERT_NE(parse_header, nullptr);
  auto hit = session->symbol_at(parse_header->lookup_pc);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->name, "parse_header");
  EXPECT_EQ(parse_header->lookup_pc - hit->address, parse_header->function_offset);
  // glibc's abort message pointer, which the crash explanation reads.
  auto abort_msg = session->symbol_address("__abort_msg");
  ASSERT_TRUE(abort_msg.has_value());
  EXPECT_NE(*abort_msg, 0u);
  EXPECT_FALSE(session->symbol_address("no_such_symbol_anywhere").has_value());
}

// A relative file name comes with the unit's compilation directory (glibc's "../sysdeps/posix/
// raise.c" in "./signal" with libc6-dbg: Debian maps its build directory to "."), and an
// absolute one (the samples') with none.
TEST(Session, RelativeSourceFilesComeWithTheirCompilationDirectory) {
  CORELENS_REQUIRE("libc-dbg", !libc_debug_file().empty(), "libc6-dbg is not installed: libc's frames have no file");
  auto session = open("auto", "assert_fail");
  ASSERT_NE(session, nullptr);
  int relative = 0;
  for (const Frame& f : session->report().threads.front().frames) {
    SCOPED_TRACE(f.function + " " + f.file);
    if (f.file.empty()) {
      EXPECT_TRUE(f.compilation_dir.empty());
    } else if (f.file.front() == '/') {
      EXPECT_TRUE(f.compilation_dir.empty());
    } else {
      ++relative;
      EXPECT_FALSE(f.compilation_dir.empty());
    }
  }
  EXPECT_GT(relative, 0) << "no frame with a relative file, though libc6-dbg is installed";
}

// Progress goes through every stage in order and counts every thread; answering false stops the
// analysis at that step with ErrorCode::cancelled, at every stage.
TEST(Session, ProgressCountsEveryThreadAndCancelStopsAtAnyStage) {
  AnalyzeOptions options;
  std::vector<std::string> stages;
  std::size_t threads_total = 0, last_done = 0;
  options.progress = [&](const AnalyzeProgress& p) {
    if (stages.empty() || stages.back() != p.stage) stages.emplace_back(p.stage);
    if (p.stage == "unwinding threads") {
      threads_total = p.total;
      EXPECT_GE(p.done, last_done);
      last_done = p.done;
    }
    return true;
  };
  auto s = open_session(core_path("auto", "threads_blocked"), options);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  const std::vector<std::string> expected = {"reading the dump", "locating module files", "reading symbol tables",
                                             "unwinding threads", "explaining the crash"};
  EXPECT_EQ(stages, expected);
  EXPECT_EQ(threads_total, (*s)->report().threads.size());
  EXPECT_EQ(last_done + 1, threads_total);

  for (const auto& stop_at : expected) {
    int calls_after_cancel = 0;
    bool cancelled = false;
    options.progress = [&](const AnalyzeProgress& p) {
      if (cancelled) ++calls_after_cancel;
      if (p.stage == stop_at) cancelled = true;
      return !cancelled;
    };
    auto c = open_session(core_path("auto", "threads_blocked"), options);
    ASSERT_FALSE(c.has_value()) << stop_at;
    EXPECT_EQ(c.error().code, ErrorCode::cancelled) << stop_at;
    EXPECT_EQ(calls_after_cancel, 0) << stop_at;
  }
}

}  // namespace
}  // namespace corelens::testing
