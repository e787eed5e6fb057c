#include "unwinder/kernel/prologue_aarch64.hpp"

#include <cstring>

namespace corelens {
namespace {

constexpr std::size_t kPrologueInsns = 48;  // a prologue never starts later than this

std::uint32_t insn_at(std::span<const std::uint8_t> code, std::uint64_t offset) {
  std::uint32_t v = 0;
  std::memcpy(&v, code.data() + offset, 4);
  return v;
}

// stp x29, x30, [sp, #imm]! (pre-index) and [sp, #imm] (signed offset); imm7 in bits 21:15, x8.
bool stp_fp_lr_pre(std::uint32_t i) { return (i & 0xffc07fffu) == 0xa9807bfdu; }
bool stp_fp_lr_offset(std::uint32_t i) { return (i & 0xffc07fffu) == 0xa9007bfdu; }
std::int64_t imm7(std::uint32_t i) {
  std::int64_t v = (i >> 15) & 0x7f;
  return (v >= 64 ? v - 128 : v) * 8;
}
// add x29, sp, #imm12 (mov x29, sp when 0).
bool set_fp(std::uint32_t i) { return (i & 0xffc003ffu) == 0x910003fdu; }
// sub sp, sp, #imm12 {, lsl #12}.
bool sub_sp(std::uint32_t i) { return (i & 0xff8003ffu) == 0xd10003ffu; }
std::uint64_t sub_amount(std::uint32_t i) {
  std::uint64_t v = (i >> 10) & 0xfff;
  return (i >> 22) & 1 ? v << 12 : v;
}
// ldp x29, x30, [sp], #imm (post-index): the epilogue reloads both.
bool ldp_fp_lr_post(std::uint32_t i) { return (i & 0xffc07fffu) == 0xa8c07bfdu; }

}  // namespace

Aarch64FrameAt aarch64_frame_at(std::span<const std::uint8_t> prologue, std::uint64_t start, std::uint64_t pc,
                                std::uint32_t before, std::uint32_t at) {
  Aarch64FrameAt out;
  if (pc < start || (pc - start) % 4 != 0) {
    out.record = true;  // not an instruction of this function: trust the frame record, as the kernel does
    return out;
  }
  const std::uint64_t offset = pc - start;
  // In an epilogue: x29 and x30 reloaded, sp given back.
  if (offset >= 4 && ldp_fp_lr_post(before)) return out;
  (void)at;
  bool stored = false;
  std::uint64_t limit = std::min<std::uint64_t>(prologue.size() / 4, kPrologueInsns);
  for (std::uint64_t k = 0; k < limit; ++k) {
    std::uint32_t i = insn_at(prologue, 4 * k);
    bool before_pc = 4 * k < offset;
    if (stp_fp_lr_pre(i)) {
      stored = true;
      if (before_pc) out.sp_adjust += static_cast<std::uint64_t>(-imm7(i));
    } else if (stp_fp_lr_offset(i)) {
      stored = true;
    } else if (sub_sp(i) && !stored) {
      if (before_pc) out.sp_adjust += sub_amount(i);
    } else if (set_fp(i) && stored) {
      out.record = before_pc;  // x29 moves to the record once this has run
      return out;
    }
  }
  // No frame record set up in the prologue: a leaf function, whose caller stays in x30 and x29.
  return out;
}

}  // namespace corelens
