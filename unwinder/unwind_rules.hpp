// The rules every unwinding backend shares, so that libdwfl and libunwind stop for the same
// reasons and fall back the same way (Breakpad's Stackwalker::Walk: one order of strategies, one
// set of stop rules):
//   - a caller must be further up the stack than its callee, and its pc must be executable;
//   - where no unwind information describes a frame, its caller comes from the frame-pointer
//     chain, then from a scan of the stack, each accepting only a return address just after a
//     call instruction (CallSiteCheck);
//   - a frame whose pc is in no executable mapping (a call through a null or wild pointer) ran
//     no instruction: its caller's return address is where the call left it: the word at [sp] on
//     x86, the link register elsewhere.
//
// Per architecture (a frame chain only where the ABI keeps one at a fixed place):
//   x86_64, i386  [fp] = caller's fp, [fp + word] = return address;
//   aarch64       the frame record at x29: [x29] = caller's x29, [x29 + 8] = return address;
//   ppc64le       the back chain: [r1] = caller's r1, the return address at [caller r1 + 16];
//   arm           no chain (Thumb-2's r7 points at no fixed place), but the EHABI unwind tables
//                 (.ARM.exidx) that arm code has instead of DWARF CFI: trusted like CFI;
//   s390x         no chain (none without -mbackchain): scan only.
// A frame chain is not followed where a return address lies on the stack between sp and the
// chain's return-address slot: the record then belongs to a function further up (code without
// frame pointers leaves the register holding some caller's), and following it would skip frames.
// On architectures with a link register, frame 0 may be a leaf that never saved it: its caller is
// the link register, when the call before that address calls the function frame 0 is in.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "unwinder/arm_exidx.hpp"
#include "unwinder/call_site_check.hpp"
#include "unwinder/raw_stack.hpp"
#include "unwinder/target.hpp"

namespace corelens {

// Why CALLER may not follow CALLEE on a stack, or nullopt when it may.
std::optional<std::string> caller_rejected(const Target& target, const RawFrame& callee, const RawFrame& caller);

// Whether CALLEE is frame 0 stopped at a pc no mapping executes (pc 0, a wild jump): no code of
// its own ran, so neither CFI nor the frame pointer describes it.
bool is_bad_pc_frame(const Target& target, const RawFrame& callee, bool is_first_frame);

// What the fallback knows of the callee's registers besides pc and sp.
struct FallbackRegisters {
  std::optional<std::uint64_t> fp;  // the frame-pointer register, when the architecture has one
  // The link register, only for frame 0 (or a frame interrupted by a signal): in any other
  // frame its value is whatever the last call left there.
  std::optional<std::uint64_t> lr;
  // The start of the function containing an address, from the symbol tables (null: unknown).
  std::function<std::optional<std::uint64_t>(std::uint64_t)> function_start;
  // arm: every register known in the callee (by the parsers' names), and the EHABI tables.
  std::vector<Register> known;
  const ArmExidx* exidx = nullptr;
};

struct FallbackResult {
  std::optional<RawFrame> caller;
  std::optional<std::uint64_t> caller_fp;  // the caller's frame pointer, when known
  // False when the caller's sp is only a lower bound (an aarch64 frame record, a leaf's link
  // register): unwind information applied to it must be checked (its caller must be a return
  // address).
  bool exact_sp = true;
  bool outermost = false;  // the unwind tables say CALLEE is the outermost frame (EXIDX_CANTUNWIND)
};

// What a fallback looks at: the walk's last frame (CALLEE) and what is known there. BAD_PC: see
// is_bad_pc_frame.
struct FallbackInput {
  const Target& target;
  const CallSiteCheck& check;
  const RawFrame& callee;
  const FallbackRegisters& regs;
  bool bad_pc = false;
};

// One fallback, a strategy of the user walk (caller_strategy.hpp): which origin its callers have,
// how far they are trusted (scan instead where a return address could not be checked:
// RawFrame::unverified), and how it finds one (nothing: the next fallback's turn).
struct Fallback {
  FrameOrigin origin;
  FrameTrust trust;
  FallbackResult (*find)(const FallbackInput&);
};
// The fallbacks in their order: the call site (a bad pc), ARM EXIDX, arm's prologue, the link
// register, the frame pointer (ppc64's back chain), the scan.
std::span<const Fallback> fallbacks();

// Sets FRAME's origin and trust from the strategy that found it: the one place a caller gets them.
void stamp_caller(RawFrame& frame, FrameOrigin origin, FrameTrust trust);

// The caller of CALLEE when DWARF unwind information gave none: the first the fallbacks find. BAD_PC: CALLEE is a bad-pc frame
// (see is_bad_pc_frame): the caller is the return address the call left, trusted like CFI, since
// that is what the call instruction itself did.
FallbackResult recover_caller(const Target& target, const CallSiteCheck& check, const RawFrame& callee,
                              const FallbackRegisters& registers, bool bad_pc);

// Whether a walk that has FRAMES frames should ask LIMITS.keep_going now (every few thousand
// frames: the question may take a lock in a front end).
bool time_to_ask_keep_going(std::size_t frames);

}  // namespace corelens
