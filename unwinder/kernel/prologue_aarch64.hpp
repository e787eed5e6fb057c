// arm64: where a function's caller is while its pc is exact (frame 0, or a context an exception
// interrupted), read from the function's own code. Until its prologue has stored the frame record
// and pointed x29 at it, and again once its epilogue has reloaded them, the caller's pc is in x30
// and the caller's frame pointer still in x29; a leaf function never stores a record. GCC's
// arm64 kernel functions begin with optional hints (bti c, paciasp), then `stp x29, x30,
// [sp, #-N]!` or `sub sp, sp, #N; stp x29, x30, [sp, #M]`, then `mov x29, sp` or
// `add x29, sp, #M`, and end with `ldp x29, x30, [sp], #N` (autiasp) `ret`.
#pragma once

#include <cstdint>
#include <span>

namespace corelens {

struct Aarch64FrameAt {
  // true: x29 points at this function's frame record, whose second word is the return address.
  // false: the caller's pc is in x30 and its frame pointer in x29.
  bool record = false;
  std::uint64_t sp_adjust = 0;  // bytes the prologue has taken from sp so far (caller's sp = sp + this)
};

// PROLOGUE holds the function's first bytes from START (192 are enough); PC lies in the function
// (4-byte aligned); BEFORE and AT are the instructions at PC - 4 and PC (the epilogue's end).
Aarch64FrameAt aarch64_frame_at(std::span<const std::uint8_t> prologue, std::uint64_t start, std::uint64_t pc,
                                std::uint32_t before, std::uint32_t at);
inline constexpr std::size_t kAarch64PrologueBytes = 192;

}  // namespace corelens
