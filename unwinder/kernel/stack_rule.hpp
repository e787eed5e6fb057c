// The kernel's stop rule for a walk over its stacks (the policy of an ORC walk; the user walk's is
// in stack_walk.cpp): on one stack the stack pointer only grows (unwind_next_frame's "stack going
// in the wrong direction?"); a frame may move to another stack only if it can switch stacks (a
// pt_regs, an iret frame, a saved stack pointer, a frame based on rbp), never back to a stack the
// walk already left, and at most MAX_STACKS stacks in all. A dump is hostile: without the rule a
// loop of frame pointers or pt_regs would walk until the frame cap.
//
// Ownership: references the StackMap, which must outlive it; copyable, so that a step tried with
// one unwind table can be retried with the other from the same state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/strings.hpp"
#include "unwinder/kernel/orc.hpp"

namespace corelens {

class KernelStackRule {
 public:
  // The walk starts with its stack pointer SP (on the map's stacks, or an unknown one around it).
  KernelStackRule(const StackMap& stacks, std::size_t max_stacks, std::uint64_t sp)
      : stacks_(&stacks), max_stacks_(max_stacks), region_(stacks.region_of(sp).value_or(unknown_stack_around(sp))) {
    visited_.push_back(region_);
  }

  // The stack the walk's last frame is on.
  const StackRegion& region() const { return region_; }

  // Why the step from the frame at FROM_IP, which moved the stack pointer from PREV_SP to SP, breaks
  // the rule, or nullopt: the step is taken and the walk is on SP's stack. SWITCHES: the frame may
  // move to another stack.
  std::optional<std::string> refuses(std::uint64_t from_ip, std::uint64_t prev_sp, std::uint64_t sp, bool switches) {
    if (region_.contains(sp)) {
      if (sp <= prev_sp) return "the stack pointer does not grow at " + hex(from_ip) + " (" + hex(sp) + ")";
      return std::nullopt;
    }
    if (!switches) return "a call frame at " + hex(from_ip) + " leaves the " + region_.kind + " stack (sp " + hex(sp) + ")";
    StackRegion next = stacks_->region_of(sp).value_or(unknown_stack_around(sp));
    for (const auto& v : visited_) {
      if (v.low == next.low && v.high == next.high) {
        return "the walk returns to the " + v.kind + " stack it already left (sp " + hex(sp) + ")";
      }
    }
    if (visited_.size() >= max_stacks_) return "more than " + std::to_string(max_stacks_) + " stacks";
    region_ = next;
    visited_.push_back(std::move(next));
    return std::nullopt;
  }

 private:
  const StackMap* stacks_;
  std::size_t max_stacks_;
  StackRegion region_;
  std::vector<StackRegion> visited_;
};

}  // namespace corelens
