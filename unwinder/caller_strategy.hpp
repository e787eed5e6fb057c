// The one shape of a stack walk's strategies: given the walk's last frame, a strategy adds its
// caller, says the walk ended there (and why), or has nothing to say about that frame. The walk
// asks its strategies in order (walk_strategies), and sets each frame's origin and trust from the
// strategy that found it: here, once, not in each strategy.
//
// The strategies of each walk, in their order:
//   user threads (stack_walk.hpp)   the CFI engine (libdwfl or libunwind, CfiEngine), then the
//                                   fallbacks of unwind_rules.hpp: call site, ARM EXIDX, prologue,
//                                   link register, frame pointer, scan
//   x86_64 kernel (kernel/orc.cpp)  ORC, the vmlinux's DWARF CFI (or CFI first, ORC second), the
//                                   frame-0 prologue; then a scan where they stopped
//                                   (kernel/cpu_stacks_x86_64.cpp)
//   arm64 kernel (kernel/cpu_stacks_aarch64.cpp)  for an exact pc the vmlinux's DWARF CFI, then the
//                                   prologue; the frame record
// A strategy that had information for a frame but failed on it (a memory read, a stop rule) leaves
// the walk as it found it, and the next strategy tries the same frame; when none finds a caller,
// the failures together are the walk's status.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>

#include "core/model/stack.hpp"
#include "unwinder/walk_loop.hpp"

namespace corelens {

// What a strategy did with the walk's last frame.
enum class StepResult {
  caller,       // it added the caller: the walk goes on from it, asking the first strategy again
  last_caller,  // it added the caller, which ends the walk (user space below a kernel stack); status set
  end,          // the walk ends at the last frame (complete, or why not); status set
  failed,       // it knew the step but could not take it (status set): the next strategy's turn
  pass,         // it knows nothing of this frame: the next strategy's turn
};

// WALK is the walk's state, which must offer: size() (its frames), stamp(FROM, FrameOrigin,
// FrameTrust) (on the callers from index FROM on: those a strategy just added), status()
// (UnwindStatus&), nothing_found() (every strategy passed: record why) and spent(BudgetEnd) (the
// frame cap or cancellation). A strategy may add several callers in one answer (a CFI engine
// runs on until it needs the fallbacks), and a frame may have been added with its answer end.
template <class Walk>
class CallerStrategy {
 public:
  virtual ~CallerStrategy() = default;
  // Which strategy a frame it adds was found by, and how far to believe it.
  virtual FrameOrigin origin() const = 0;
  virtual FrameTrust trust() const = 0;
  virtual StepResult caller_of_last(Walk& walk) = 0;
};

// A strategy that is one step of its walk's own code, with a fixed origin and trust (the kernel
// walks' strategies: each a call into their walker). Made by step_caller.
template <class Walk, class Step>
class StepCaller final : public CallerStrategy<Walk> {
 public:
  StepCaller(FrameOrigin origin, FrameTrust trust, Step step) : origin_(origin), trust_(trust), step_(std::move(step)) {}
  FrameOrigin origin() const override { return origin_; }
  FrameTrust trust() const override { return trust_; }
  StepResult caller_of_last(Walk& walk) override { return step_(walk); }

 private:
  FrameOrigin origin_;
  FrameTrust trust_;
  Step step_;
};

template <class Walk, class Step>
StepCaller<Walk, Step> step_caller(FrameOrigin origin, FrameTrust trust, Step step) {
  return StepCaller<Walk, Step>(origin, trust, std::move(step));
}

// Runs WALK (its first frame in place) until a strategy ends it, none finds a caller, or BUDGET is
// spent: the one loop of walk_loop.hpp, asking STRATEGIES in order for each caller.
template <class Walk>
void walk_strategies(const WalkBudget& budget, Walk& walk, std::span<CallerStrategy<Walk>* const> strategies) {
  auto caller_of_last = [&]() -> bool {
    bool failed = false;
    for (CallerStrategy<Walk>* s : strategies) {
      UnwindStatus before = failed ? walk.status() : UnwindStatus{};
      const std::size_t frames = walk.size();
      const StepResult result = s->caller_of_last(walk);
      if (walk.size() > frames) walk.stamp(frames, s->origin(), s->trust());
      switch (result) {
        case StepResult::caller: return true;
        case StepResult::last_caller: return false;
        case StepResult::end: return false;
        case StepResult::failed:
          // Every failure is part of the story: "ORC says ...; DWARF CFI says ...".
          if (failed) walk.status().detail = before.detail + "; " + walk.status().detail;
          failed = true;
          break;
        case StepResult::pass: break;
      }
    }
    if (!failed) walk.nothing_found();
    return false;
  };
  walk_loop(budget, [&] { return walk.size(); }, caller_of_last, [&](BudgetEnd end) { walk.spent(end); });
}

}  // namespace corelens
