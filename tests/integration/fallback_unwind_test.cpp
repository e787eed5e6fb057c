// Code without any call frame information still unwinds: through the frame-pointer chain when the
// code keeps one, by scanning the stack for return addresses when it does not; every frame says
// which. eu-stack and gdb are not compared here: without CFI they guess (see samples/README.md).
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/samples.hpp"

namespace corelens::testing {
namespace {

const Frame* find_frame(const ThreadReport& t, const std::string& function) {
  for (const auto& f : t.frames) {
    if (comparable_name(f.function) == function) return &f;
  }
  return nullptr;
}

void expect_program_frames(const ThreadReport& t, FrameTrust caller_trust, const std::string& method) {
  SCOPED_TRACE(method);
  const Frame* store = find_frame(t, "store_result");
  const Frame* compute = find_frame(t, "compute");
  const Frame* main_frame = find_frame(t, "main");
  ASSERT_NE(store, nullptr);
  ASSERT_NE(compute, nullptr) << "the caller of a function without CFI was not found";
  ASSERT_NE(main_frame, nullptr);
  EXPECT_EQ(store->index, 0u);
  EXPECT_EQ(store->trust, FrameTrust::context);
  EXPECT_EQ(store->line, static_cast<std::uint32_t>(marker_line("no_unwind_info.c", "CRASH-SITE")));
  EXPECT_EQ(compute->index, 1u);
  EXPECT_EQ(compute->trust, caller_trust);
  EXPECT_EQ(compute->line, static_cast<std::uint32_t>(marker_line("no_unwind_info.c", "CALL-SITE store_result")));
  EXPECT_EQ(main_frame->index, 2u);
  EXPECT_EQ(main_frame->trust, caller_trust);
  EXPECT_EQ(main_frame->line, static_cast<std::uint32_t>(marker_line("no_unwind_info.c", "CALL-SITE compute")));
  // Past main, libc has CFI again: the walk goes on with it to _start.
  EXPECT_EQ(comparable_name(t.frames.back().function), "_start");
  EXPECT_TRUE(t.unwind.complete()) << describe(t.unwind);
  EXPECT_EQ(t.frames.back().trust, FrameTrust::cfi);
}

TEST(FallbackUnwind, FramePointerChainWithoutCfi) {
  for (const char* method : {"auto", "gcore"}) {
    expect_program_frames(sample_report(method, "no_unwind_info_fp").threads.front(), FrameTrust::frame_pointer, method);
  }
}

TEST(FallbackUnwind, StackScanWithoutCfiOrFramePointer) {
  for (const char* method : {"auto", "gcore"}) {
    expect_program_frames(sample_report(method, "no_unwind_info_nofp").threads.front(), FrameTrust::scan, method);
  }
}

}  // namespace
}  // namespace corelens::testing
