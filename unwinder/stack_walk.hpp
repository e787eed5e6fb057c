// The one loop of a user-space stack walk (Breakpad's Stackwalker::Walk): walk_stack owns the stop
// rules, when to fall back and when to go back, and asks strategies for each caller through the
// shape every walk shares (caller_strategy.hpp: CallerStrategy, walk_strategies), in this order:
//   1. a CFI engine, the unwinder the user chose: libdwfl (dwfl_backend.cpp) or libunwind
//      (libunwind_backend.cpp), each reading the modules' DWARF CFI (.eh_frame, .debug_frame); it
//      runs on, adding callers, until a frame has no unwind information (or it fails on one);
//   2. then the fallbacks of unwind_rules.hpp, each a strategy of its own, in their order: the
//      return address a call through a bad pointer left, arm's EHABI tables, arm's prologue where
//      they have no entry, frame 0's link register, the frame chain, a stack scan; each caller
//      checked as a return address (CallSiteCheck);
//   3. the engine again, from the first recovered caller that has CFI.
// Every caller, whoever found it, passes StackWalk's rules (caller_rejected: progress, a growing
// stack, executable code at the return address; a recovered caller UserStackRule too), and gets
// its origin and trust from the strategy that found it, set by the loop (stamp_caller). The frame
// cap and cancellation (walk_loop.hpp's WalkBudget) are checked after every frame StackWalk takes,
// since an engine adds many in one answer. An engine decides only what its own library needs
// (libdwfl's check that a resumed walk lands on a return address).
//
// The kernel walks of unwinder/kernel/ ask their strategies through the same shape and loop: ORC,
// the vmlinux's DWARF CFI and frame 0's prologue (x86_64, then a scan), arm64's exact-pc CFI and
// prologue and its frame records; their stop rules are the kernel's own (KernelStackRule of
// unwinder/kernel/stack_rule.hpp for ORC: a stack pointer that grows on one stack, switches only
// on frames that can switch, never back to a stack already left).
//
// Ownership: a StackWalk references the Target, which must outlive it; walk_stack returns plain
// values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "unwinder/raw_stack.hpp"
#include "unwinder/target.hpp"
#include "unwinder/walk_loop.hpp"

namespace corelens {

class ArmExidx;
class CallSiteCheck;

// The user walk's stack rule for the callers the fallbacks recover (the policy of a user walk; the
// kernel's is unwinder/kernel/stack_rule.hpp): the stack pointer grows, and may stay equal once in
// a row. A caller from unwind information passes caller_rejected only.
class UserStackRule {
 public:
  // Whether a recovered caller with CALLER_SP may follow its callee with CALLEE_SP.
  bool refuses(std::optional<std::uint64_t> callee_sp, std::optional<std::uint64_t> caller_sp) const;
  void took_recovered(std::optional<std::uint64_t> callee_sp, std::optional<std::uint64_t> caller_sp);
  void took_cfi_caller() { same_sp_ = false; }

 private:
  bool same_sp_ = false;  // the last recovered caller kept its callee's sp
};

// The frames of one walk and the rules each must pass to join them.
class StackWalk {
 public:
  StackWalk(const Target& target, std::size_t thread_index, const UnwindLimits& limits, std::string unwinder);

  // Frame 0. False: the walk is over (the frame cap is 1).
  bool add_first(RawFrame frame);
  // The caller of the last frame, from unwind information. False: the walk is over (a stop rule
  // refused it, the frame cap, cancellation); status() says why.
  bool add_caller(RawFrame caller);
  // The caller of the last frame as a fallback found it: as add_caller, and its stack pointer may
  // not go below the callee's. NO_CALLER is the status when it does.
  bool add_recovered_caller(RawFrame caller, const std::string& no_caller);
  void stop(UnwindStatus why) { status_ = std::move(why); }
  void complete() { status_ = UnwindStatus::done(); }

  bool over() const { return status_.has_value(); }
  bool empty() const { return stack_.frames.empty(); }
  std::size_t size() const { return stack_.frames.size(); }
  const RawFrame& last() const { return stack_.frames.back(); }
  const std::vector<RawFrame>& frames() const { return stack_.frames; }
  const std::optional<UnwindStatus>& status() const { return status_; }
  const Target& target() const { return target_; }
  std::size_t thread_index() const { return thread_index_; }
  // Whether the next frame keeps the registers its unwinder recovered (kMaxFramesWithRegisters).
  bool next_keeps_registers() const { return stack_.frames.size() < kMaxFramesWithRegisters; }

  // The stack, with its status (StopReason::not_unwound when nothing set one).
  RawStack finish() &&;

  // What walk_strategies asks (caller_strategy.hpp). The frame cap and cancellation are checked
  // after every frame added (add_first, add_caller), since an engine adds many in one answer.
  void stamp(std::size_t from, FrameOrigin origin, FrameTrust trust);
  UnwindStatus& status() { return status_ ? *status_ : status_.emplace(); }
  void nothing_found();
  void spent(BudgetEnd end) { stop(user_budget_status(end, budget_.max_frames)); }

 private:
  bool after_add();

  const Target& target_;
  std::size_t thread_index_;
  WalkBudget budget_;
  RawStack stack_;
  std::optional<UnwindStatus> status_;
  UserStackRule rule_;
};

// Why a CFI engine handed the walk back.
enum class EngineEnd {
  outermost,  // the unwind information ends the stack at the last frame
  fallback,   // no unwind information for the last frame, or the engine failed on it: the fallbacks' turn
  over,       // the walk is over (StackWalk refused a caller, or the engine stopped it): its status says why
};

// An unwinder with unwind tables: libdwfl or libunwind.
class CfiEngine {
 public:
  virtual ~CfiEngine() = default;
  // Walks on from WALK's last frame (frame 0 when WALK is empty, or the frame resume() named),
  // adding each caller to WALK, until one of EngineEnd.
  virtual EngineEnd run(StackWalk& walk) = 0;
  // Whether the step from a callee at LOOKUP_PC is described by this engine's unwind information.
  virtual bool has_cfi(std::uint64_t lookup_pc) = 0;
  // The next run() starts at FRAME (WALK's last, found by a fallback), with the frame pointer FP
  // known; EXACT_SP false when FRAME's sp is only a lower bound. False: the walk is over.
  virtual bool resume(StackWalk& walk, const RawFrame& frame, std::optional<std::uint64_t> fp, bool exact_sp) = 0;
  // How many times a walk may go back from the fallbacks to this engine: each costs a restart.
  virtual std::size_t max_resumes() const = 0;
  // At a stack's end as unwind information says: why it is incomplete nevertheless (a register
  // its CFI needs is unknown), or nullopt.
  virtual std::optional<std::string> incomplete_end(const StackWalk&) { return std::nullopt; }
  // For the fallbacks: the start of the function containing ADDR (symbol tables), and arm's
  // EHABI tables (null: none).
  virtual std::optional<std::uint64_t> function_start(std::uint64_t) { return std::nullopt; }
  virtual const ArmExidx* exidx() const { return nullptr; }
};

// Walks the stack of WALK's thread with ENGINE and the fallbacks, CHECK telling return addresses.
RawStack walk_stack(StackWalk walk, CfiEngine& engine, const CallSiteCheck& check);

}  // namespace corelens
