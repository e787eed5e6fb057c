#include "core/analysis/instruction_facts.hpp"

#include <capstone/capstone.h>

#include <algorithm>
#include <cstring>

namespace corelens {
namespace {

// DWARF register numbers (the psABIs' tables) of the registers the checks compare.
std::int16_t x86_64_number(unsigned reg) {
  switch (reg) {
    case X86_REG_INVALID: return kNoRegister;
    case X86_REG_RAX: return 0;
    case X86_REG_RDX: return 1;
    case X86_REG_RCX: return 2;
    case X86_REG_RBX: return 3;
    case X86_REG_RSI: return 4;
    case X86_REG_RDI: return 5;
    case X86_REG_RBP: return 6;
    case X86_REG_RSP: return 7;
    case X86_REG_R8: return 8;
    case X86_REG_R9: return 9;
    case X86_REG_R10: return 10;
    case X86_REG_R11: return 11;
    case X86_REG_R12: return 12;
    case X86_REG_R13: return 13;
    case X86_REG_R14: return 14;
    case X86_REG_R15: return 15;
    case X86_REG_RIP: return 16;
    default: return kUnnumberedRegister;
  }
}

std::int16_t i386_number(unsigned reg) {
  switch (reg) {
    case X86_REG_INVALID: return kNoRegister;
    case X86_REG_EAX: return 0;
    case X86_REG_ECX: return 1;
    case X86_REG_EDX: return 2;
    case X86_REG_EBX: return 3;
    case X86_REG_ESP: return 4;
    case X86_REG_EBP: return 5;
    case X86_REG_ESI: return 6;
    case X86_REG_EDI: return 7;
    case X86_REG_EIP: return 8;
    default: return kUnnumberedRegister;
  }
}

std::int16_t arm_number(unsigned reg) {
  if (reg == ARM_REG_INVALID) return kNoRegister;
  if (reg >= ARM_REG_R0 && reg <= ARM_REG_R12) return static_cast<std::int16_t>(reg - ARM_REG_R0);
  if (reg == ARM_REG_SP) return 13;
  if (reg == ARM_REG_LR) return 14;
  if (reg == ARM_REG_PC) return 15;
  return kUnnumberedRegister;
}

std::int16_t arm64_number(unsigned reg) {
  if (reg == ARM64_REG_INVALID) return kNoRegister;
  if (reg >= ARM64_REG_X0 && reg <= ARM64_REG_X28) return static_cast<std::int16_t>(reg - ARM64_REG_X0);
  if (reg == ARM64_REG_X29) return 29;
  if (reg == ARM64_REG_X30) return 30;
  if (reg == ARM64_REG_SP) return 31;
  return kUnnumberedRegister;
}

std::int16_t number(Arch arch, unsigned reg) {
  switch (arch) {
    case Arch::x86_64: return x86_64_number(reg);
    case Arch::i386: return i386_number(reg);
    case Arch::arm: return arm_number(reg);
    case Arch::aarch64: return arm64_number(reg);
    case Arch::ppc64le: case Arch::s390x: case Arch::unknown: break;
  }
  return reg == 0 ? kNoRegister : kUnnumberedRegister;
}

std::int16_t stack_pointer(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return 7;
    case Arch::i386: return 4;
    case Arch::arm: return 13;
    case Arch::aarch64: return 31;
    case Arch::ppc64le: case Arch::s390x: case Arch::unknown: break;
  }
  return kNoRegister;
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

InstructionFacts::Kind kind(Arch arch, const cs_insn& insn, bool call) {
  using K = InstructionFacts::Kind;
  if (arch == Arch::x86_64 || arch == Arch::i386) {
    switch (insn.id) {  // by id: lcall and the like are calls to a check, not to a prologue reader
      case X86_INS_CALL: return K::call;
      case X86_INS_PUSH: return K::push;
      case X86_INS_PUSHFQ: case X86_INS_PUSHFD: return K::push_flags;
      case X86_INS_POP: return K::pop;
      case X86_INS_POPFQ: case X86_INS_POPFD: return K::pop_flags;
      case X86_INS_SUB: return K::sub;
      case X86_INS_ADD: return K::add;
      case X86_INS_LEA: return K::lea;
      case X86_INS_RET: return K::ret;
      case X86_INS_JMP: return K::jump;
      default: return K::other;
    }
  }
  if (call) return K::call;
  if (arch == Arch::arm) {
    switch (insn.id) {
      case ARM_INS_PUSH: return K::push;
      case ARM_INS_STMDB: return K::push_multiple;
      case ARM_INS_VPUSH: return K::push_vector;
      case ARM_INS_POP: return K::pop;
      case ARM_INS_SUB: return K::sub;
      case ARM_INS_ADD: return K::add;
      default: return K::other;
    }
  }
  return K::other;
}

// One operand from an architecture's detail: every architecture names a register, an immediate
// and a memory operand (REG, IMM, MEM are its constants for them), with the same member names;
// ppc and s390x have no access bits, ppc's memory operands no index register.
template <class Op>
InstructionOperand operand_from(Arch arch, const Op& op, int reg_type, int imm_type, int mem_type) {
  using T = InstructionOperand::Type;
  InstructionOperand o;
  if constexpr (requires { op.access; }) o.written = (op.access & CS_AC_WRITE) != 0;
  const int type = static_cast<int>(op.type);
  if (type == reg_type) {
    o = {T::reg, o.written, number(arch, op.reg), 0, kNoRegister, kNoRegister, 0};
  } else if (type == imm_type) {
    o = {T::imm, o.written, kNoRegister, op.imm, kNoRegister, kNoRegister, 0};
  } else if (type == mem_type) {
    std::int16_t index = kNoRegister;
    if constexpr (requires { op.mem.index; }) index = number(arch, op.mem.index);
    o = {T::mem, o.written, kNoRegister, 0, number(arch, op.mem.base), index, op.mem.disp};
  }
  return o;
}

// The operands, per architecture's detail layout; an operand kind no check reads is Type::none.
void operands(Arch arch, const cs_insn& insn, InstructionFacts& out) {
  const cs_detail& d = *insn.detail;
  auto keep = [&](std::size_t count, const auto* ops, int reg_type, int imm_type, int mem_type) {
    out.operand_count = static_cast<std::uint8_t>(count);
    for (std::size_t k = 0; k < std::min(count, InstructionFacts::kMaxOperands); ++k) {
      out.operands[k] = operand_from(arch, ops[k], reg_type, imm_type, mem_type);
    }
  };
  switch (arch) {
    case Arch::x86_64: case Arch::i386:
      keep(d.x86.op_count, d.x86.operands, X86_OP_REG, X86_OP_IMM, X86_OP_MEM);
      break;
    case Arch::arm:
      keep(d.arm.op_count, d.arm.operands, ARM_OP_REG, ARM_OP_IMM, ARM_OP_MEM);
      out.writeback = d.arm.writeback;
      break;
    case Arch::aarch64:
      keep(d.arm64.op_count, d.arm64.operands, ARM64_OP_REG, ARM64_OP_IMM, ARM64_OP_MEM);
      out.writeback = d.arm64.writeback;
      break;
    case Arch::ppc64le:
      keep(d.ppc.op_count, d.ppc.operands, PPC_OP_REG, PPC_OP_IMM, PPC_OP_MEM);
      break;
    case Arch::s390x:
      keep(d.sysz.op_count, d.sysz.operands, SYSZ_OP_REG, SYSZ_OP_IMM, SYSZ_OP_MEM);
      break;
    case Arch::unknown: break;
  }
}

// The destination of a direct call, from its immediate operand.
std::optional<std::uint64_t> direct_target(Arch arch, const cs_insn& insn, const InstructionFacts& f) {
  if (!f.is_call) return std::nullopt;
  const bool one_imm = f.operand_count == 1 && f.operands[0].type == InstructionOperand::Type::imm;
  switch (arch) {
    case Arch::x86_64: case Arch::i386: case Arch::aarch64:
      if (one_imm) return static_cast<std::uint64_t>(f.operands[0].imm);
      break;
    case Arch::arm:
      if (one_imm) return static_cast<std::uint32_t>(f.operands[0].imm);  // a 32-bit address space
      break;
    case Arch::ppc64le:
      if (insn.id == PPC_INS_BL && one_imm) return static_cast<std::uint64_t>(f.operands[0].imm);
      break;
    case Arch::s390x:
      // brasl/bras name the link register first; basr branches to a register.
      if (insn.id != SYSZ_INS_BASR && f.operand_count == 2 && f.operands[1].type == InstructionOperand::Type::imm) {
        return static_cast<std::uint64_t>(f.operands[1].imm);
      }
      break;
    case Arch::unknown: break;
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<InstructionDecoder> InstructionDecoder::open(Arch arch, bool thumb) {
  cs_arch cs = CS_ARCH_X86;
  int mode = 0;
  switch (arch) {
    case Arch::x86_64: cs = CS_ARCH_X86; mode = CS_MODE_64; break;
    case Arch::i386: cs = CS_ARCH_X86; mode = CS_MODE_32; break;
    case Arch::aarch64: cs = CS_ARCH_ARM64; mode = CS_MODE_ARM; break;
    case Arch::arm: cs = CS_ARCH_ARM; mode = thumb ? CS_MODE_THUMB : CS_MODE_ARM; break;
    case Arch::ppc64le: cs = CS_ARCH_PPC; mode = CS_MODE_64 | CS_MODE_LITTLE_ENDIAN; break;
    case Arch::s390x: cs = CS_ARCH_SYSZ; mode = CS_MODE_BIG_ENDIAN; break;
    case Arch::unknown: return nullptr;
  }
  csh h = 0;
  if (cs_open(cs, static_cast<cs_mode>(mode), &h) != CS_ERR_OK) return nullptr;
  cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);  // operands, register writes and groups
  return std::unique_ptr<InstructionDecoder>(new InstructionDecoder(arch, h));
}

InstructionDecoder::~InstructionDecoder() {
  csh h = handle_;
  cs_close(&h);
}

std::optional<InstructionFacts> InstructionDecoder::decode(std::span<const std::uint8_t> code, std::uint64_t address) const {
  const csh h = handle_;
  cs_insn* insn = nullptr;
  const std::size_t n = cs_disasm(h, code.data(), code.size(), address, 1, &insn);
  if (n == 0) return std::nullopt;
  const cs_insn& i = insn[0];
  InstructionFacts f;
  f.address = i.address;
  f.length = i.size;
  f.is_call = is_call(arch_, i);
  f.kind = kind(arch_, i, f.is_call);
  if (i.detail != nullptr) {
    operands(arch_, i, f);
    f.branches = f.is_call || cs_insn_group(h, &i, CS_GRP_JUMP) || cs_insn_group(h, &i, CS_GRP_CALL);
    const std::int16_t sp = stack_pointer(arch_);
    for (std::uint8_t k = 0; k < i.detail->regs_write_count && sp != kNoRegister; ++k) {
      if (number(arch_, i.detail->regs_write[k]) == sp) f.writes_stack_pointer = true;
    }
    if (f.operand_count > 0 && f.operands[0].type == InstructionOperand::Type::reg && f.operands[0].reg == sp &&
        f.operands[0].written) {
      f.writes_stack_pointer = true;
    }
    f.direct_target = direct_target(arch_, i, f);
  }
  cs_free(insn, n);
  return f;
}

}  // namespace corelens
