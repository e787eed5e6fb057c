// The rules every unwinding backend shares, so that libdwfl and libunwind stop for the same
// reasons and fall back the same way (Breakpad's Stackwalker::Walk: one order of strategies, one
// set of stop rules):
//   - a caller must be further up the stack than its callee, and its pc must be executable;
//   - where no unwind information describes a frame, its caller comes from the frame-pointer
//     chain, then from a scan of the stack, each accepting only a return address just after a
//     call instruction (CallSiteCheck);
//   - a frame whose pc is in no executable mapping (a call through a null or wild pointer) ran
//     no instruction: its caller's return address is the word the call pushed, at [sp].
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "unwinder/call_site_check.hpp"
#include "unwinder/raw_stack.hpp"
#include "unwinder/target.hpp"

namespace corelens {

// Why CALLER may not follow CALLEE on a stack, or nullopt when it may.
std::optional<std::string> caller_rejected(const Target& target, const RawFrame& callee, const RawFrame& caller);

// Whether CALLEE is frame 0 stopped at a pc no mapping executes (pc 0, a wild jump): no code of
// its own ran, so neither CFI nor the frame pointer describes it.
bool is_bad_pc_frame(const Target& target, const RawFrame& callee, bool is_first_frame);

// The caller of CALLEE when unwind information gave none. CALLEE_FP is the frame-pointer register
// in CALLEE when known; *CALLER_FP receives the caller's. BAD_PC: CALLEE is a bad-pc frame (see
// is_bad_pc_frame): the caller is the return address at [sp], trusted like CFI, since that is
// what the call instruction itself did.
std::optional<RawFrame> recover_caller(const Target& target, const CallSiteCheck& check, const RawFrame& callee,
                                       std::optional<std::uint64_t> callee_fp, bool bad_pc,
                                       std::optional<std::uint64_t>* caller_fp);

// "stopped at the frame limit of N".
std::string frame_limit_reason(std::size_t max_frames);
// Whether a walk that has FRAMES frames should ask LIMITS.keep_going now (every few thousand
// frames: the question may take a lock in a front end).
bool time_to_ask_keep_going(std::size_t frames);

}  // namespace corelens
