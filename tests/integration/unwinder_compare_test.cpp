// libdwfl and libunwind, two independent unwinders over the same Target, find the same frames on
// every real sample core: pc by pc and stack pointer by stack pointer, found the same way, in
// every thread both unwind to the end. Where neither has CFI, both hand the frame to the same
// fallback (unwind_rules.hpp), so rust_panic and no_unwind_info_fp are compared like the others.
// (Cores of other architectures: libunwind cannot unwind them here; cross_arch_test.cpp.) Where they cannot agree (debug_frame_only: CFI that only
// libdwfl reads), --unwinder cross-check says where they part. And a call through NULL (pc 0)
// unwinds to its caller by the return address at [sp], with either unwinder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/model/strings.hpp"
#include "tests/integration/samples.hpp"
#include "unwinder/libunwind_backend.hpp"
#include "unwinder/pipeline/user_session.hpp"
#include "unwinder/unwinder_choice.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

// The samples whose cores are in DIR ("null_read", ...), sorted.
std::vector<std::string> sample_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".core") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

AnalyzeOptions options_with(UnwinderChoice choice) {
  AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  options.unwinder = choice;
  return options;
}

struct Backends {
  std::shared_ptr<const Session> session;
  std::unique_ptr<ProcessTarget> target;
  std::unique_ptr<DwflBackend> dwfl;
  std::unique_ptr<LibunwindBackend> libunwind;
};

Backends open_backends(const std::string& core) {
  Backends b;
  AnalyzeOptions options = options_with(UnwinderChoice::dwfl);
  auto session = open_session(core, options);
  if (!session) {
    ADD_FAILURE() << core << ": " << session.error().message;
    return b;
  }
  b.session = *session;
  const auto* user = dynamic_cast<const UserSession*>(b.session.get());
  if (user == nullptr) {
    ADD_FAILURE() << core << ": not a user core";
    return b;
  }
  b.target = std::make_unique<ProcessTarget>(user->dump(), &user->memory());
  auto dwfl = DwflBackend::create(*b.target, user->located_modules(), options.locator);
  auto libunwind = LibunwindBackend::create(*b.target, user->located_modules());
  if (!dwfl || !libunwind) {
    ADD_FAILURE() << core << ": " << (dwfl ? libunwind.error().message : dwfl.error().message);
    return b;
  }
  b.dwfl = std::move(*dwfl);
  b.libunwind = std::move(*libunwind);
  return b;
}

TEST(UnwinderCompare, LibunwindFindsTheSameFramesAsLibdwfl) {
  std::size_t compared = 0;
  for (const char* method : {"auto", "gcore"}) {
    for (const std::string& name : sample_names(cores_dir(method))) {
      // Disagrees on purpose (CFI only in .debug_frame, which libunwind cannot read): see below.
      if (name == "debug_frame_only") continue;
      SCOPED_TRACE(std::string(method) + "/" + name);
      Backends b = open_backends(core_path(method, name));
      if (!b.libunwind) continue;
      EXPECT_GT(b.libunwind->table_count(), 0u) << "no module's .eh_frame_hdr was readable";
      for (std::size_t i = 0; i < b.target->thread_count(); ++i) {
        SCOPED_TRACE("thread " + std::to_string(b.target->thread_id(i)));
        RawStack dwfl = b.dwfl->unwind(i, {});
        RawStack libunwind = b.libunwind->unwind(i, {});
        EXPECT_EQ(dwfl.unwinder, "libdwfl");
        EXPECT_EQ(libunwind.unwinder, "libunwind");
        // Every sample thread unwinds to _start (or to clone's end) with libdwfl; libunwind must too.
        EXPECT_EQ(libunwind.status.complete(), dwfl.status.complete())
            << "libdwfl: " << describe(dwfl.status) << "; libunwind: " << describe(libunwind.status);
        if (!dwfl.status.complete() || !libunwind.status.complete()) continue;
        ++compared;
        ASSERT_EQ(libunwind.frames.size(), dwfl.frames.size());
        for (std::size_t f = 0; f < dwfl.frames.size(); ++f) {
          SCOPED_TRACE("frame " + std::to_string(f));
          EXPECT_EQ(hex(libunwind.frames[f].pc), hex(dwfl.frames[f].pc));
          EXPECT_EQ(libunwind.frames[f].sp, dwfl.frames[f].sp);
          EXPECT_EQ(to_string(libunwind.frames[f].trust), std::string(to_string(dwfl.frames[f].trust)));
          EXPECT_EQ(libunwind.frames[f].is_activation, dwfl.frames[f].is_activation);
        }
      }
    }
  }
  // Every sample, both producers: threads_blocked alone has 12 threads.
  EXPECT_GE(compared, 40u);
}

