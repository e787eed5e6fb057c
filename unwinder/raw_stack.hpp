// What every unwinding backend returns (libdwfl, libunwind): frames as found, before
// symbolisation, so that symbolisation, reports and comparisons are shared by all of them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/model/analyze_options.hpp"
#include "core/model/report.hpp"

namespace corelens {

// A frame as the unwinder found it, before symbolisation.
struct RawFrame {
  std::uint64_t pc = 0;
  bool is_activation = false;  // true for frame 0 and frames interrupted by a signal
  std::optional<std::uint64_t> sp;
  FrameTrust trust = FrameTrust::context;
  FrameOrigin origin = FrameOrigin::context;
  std::vector<Register> registers;  // recovered by the unwinder (callers only)
};

struct RawStack {
  std::vector<RawFrame> frames;
  UnwindStatus status;  // complete, or why the walk stopped
  std::string unwinder;  // the backend that found the frames: "libdwfl" or "libunwind"
};

}  // namespace corelens
