// The loop every stack walk runs, user and kernel alike: the frame cap and cancellation are
// checked here, once, and a strategy is asked for the caller of the last frame until it says the
// walk is over. The user walk (stack_walk.hpp) checks its budget after every frame its engines and
// fallbacks add. The kernel walks of unwinder/kernel/ run walk_loop itself: ORC (the vmlinux's CFI
// its alternative table, the prologue for a frame 0 without an entry) with the kernel's stack rule
// (stack_rule.hpp: a stack pointer that grows on one stack, switches only on frames that can
// switch, never back), arm64's frame records (CFI or the prologue for exact pcs) with their own
// record rule, and the x86_64 stack scan that goes on where ORC stopped.
//
// The two sides word a spent frame cap differently ("stopped at the frame limit of N" for a user
// thread, "stopped after N frames" for a kernel stack); the reports and their golden files keep
// those words, so the budget says what ran out and each side words it.
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
