// The loop every stack walk runs, user and kernel alike: the frame cap and cancellation are checked
// here, once, and the walk's strategies (caller_strategy.hpp, walk_strategies) are asked for the
// caller of the last frame until one says the walk is over. The kernel walks of unwinder/kernel/
// (ORC, the vmlinux's DWARF CFI and frame 0's prologue on x86_64, then the stack scan; arm64's
// exact-pc CFI, prologue and frame records) ask the front end's cancel question as each walk
// starts (KernelStackLimits::keep_going: a dump has thousands of short walks); the user walk
// (stack_walk.hpp) checks its budget after every frame its engines and fallbacks add, asking
// every few thousand frames.
//
// The two sides word a spent frame cap differently ("stopped at the frame limit of N" for a user
// thread, "stopped after N frames" for a kernel stack); the reports and their golden files keep
// those words, so the budget says what ran out and each side words it (user_budget_status,
// kernel_budget_status).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "unwinder/unwind_rules.hpp"

namespace corelens {

// What ran out.
enum class BudgetEnd { frame_cap, cancelled };

// The frame cap and the front end's cancel question of one walk.
struct WalkBudget {
  std::size_t max_frames = 0;
  std::function<bool()> keep_going;  // empty: the walk cannot be cancelled

  // Whether a walk that has FRAMES frames may look for another; nullopt: it may.
  std::optional<BudgetEnd> spent(std::size_t frames) const {
    if (frames >= max_frames) return BudgetEnd::frame_cap;
    if (keep_going && time_to_ask_keep_going(frames) && !keep_going()) return BudgetEnd::cancelled;
    return std::nullopt;
  }
};

// What each side reports when the budget is spent, in its words (see the top of this file).
inline UnwindStatus user_budget_status(BudgetEnd end, std::size_t max_frames) {
  return end == BudgetEnd::frame_cap ? UnwindStatus::frame_limit(max_frames) : UnwindStatus::cancelled();
}
inline UnwindStatus kernel_budget_status(BudgetEnd end, std::size_t max_frames) {
  if (end == BudgetEnd::cancelled) return UnwindStatus::cancelled();
  return UnwindStatus::stopped(StopReason::frame_limit, "stopped after " + std::to_string(max_frames) + " frames");
}

// Runs a walk whose first frame is in place (a stack scan goes on from where a walk stopped and
// needs none): while BUDGET allows another frame (FRAMES() counts them), asks CALLER_OF_LAST to
// add the caller of the last frame; it returns false when the walk is over, having recorded why.
// When the budget is spent, ON_SPENT records that.
// A walk asks KEEP_GOING once as it starts, then every few thousand frames: a kernel dump has
// thousands of short walks (each task's), so a cancelled analysis stops at the next one.
template <class Frames, class CallerOfLast, class OnSpent>
void walk_loop(const WalkBudget& budget, Frames&& frames, CallerOfLast&& caller_of_last, OnSpent&& on_spent) {
  if (budget.keep_going && !budget.keep_going()) {
    on_spent(BudgetEnd::cancelled);
    return;
  }
  while (true) {
    if (auto end = budget.spent(frames())) {
      on_spent(*end);
      return;
    }
    if (!caller_of_last()) return;
  }
}

}  // namespace corelens
