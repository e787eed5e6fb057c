#include "unwinder/stack_walk.hpp"

#include "core/model/strings.hpp"
#include "unwinder/arch_registers.hpp"
#include "unwinder/unwind_rules.hpp"

namespace corelens {

StackWalk::StackWalk(const Target& target, std::size_t thread_index, const UnwindLimits& limits, std::string unwinder)
    : target_(target), thread_index_(thread_index), budget_{limits.max_frames, limits.keep_going} {
  stack_.unwinder = std::move(unwinder);
}

bool StackWalk::add_first(RawFrame frame) {
  stack_.frames.push_back(std::move(frame));
  return after_add();
}

bool UserStackRule::refuses(std::optional<std::uint64_t> callee_sp, std::optional<std::uint64_t> caller_sp) const {
  // The stack grows towards the callee, so a caller's sp is above its callee's. It may equal it
  // once: a leaf function that made no stack frame returns to the caller its link register (or
  // the call's return address at [sp]) names, with the sp it had. Twice in a row is no progress,
  // but a loop over frames that a scan or the frame chain keep finding at the same place.
  // (libdwfl's walk allowed the one equal sp and libunwind's none; this is the rule for both.)
  return caller_sp && callee_sp && (*caller_sp < *callee_sp || (*caller_sp == *callee_sp && same_sp_));
}

void UserStackRule::took_recovered(std::optional<std::uint64_t> callee_sp, std::optional<std::uint64_t> caller_sp) {
  same_sp_ = caller_sp && callee_sp && *caller_sp == *callee_sp;
}

bool StackWalk::add_caller(RawFrame caller) {
  if (auto rejected = caller_rejected(target_, last(), caller)) {
    stop(UnwindStatus::stopped(StopReason::rule, *rejected));
    return false;
  }
  rule_.took_cfi_caller();
  stack_.frames.push_back(std::move(caller));
  return after_add();
}

bool StackWalk::add_recovered_caller(RawFrame caller, const std::string& no_caller) {
  const RawFrame& callee = last();
  if (rule_.refuses(callee.sp, caller.sp)) {
    stop(UnwindStatus::stopped(StopReason::no_caller, no_caller));
    return false;
  }
  if (auto rejected = caller_rejected(target_, callee, caller)) {
    stop(UnwindStatus::stopped(StopReason::rule, *rejected));
    return false;
  }
  rule_.took_recovered(callee.sp, caller.sp);
  stack_.frames.push_back(std::move(caller));
  return after_add();
}

bool StackWalk::after_add() {
  // The budget walk_loop checks for the kernel walks; here after every frame, since an engine adds
  // many in one run.
  if (auto end = budget_.spent(stack_.frames.size())) {
    stop(user_budget_status(*end, budget_.max_frames));
    return false;
  }
  return true;
}

RawStack StackWalk::finish() && {
  if (status_) stack_.status = std::move(*status_);
  return std::move(stack_);
}

namespace {

// The fallbacks' view of the walk's last frame: its frame pointer (carried from frame to frame,
// since the fallbacks learn the caller's), the link register (frame 0 only: after a call of its
// own a function finds its own call site there), and for arm every register known there.
class FallbackView {
 public:
  FallbackView(const StackWalk& walk, CfiEngine& engine) : walk_(walk) {
    const Arch arch = walk.target().arch();
    const RegisterSet& initial = walk.target().initial_registers(walk.thread_index());
    const UnwindArch* facts = unwind_arch(arch);
    if (facts != nullptr && facts->fp_regno) fp_name_ = dwarf_register_name(arch, *facts->fp_regno);
    if (!fp_name_.empty()) fp_ = initial.get(fp_name_);
    regs_.function_start = [&engine](std::uint64_t addr) { return engine.function_start(addr); };
    regs_.exidx = engine.exidx();
  }

  const FallbackRegisters& of_last() {
    const RawFrame& callee = walk_.last();
    const bool first = walk_.size() == 1;
    if (!first && !fp_name_.empty()) {
      for (const auto& r : callee.registers) {
        if (r.name == fp_name_) fp_ = r.value;
      }
    }
    const Arch arch = walk_.target().arch();
    const RegisterSet& initial = walk_.target().initial_registers(walk_.thread_index());
    regs_.fp = fp_;
    regs_.lr.reset();
    if (first && !link_register(arch).empty()) regs_.lr = initial.get(link_register(arch));
    regs_.known = first ? initial.general : callee.registers;
    return regs_;
  }
  void set_fp(std::optional<std::uint64_t> fp) { fp_ = fp; }
  std::optional<std::uint64_t> fp() const { return fp_; }

 private:
  const StackWalk& walk_;
  std::string_view fp_name_;
  std::optional<std::uint64_t> fp_;
  FallbackRegisters regs_;
};

void end_as_outermost(StackWalk& walk, CfiEngine& engine) {
  if (auto why = engine.incomplete_end(walk)) walk.stop(UnwindStatus::stopped(StopReason::missing_registers, *why));
  else walk.complete();
}

}  // namespace

RawStack walk_stack(StackWalk walk, CfiEngine& engine, const CallSiteCheck& check) {
  FallbackView fallback(walk, engine);
  std::size_t resumes = 0;
  while (!walk.over()) {
    EngineEnd end = engine.run(walk);
    if (end == EngineEnd::outermost) {
      end_as_outermost(walk, engine);
      break;
    }
    if (end == EngineEnd::over || walk.over() || walk.empty()) break;
    // The fallbacks, while the callers they find have no CFI either; then the engine again.
    bool resumed = false;
    while (!walk.over()) {
      const RawFrame& callee = walk.last();
      const FallbackRegisters& regs = fallback.of_last();
      const bool bad_pc = is_bad_pc_frame(walk.target(), callee, walk.size() == 1);
      FallbackResult found = recover_caller(walk.target(), check, callee, regs, bad_pc);
      if (found.outermost) {  // the unwind tables end the stack here
        end_as_outermost(walk, engine);
        break;
      }
      const std::string no_caller = std::string(bad_pc ? "no code at " : "no unwind information at ") + hex(callee.pc) +
                                    ", and no caller found by the fallbacks";
      if (!found.caller) {
        walk.stop(UnwindStatus::stopped(StopReason::no_caller, no_caller));
        break;
      }
      if (!walk.add_recovered_caller(*found.caller, no_caller)) break;
      fallback.set_fp(found.caller_fp);
      const RawFrame& caller = walk.last();
      if (!engine.has_cfi(caller.pc - 1)) continue;
      if (resumes++ >= engine.max_resumes()) {
        walk.stop(UnwindStatus::stopped(StopReason::unwinder_error, "stopped after " + std::to_string(engine.max_resumes()) +
                                                                        " changes between unwinding methods"));
        break;
      }
      resumed = engine.resume(walk, caller, fallback.fp(), found.exact_sp);
      break;
    }
    if (!resumed) break;
  }
  return std::move(walk).finish();
}

}  // namespace corelens
