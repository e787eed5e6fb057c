#include "unwinder/call_site_check.hpp"

#include <capstone/capstone.h>

#include <array>
#include <cstring>
#include <span>

namespace corelens {
namespace {

// The lengths a call instruction may have, shortest first, for each architecture.
struct CallShape {
  std::size_t min = 0, max = 0, step = 1;
};

CallShape shape(Arch arch, bool thumb) {
  switch (arch) {
    case Arch::x86_64: return {2, 8, 1};  // call *%rax .. REX + call *disp32(%r12,...)
    case Arch::i386: return {2, 7, 1};
    case Arch::aarch64: case Arch::ppc64le: return {4, 4, 4};
    case Arch::arm: return thumb ? CallShape{2, 4, 2} : CallShape{4, 4, 4};
    case Arch::s390x: return {2, 6, 2};
    case Arch::unknown: break;
  }
  return {};
}

bool is_call(Arch arch, const cs_insn& insn) {
  switch (arch) {
    case Arch::x86_64: case Arch::i386: return std::strncmp(insn.mnemonic, "call", 4) == 0;
    case Arch::aarch64: return insn.id == ARM64_INS_BL || insn.id == ARM64_INS_BLR;
    case Arch::arm: return insn.id == ARM_INS_BL || insn.id == ARM_INS_BLX;
    case Arch::ppc64le:
      return insn.id == PPC_INS_BL || insn.id == PPC_INS_BLA || insn.id == PPC_INS_BCTRL || insn.id == PPC_INS_BLRL;
    case Arch::s390x: return insn.id == SYSZ_INS_BRASL || insn.id == SYSZ_INS_BRAS || insn.id == SYSZ_INS_BASR;
    case Arch::unknown: break;
  }
  return false;
}

// The destination of a direct call, from its immediate operand.
std::optional<std::uint64_t> direct_target(Arch arch, const cs_insn& insn) {
  if (insn.detail == nullptr) return std::nullopt;
  switch (arch) {
    case Arch::x86_64: case Arch::i386:
      if (insn.detail->x86.op_count == 1 && insn.detail->x86.operands[0].type == X86_OP_IMM) {
        return static_cast<std::uint64_t>(insn.detail->x86.operands[0].imm);
      }
      break;
    case Arch::aarch64:
      if (insn.detail->arm64.op_count == 1 && insn.detail->arm64.operands[0].type == ARM64_OP_IMM) {
        return static_cast<std::uint64_t>(insn.detail->arm64.operands[0].imm);
      }
      break;
    case Arch::arm:
      if (insn.detail->arm.op_count == 1 && insn.detail->arm.operands[0].type == ARM_OP_IMM) {
        return static_cast<std::uint32_t>(insn.detail->arm.operands[0].imm);
      }
      break;
    case Arch::ppc64le:
      if (insn.id == PPC_INS_BL && insn.detail->ppc.op_count == 1 && insn.detail->ppc.operands[0].type == PPC_OP_IMM) {
        return static_cast<std::uint64_t>(insn.detail->ppc.operands[0].imm);
      }
      break;
    case Arch::s390x:
      if (insn.id != SYSZ_INS_BASR && insn.detail->sysz.op_count == 2 && insn.detail->sysz.operands[1].type == SYSZ_OP_IMM) {
        return static_cast<std::uint64_t>(insn.detail->sysz.operands[1].imm);
      }
      break;
    case Arch::unknown: break;
  }
  return std::nullopt;
}

csh open_handle(Arch arch, bool thumb) {
  cs_arch cs = CS_ARCH_X86;
  int mode = 0;
  switch (arch) {
    case Arch::x86_64: cs = CS_ARCH_X86; mode = CS_MODE_64; break;
    case Arch::i386: cs = CS_ARCH_X86; mode = CS_MODE_32; break;
    case Arch::aarch64: cs = CS_ARCH_ARM64; mode = CS_MODE_ARM; break;
    case Arch::arm: cs = CS_ARCH_ARM; mode = thumb ? CS_MODE_THUMB : CS_MODE_ARM; break;
    case Arch::ppc64le: cs = CS_ARCH_PPC; mode = CS_MODE_64 | CS_MODE_LITTLE_ENDIAN; break;
    case Arch::s390x: cs = CS_ARCH_SYSZ; mode = CS_MODE_BIG_ENDIAN; break;
    case Arch::unknown: return 0;
  }
  csh h = 0;
  if (cs_open(cs, static_cast<cs_mode>(mode), &h) != CS_ERR_OK) return 0;
  cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);  // for direct calls' targets
  return h;
}

}  // namespace

