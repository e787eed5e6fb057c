#include "parsers/arch_x86_64.hpp"

#include <array>
#include <cstring>

#include "parsers/arch_layout.hpp"

namespace corelens::x86_64 {
namespace {

constexpr std::array<std::string_view, kUserRegsCount> kUserRegs = {
    "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
    "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp",
    "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs"};

constexpr std::array<std::string_view, 8> kSt = {"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"};
constexpr std::array<std::string_view, 16> kXmm = {
    "xmm0", "xmm1", "xmm2",  "xmm3",  "xmm4",  "xmm5",  "xmm6",  "xmm7",
    "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"};
constexpr std::array<std::string_view, 16> kYmm = {
    "ymm0", "ymm1", "ymm2",  "ymm3",  "ymm4",  "ymm5",  "ymm6",  "ymm7",
    "ymm8", "ymm9", "ymm10", "ymm11", "ymm12", "ymm13", "ymm14", "ymm15"};

constexpr auto kUserRegSlots = consecutive_registers(kUserRegs, 8);
constexpr PrStatusLayout kLayout{Arch::x86_64, kPrStatusSize, kPrRegOffset, kUserRegSlots};

std::vector<std::uint8_t> copy_bytes(const ByteReader& r, std::uint64_t offset, std::uint64_t size) {
  auto s = r.span(offset, size);
  if (!s) return {};
  std::vector<std::uint8_t> out(size);
  std::memcpy(out.data(), s->data(), size);
  return out;
}

void set_wide(Thread& thread, std::string_view name, std::vector<std::uint8_t> bytes) {
  for (auto& w : thread.registers.wide) {
    if (w.name == name) {
      w.bytes = std::move(bytes);
      return;
    }
  }
  thread.registers.wide.push_back(WideRegister{name, std::move(bytes)});
}

}  // namespace

std::span<const std::string_view> user_regs_names() { return kUserRegs; }

void decode_user_regs(const ByteReader& prstatus, Thread& thread) {
  decode_prstatus_registers(kLayout, prstatus, thread);
}

void decode_fxsave(const ByteReader& fx, Thread& thread) {
  if (fx.size() < kFxsaveSize) return;
  // FXSAVE layout (Intel SDM vol. 1, 10.5.1): fcw@0 fsw@2 ftw@4 fop@6 fip@8 fdp@16 mxcsr@24,
  // st0-7 at 32 (16-byte slots, 10 bytes used), xmm0-15 at 160.
  auto add_ctrl = [&](std::string_view name, std::uint64_t offset, std::uint64_t size) {
    set_wide(thread, name, copy_bytes(fx, offset, size));
  };
  add_ctrl("fcw", 0, 2);
  add_ctrl("fsw", 2, 2);
  add_ctrl("ftw", 4, 1);
  add_ctrl("fop", 6, 2);
  add_ctrl("fip", 8, 8);
  add_ctrl("fdp", 16, 8);
  add_ctrl("mxcsr", 24, 4);
  for (std::size_t i = 0; i < kSt.size(); ++i) set_wide(thread, kSt[i], copy_bytes(fx, 32 + i * 16, 10));
  for (std::size_t i = 0; i < kXmm.size(); ++i) set_wide(thread, kXmm[i], copy_bytes(fx, 160 + i * 16, 16));
  thread.has_fpregs = true;
}

void decode_xsave(const ByteReader& xs, Thread& thread) {
  if (xs.size() < kFxsaveSize + 64) return;
  if (!thread.has_fpregs) decode_fxsave(xs, thread);
  // XSAVE header at 512: XSTATE_BV says which components hold live state. Bit 2 = AVX, whose
  // upper 128 bits of ymm0-15 sit at offset 576 in the standard (non-compacted) format that
  // core dumps use.
  auto xstate_bv = xs.u64(512);
  if (!xstate_bv || (*xstate_bv & 0x4) == 0) return;
  if (!xs.has(576, 256)) return;
  for (std::size_t i = 0; i < kYmm.size(); ++i) {
    std::vector<std::uint8_t> full = copy_bytes(xs, 160 + i * 16, 16);
    std::vector<std::uint8_t> upper = copy_bytes(xs, 576 + i * 16, 16);
    full.insert(full.end(), upper.begin(), upper.end());
    set_wide(thread, kYmm[i], std::move(full));
  }
}

}  // namespace corelens::x86_64

namespace corelens {
const PrStatusLayout& prstatus_layout_x86_64() { return x86_64::kLayout; }
}  // namespace corelens
