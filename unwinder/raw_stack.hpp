// What every unwinding backend returns (libdwfl, libunwind): frames as found, before
// symbolisation, so that symbolisation, reports and comparisons are shared by all of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/model/analyze_options.hpp"
#include "core/model/report.hpp"

namespace corelens {

// The most program counters a per-pc cache of an unwinder keeps (the answers of unwind tables and
// symbol lookups, which a deep recursion asks for again and again). A real process's stacks
// touch a few thousand distinct pcs; a hostile dump can name any number, so past this many a
// cache stops growing (or starts over) instead of holding an entry per word of the stack.
inline constexpr std::size_t kMaxCachedPcs = 100'000;
// A symbol cache holds a vector of inlined locations per pc, so it may hold twice as many before
// it starts over: symbolising is the costlier question, and each entry is still small.
inline constexpr std::size_t kMaxCachedSymbolPcs = 2 * kMaxCachedPcs;

// A frame as the unwinder found it, before symbolisation.
struct RawFrame {
  std::uint64_t pc = 0;
  bool is_activation = false;  // true for frame 0 and frames interrupted by a signal
  std::optional<std::uint64_t> sp;
  FrameTrust trust = FrameTrust::context;
  FrameOrigin origin = FrameOrigin::context;
  // Its return address's code was not in the dump to check that a call precedes it
  // (call_site_check.hpp): the walk trusts it as a scan, whichever strategy found it.
  bool unverified = false;
  std::vector<Register> registers;  // recovered by the unwinder (callers only)
};

struct RawStack {
  std::vector<RawFrame> frames;
  UnwindStatus status;  // complete, or why the walk stopped
  std::string unwinder;  // the backend that found the frames: "libdwfl" or "libunwind"
};

}  // namespace corelens