const ThreadReport& crashed_thread(const Report& r) {
  for (const auto& t : r.threads) {
    if (t.crashed) return t;
  }
  return r.threads.front();
}

std::vector<std::string> functions(const ThreadReport& t, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < t.frames.size() && out.size() < n; ++i) out.push_back(comparable_name(t.frames[i].function));
  return out;
}

TEST(UnwinderCompare, CrossCheckSaysWhereTheUnwindersPart) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    auto report = analyze_file(core_path(method, "debug_frame_only"), options_with(UnwinderChoice::cross_check));
    ASSERT_TRUE(report) << report.error().message;
    // The threads section shows libdwfl's stack, with CFI from .debug_frame.
    const ThreadReport& t = crashed_thread(*report);
    EXPECT_EQ(t.unwinder, "libdwfl");
    EXPECT_EQ(functions(t, 3), (std::vector<std::string>{"fill", "run", "main"}));
    ASSERT_GE(t.frames.size(), 3u);
    EXPECT_EQ(t.frames[1].trust, FrameTrust::cfi);
    EXPECT_EQ(t.frames[1].line, static_cast<std::uint32_t>(marker_line("debug_frame_only.c", "CALL-SITE fill")));
    // libunwind scanned, met the stale return address into fill, and took it for the caller.
    ASSERT_EQ(report->unwinder_cross_check.size(), report->threads.size());
    const UnwinderComparison& c = report->unwinder_cross_check.front();
    EXPECT_EQ(c.tid, t.tid);
    EXPECT_FALSE(c.agree);
    ASSERT_TRUE(c.first_difference);
    EXPECT_EQ(*c.first_difference, 1u);
    ASSERT_TRUE(c.dwfl.frame && c.libunwind.frame);
    EXPECT_EQ(comparable_name(c.dwfl.frame->function), "run");
    EXPECT_EQ(c.dwfl.frame->trust, FrameTrust::cfi);
    EXPECT_EQ(comparable_name(c.libunwind.frame->function), "fill");
    EXPECT_EQ(c.libunwind.frame->trust, FrameTrust::scan);
    EXPECT_NE(c.summary.find("part at frame 1"), std::string::npos) << c.summary;
    bool warned = false;
    for (const auto& d : report->diagnostics) warned |= d.code == "unwinders-disagree";
    EXPECT_TRUE(warned);
  }
}

TEST(UnwinderCompare, CrossCheckOfAgreeingUnwindersReportsEveryThread) {
  auto report = analyze_file(core_path("auto", "threads_blocked"), options_with(UnwinderChoice::cross_check));
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->unwinder_cross_check.size(), report->threads.size());
  for (std::size_t i = 0; i < report->threads.size(); ++i) {
    const UnwinderComparison& c = report->unwinder_cross_check[i];
    EXPECT_EQ(c.tid, report->threads[i].tid);
    EXPECT_TRUE(c.agree) << c.summary;
    EXPECT_FALSE(c.first_difference);
    EXPECT_EQ(c.dwfl.frames, c.libunwind.frames);
  }
  for (const auto& d : report->diagnostics) EXPECT_NE(d.code, "unwinders-disagree") << d.message;
}

TEST(UnwinderCompare, LibunwindAloneAndAutoReportWhichUnwinderRan) {
  auto alone = analyze_file(core_path("auto", "null_read"), options_with(UnwinderChoice::libunwind));
  ASSERT_TRUE(alone) << alone.error().message;
  EXPECT_EQ(crashed_thread(*alone).unwinder, "libunwind");
  EXPECT_EQ(functions(crashed_thread(*alone), 4), (std::vector<std::string>{"f3", "f2", "f1", "main"}));
  EXPECT_TRUE(alone->unwinder_cross_check.empty());
  // auto: libdwfl completes every thread here, so libunwind is never asked.
  auto automatic = analyze_file(core_path("auto", "null_read"), options_with(UnwinderChoice::automatic));
  ASSERT_TRUE(automatic) << automatic.error().message;
  EXPECT_EQ(crashed_thread(*automatic).unwinder, "libdwfl");
  EXPECT_EQ(describe(crashed_thread(*automatic).unwind), "complete");
}

