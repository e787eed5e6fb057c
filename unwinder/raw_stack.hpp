// What every unwinding backend returns (libdwfl, libunwind): frames as found, before
// symbolisation, so that symbolisation, reports and comparisons are shared by all of them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/report.hpp"

namespace corelens {

struct UnwindLimits {
  std::size_t max_frames = 1'000'000;  // a 260,000-frame stack overflow must fit
  // Asked every few thousand frames; false stops the walk ("cancelled"). A deep stack takes
  // seconds, and a front end's Cancel button must not wait for it.
  std::function<bool()> keep_going;
};

// A frame as the unwinder found it, before symbolisation.
struct RawFrame {
  std::uint64_t pc = 0;
  bool is_activation = false;  // true for frame 0 and frames interrupted by a signal
  std::optional<std::uint64_t> sp;
  FrameTrust trust = FrameTrust::context;
  std::vector<Register> registers;  // recovered by the unwinder (callers only)
};

struct RawStack {
  std::vector<RawFrame> frames;
  std::string status;  // "complete" or why the walk stopped
  bool complete = false;
  std::string unwinder;  // the backend that found the frames: "libdwfl" or "libunwind"
};

}  // namespace corelens