CallSiteCheck::CallSiteCheck(Arch arch) : arch_(arch) {
  handles_[0] = open_handle(arch, false);
  if (arch == Arch::arm) handles_[1] = open_handle(arch, true);
}

CallSiteCheck::~CallSiteCheck() {
  for (std::size_t& handle : handles_) {
    if (handle != 0) {
      csh h = handle;
      cs_close(&h);
    }
  }
}

std::optional<CallSiteCheck::CallSite> CallSiteCheck::decode_call(const Target& target, std::uint64_t ret,
                                                                  std::size_t handle_index) const {
  const bool thumb = handle_index == 1;
  const CallShape s = shape(arch_, thumb);
  constexpr std::size_t kMaxCall = 8;
  if (s.max == 0 || ret < s.max || !target.is_executable(ret - 1)) return std::nullopt;
  std::array<std::uint8_t, kMaxCall> bytes{};
  std::span<std::uint8_t> window(bytes.data() + (kMaxCall - s.max), s.max);
  if (!target.read_code(ret - s.max, std::as_writable_bytes(window))) return std::nullopt;
  for (std::size_t size = s.min; size <= s.max; size += s.step) {
    cs_insn* insn = nullptr;
    std::size_t n = cs_disasm(handles_[handle_index], bytes.data() + (kMaxCall - size), size, ret - size, 1, &insn);
    std::optional<CallSite> site;
    if (n == 1 && insn[0].size == size && is_call(arch_, insn[0])) site = CallSite{ret - size, direct_target(arch_, insn[0])};
    if (n > 0) cs_free(insn, n);
    if (site) return site;
  }
  return std::nullopt;
}

std::optional<CallSiteCheck::CallSite> CallSiteCheck::call_before(const Target& target, std::uint64_t addr) const {
  if (arch_ == Arch::arm && (addr & 1) != 0) {
    // A Thumb return address: the call (a 4-byte bl/blx, or a 2-byte blx rN) ends at addr - 1.
    if (handles_[1] == 0) return std::nullopt;
    return decode_call(target, addr & ~std::uint64_t{1}, 1);
  }
  if (handles_[0] == 0) {
    // No decoder for this architecture: executable is all we know.
    if (addr == 0 || !target.is_executable(addr - 1)) return std::nullopt;
    return CallSite{addr - 1, std::nullopt};
  }
  if ((arch_ == Arch::aarch64 || arch_ == Arch::ppc64le || arch_ == Arch::arm) && (addr & 3) != 0) return std::nullopt;
  if (arch_ == Arch::s390x && (addr & 1) != 0) return std::nullopt;
  return decode_call(target, addr, 0);
}

bool CallSiteCheck::is_return_address(const Target& target, std::uint64_t addr) const {
  return call_before(target, addr).has_value() || is_signal_trampoline(target, addr);
}

bool CallSiteCheck::is_signal_trampoline(const Target& target, std::uint64_t addr) const {
  // A signal handler returns into the sigreturn trampoline the kernel set up (glibc's
  // __restore_rt: mov $15, %rax; syscall), which no call precedes. x86_64 only: the code is
  // glibc's and the ABI's, the same in every release.
  static constexpr std::array<std::uint8_t, 9> kRestoreRt{0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};
  if (arch_ != Arch::x86_64 || !target.is_executable(addr)) return false;
  std::array<std::uint8_t, kRestoreRt.size()> bytes{};
  return target.read_code(addr, std::as_writable_bytes(std::span(bytes))) && bytes == kRestoreRt;
}

bool CallSiteCheck::is_unverifiable(const Target& target, std::uint64_t addr) const {
  const std::uint64_t code = code_address(addr);
  if (code == 0 || !target.is_executable(code - 1)) return false;
  std::array<std::byte, 1> byte{};
  return !target.read_code(code - 1, byte);
}

}  // namespace corelens