// auto: where libdwfl stops short and libunwind gets further, the thread takes libunwind's stack
// and says so. A real case: the module files are not on the analysing machine, but the core saved
// every mapping (coredump_filter 0x7f), .eh_frame_hdr included. libdwfl takes CFI from files only;
// libunwind reads it through the Target's memory.
TEST(UnwinderCompare, AutoTakesLibunwindWhereItGetsFurther) {
  std::string dir = ::testing::TempDir() + "/corelens-full-core-" + std::to_string(::getpid());
  fs::create_directories(dir + "/empty-root");
  std::string core = dir + "/null_read.core";
  // gdb's gcore honours the inferior's coredump_filter, which exec and fork inherit.
  int status = 0;
  run_command("sh -c 'echo 0x7f > /proc/self/coredump_filter && exec timeout 120 gdb -batch -nx -ex run -ex \"gcore " +
                  core + "\" -ex kill --args " + exe_path("gcore", "null_read") + "' >/dev/null 2>&1",
              &status);
  ASSERT_TRUE(fs::exists(core)) << "gdb wrote no core (status " << status << ")";
  AnalyzeOptions options = options_with(UnwinderChoice::automatic);
  options.locator.sysroot = dir + "/empty-root";  // no module file, no debug file: only the core
  options.locator.debug_dirs.clear();
  auto automatic = analyze_file(core, options);
  options.unwinder = UnwinderChoice::dwfl;
  auto dwfl = analyze_file(core, options);
  fs::remove_all(dir);
  ASSERT_TRUE(automatic && dwfl);
  const ThreadReport& d = crashed_thread(*dwfl);
  EXPECT_FALSE(d.unwind.complete()) << "libdwfl now unwinds without files: this test needs another case";
  const ThreadReport& t = crashed_thread(*automatic);
  EXPECT_EQ(t.unwinder, "libunwind");
  EXPECT_TRUE(t.unwind.complete()) << describe(t.unwind);
  EXPECT_NE(describe(t.unwind).find("by libunwind, since libdwfl stopped after"), std::string::npos) << describe(t.unwind);
  // f3, f2, f1, main, __libc_start_call_main, __libc_start_main, _start: all but frame 0 by CFI.
  ASSERT_EQ(t.frames.size(), 7u);
  for (std::size_t i = 1; i < t.frames.size(); ++i) EXPECT_EQ(t.frames[i].trust, FrameTrust::cfi) << i;
  // The same frames as with every file at hand (its inlined frames aside: no DWARF here).
  std::vector<std::optional<std::uint64_t>> expected, got;
  for (const auto& f : crashed_thread(sample_report("gcore", "null_read")).frames) {
    if (!f.inlined) expected.push_back(f.module_offset);
  }
  for (const auto& f : t.frames) got.push_back(f.module_offset);
  EXPECT_EQ(got, expected);
}

// A call through NULL faults before the callee's first instruction: the caller is the return
// address the call pushed, at [sp]. Following the frame pointer instead would skip the caller.
TEST(UnwinderCompare, CallThroughNullFindsTheCallerAtSp) {
  for (const char* method : {"auto", "gcore"}) {
    for (UnwinderChoice choice : {UnwinderChoice::dwfl, UnwinderChoice::libunwind}) {
      SCOPED_TRACE(std::string(method) + " " + std::string(to_string(choice)));
      auto report = analyze_file(core_path(method, "null_call"), options_with(choice));
      ASSERT_TRUE(report) << report.error().message;
      const ThreadReport& t = crashed_thread(*report);
      ASSERT_GE(t.frames.size(), 3u);
      EXPECT_EQ(t.frames[0].pc, 0u);
      EXPECT_EQ(t.frames[0].function, "");
      EXPECT_EQ(comparable_name(t.frames[1].function), "run_callback");
      EXPECT_EQ(t.frames[1].trust, FrameTrust::cfi);
      EXPECT_EQ(t.frames[1].line, static_cast<std::uint32_t>(marker_line("null_call.c", "CRASH-SITE")));
      ASSERT_TRUE(t.frames[0].sp && t.frames[1].sp);
      EXPECT_EQ(*t.frames[1].sp, *t.frames[0].sp + 8);
      EXPECT_EQ(comparable_name(t.frames[2].function), "main");
      EXPECT_EQ(t.frames[2].line, static_cast<std::uint32_t>(marker_line("null_call.c", "CALL-SITE run_callback")));
      EXPECT_TRUE(t.unwind.complete()) << describe(t.unwind);
    }
  }
}

}  // namespace
}  // namespace corelens::testing
