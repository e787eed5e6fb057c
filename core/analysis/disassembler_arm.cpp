// The 32-bit arm Disassembler (A32 or T32), on Capstone 4. Loads and stores name their access
// and size in the mnemonic (ldr/str with b, h, sb, sh, d; ldm/stm, push/pop with a register list,
// 4 bytes per register); push and pop touch the stack implicitly below or at sp. Register names
// are the parsers' (r0-r12, sp, lr, pc): Capstone's sb, sl, fp, ip are r9-r12.
#include "core/analysis/disassembler_arch.hpp"

namespace corelens {
namespace {

using capstone_util::starts_with;

std::string canonical_arm(std::string name) {
  if (name == "sb") return "r9";
  if (name == "sl") return "r10";
  if (name == "fp") return "r11";
  if (name == "ip") return "r12";
  return name;
}

class CapstoneArm final : public Disassembler {
 public:
  CapstoneArm(capstone_util::Handle h, bool thumb) : h_(std::move(h)), thumb_(thumb) {}
  std::string stack_pointer() const override { return "sp"; }
  std::string instruction_pointer() const override { return "pc"; }
  std::size_t max_instruction_length() const override { return 4; }
  std::size_t instruction_alignment() const override { return thumb_ ? 2 : 4; }
  std::uint64_t pc_relative_base(const DecodedInstruction& insn) const override {
    return (insn.address + (thumb_ ? 4 : 8)) & ~std::uint64_t{3};
  }

  Result<DecodedInstruction> decode(std::span<const std::byte> code, std::uint64_t address) const override {
    capstone_util::Insn insn(h_, code, address);
    if (!insn.ok()) return fail(ErrorCode::malformed, thumb_ ? "no valid Thumb instruction" : "no valid arm instruction", address);
    const cs_insn& i = *insn;
    DecodedInstruction out = capstone_util::basics(h_, i, "pc", canonical_arm);
    const std::string m = out.mnemonic;
    const cs_arm& a = i.detail->arm;
    out.is_call = i.id == ARM_INS_BL || i.id == ARM_INS_BLX;
    out.is_jump = i.id == ARM_INS_B || i.id == ARM_INS_BX || i.id == ARM_INS_CBZ || i.id == ARM_INS_CBNZ;
    out.is_undefined = i.id == ARM_INS_UDF;
    out.is_move = i.id == ARM_INS_MOV;
    out.is_add = i.id == ARM_INS_ADD;
    out.is_sub = i.id == ARM_INS_SUB;
    const bool multiple = i.id == ARM_INS_PUSH || i.id == ARM_INS_POP || starts_with(m, "ldm") || starts_with(m, "stm") ||
                          i.id == ARM_INS_VPUSH || i.id == ARM_INS_VPOP;
    std::uint32_t listed = 0;  // registers in a push/pop/ldm/stm list
    bool pops_pc = false;
    for (std::uint8_t k = 0; k < a.op_count; ++k) {
      const cs_arm_op& op = a.operands[k];
      if (op.type == ARM_OP_REG) {
        std::string name = canonical_arm(h_.reg_name(op.reg));
        if (multiple && !(k == 0 && (starts_with(m, "ldm") || starts_with(m, "stm")))) {
          ++listed;
          if (name == "pc") pops_pc = true;
        }
        out.registers_read.push_back(name);
        if (k == 0) out.dest_written = out.dest_register = name;
        else if (k == 1) out.source_written = out.source_register = name;
      } else if (op.type == ARM_OP_IMM) {
        if ((out.is_call || out.is_jump) && a.op_count == 1) out.branch_target = static_cast<std::uint32_t>(op.imm);
        else if (k == 1 || k == 2) out.immediate = op.imm;
      } else if (op.type == ARM_OP_MEM) {
        MemoryOperand mem;
        mem.base_written = h_.reg_name(op.mem.base);
        mem.base = canonical_arm(mem.base_written);
        mem.index = canonical_arm(h_.reg_name(op.mem.index));
        mem.displacement = op.mem.disp;
        if (op.subtracted && mem.index.empty()) mem.displacement = -mem.displacement;
        mem.scale = op.shift.type == ARM_SFT_LSL && op.shift.value < 8 ? 1u << op.shift.value : 1;
        mem.pc_relative = mem.base == "pc";
        mem.read = starts_with(m, "ld") || starts_with(m, "vld");
        mem.write = starts_with(m, "st") || starts_with(m, "vst");
        if (starts_with(m, "pld") || starts_with(m, "pli")) continue;  // preloads never fault
        if (!mem.read && !mem.write) mem.read = true;
        std::uint32_t size = 4;
        if (starts_with(m, "ldrb") || starts_with(m, "strb") || starts_with(m, "ldrsb") || starts_with(m, "ldrexb") ||
            starts_with(m, "strexb")) {
          size = 1;
        } else if (starts_with(m, "ldrh") || starts_with(m, "strh") || starts_with(m, "ldrsh") || starts_with(m, "ldrexh") ||
                   starts_with(m, "strexh")) {
          size = 2;
        } else if (starts_with(m, "ldrd") || starts_with(m, "strd") || starts_with(m, "ldrexd") || starts_with(m, "strexd")) {
          size = 8;
        } else if (starts_with(m, "vldr") || starts_with(m, "vstr")) {
          size = a.op_count > 0 && a.operands[0].type == ARM_OP_REG && h_.reg_name(a.operands[0].reg).starts_with("d") ? 8 : 4;
        }
        mem.size = size;
        out.memory.push_back(std::move(mem));
      }
    }
    if (multiple) {
      const std::uint32_t bytes = listed * (i.id == ARM_INS_VPUSH || i.id == ARM_INS_VPOP ? 8 : 4);
      MemoryOperand mem;
      const bool to_stack = i.id == ARM_INS_PUSH || i.id == ARM_INS_POP || i.id == ARM_INS_VPUSH || i.id == ARM_INS_VPOP;
      mem.base = mem.base_written = to_stack ? "sp" : out.dest_register;
      const bool below = i.id == ARM_INS_PUSH || i.id == ARM_INS_VPUSH || m.find("db") != std::string::npos;
      mem.displacement = below ? -static_cast<std::int64_t>(bytes) : 0;
      mem.size = bytes;
      mem.write = i.id == ARM_INS_PUSH || i.id == ARM_INS_VPUSH || starts_with(m, "stm");
      mem.read = !mem.write;
      mem.implicit = to_stack;
      out.memory.push_back(std::move(mem));
    }
    out.is_return = pops_pc && (i.id == ARM_INS_POP || starts_with(m, "ldm"));
    if (i.id == ARM_INS_BX && !out.registers_read.empty() && out.registers_read.front() == "lr") {
      out.is_return = true;
      out.is_jump = false;
    }
    return out;
  }

 private:
  capstone_util::Handle h_;
  bool thumb_;
};

}  // namespace

Result<std::unique_ptr<Disassembler>> make_disassembler_arm(bool thumb) {
  auto h = capstone_util::Handle::open(CS_ARCH_ARM, thumb ? CS_MODE_THUMB : CS_MODE_ARM, "arm");
  if (!h) return unexpected(h.error());
  return std::unique_ptr<Disassembler>(new CapstoneArm(std::move(*h), thumb));
}

}  // namespace corelens
