#include "unwinder/unwind_rules.hpp"

#include "core/strings.hpp"

namespace corelens {

std::optional<std::string> caller_rejected(const Target& target, const RawFrame& callee, const RawFrame& caller) {
  if (caller.sp && callee.sp) {
    if (*caller.sp == *callee.sp && caller.pc == callee.pc) {
      return "the unwinder is not making progress (same pc and stack pointer)";
    }
    // A signal frame's interrupted context may lie anywhere (sigaltstack); every other caller
    // is above its callee.
    if (*caller.sp < *callee.sp && !caller.is_activation) return "the stack pointer went backwards at " + hex(caller.pc);
  }
  if (caller.pc == 0) return "reached a zero return address";
  // A return address points just after a call, so the call itself (pc - 1) must be code.
  std::uint64_t code = caller.is_activation ? caller.pc : caller.pc - 1;
  if (!target.is_executable(code)) return "the return address " + hex(caller.pc) + " is not in executable memory";
  return std::nullopt;
}

bool is_bad_pc_frame(const Target& target, const RawFrame& callee, bool is_first_frame) {
  return is_first_frame && callee.sp && !target.is_executable(callee.pc);
}

std::optional<RawFrame> recover_caller(const Target& target, const CallSiteCheck& check, const RawFrame& callee,
                                       std::optional<std::uint64_t> callee_fp, bool bad_pc,
                                       std::optional<std::uint64_t>* caller_fp) {
  if (!callee.sp) return std::nullopt;
  std::uint64_t sp = *callee.sp;
  auto read_word = [&](std::uint64_t addr) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    if (!target.read_memory(addr, std::as_writable_bytes(std::span(&v, 1)))) return std::nullopt;
    return v;
  };
  auto is_return_address = [&](std::uint64_t addr) { return check.is_return_address(target, addr); };
  // 0. A call through a bad pointer faults before the target's first instruction: the return
  //    address is at [sp], as the CIE's initial rule for x86_64 says (CFA = rsp + 8, return
  //    address at CFA - 8). The frame pointer still belongs to the caller, so it must not be
  //    followed: that would skip the caller.
  if (bad_pc) {
    auto ret = read_word(sp);
    if (ret && is_return_address(*ret)) {
      RawFrame f;
      f.pc = *ret;
      f.sp = sp + 8;
      f.trust = FrameTrust::cfi;
      *caller_fp = callee_fp;
      return f;
    }
  }
  // 1. The frame-pointer chain: [fp] is the caller's fp, [fp + 8] the return address.
  constexpr std::uint64_t kMaxFrameSize = 1u << 20;
  if (callee_fp && *callee_fp >= sp && *callee_fp - sp < kMaxFrameSize && (*callee_fp & 7) == 0) {
    auto ret = read_word(*callee_fp + 8);
    auto next_fp = read_word(*callee_fp);
    if (ret && next_fp && is_return_address(*ret)) {
      RawFrame f;
      f.pc = *ret;
      f.sp = *callee_fp + 16;
      f.trust = FrameTrust::frame_pointer;
      *caller_fp = *next_fp;
      return f;
    }
  }
  // 2. A scan of the stack above sp for a word that is a return address.
  constexpr std::uint64_t kScanWords = 4096;
  for (std::uint64_t i = 0; i < kScanWords; ++i) {
    std::uint64_t addr = sp + i * 8;
    auto word = read_word(addr);
    if (!word) break;  // the end of the saved stack
    if (*word == callee.pc || !is_return_address(*word)) continue;
    RawFrame f;
    f.pc = *word;
    f.sp = addr + 8;
    f.trust = FrameTrust::scan;
    *caller_fp = callee_fp;  // unknown; the callee, having no frame pointer, likely kept the caller's
    return f;
  }
  return std::nullopt;
}

std::string frame_limit_reason(std::size_t max_frames) {
  return "stopped at the frame limit of " + std::to_string(max_frames);
}

bool time_to_ask_keep_going(std::size_t frames) {
  constexpr std::size_t kCancelCheckEvery = 4096;
  return frames % kCancelCheckEvery == 0;
}

}  // namespace corelens
