// The aarch64 Disassembler, on Capstone 4. Loads and stores name their access in the mnemonic
// (ld*/st*, with b/h/sw suffixes for the narrow forms) and their size in the data register (w: 4,
// x: 8, q/d/s/h/b for SIMD); pairs (ldp/stp) access two of them. Register names are the parsers'
// (x0-x30, sp): w-registers name the x-register they are the low half of.
#include "core/analysis/disassembler_arch.hpp"

namespace corelens {
namespace {

using capstone_util::starts_with;

std::string canonical_arm64(std::string name) {
  if (name == "wsp") return "sp";
  if (name == "fp") return "x29";
  if (name == "lr") return "x30";
  if (name == "xzr" || name == "wzr") return {};
  if (name.size() >= 2 && name[0] == 'w' && std::isdigit(static_cast<unsigned char>(name[1]))) name[0] = 'x';
  return name;
}

// Bytes a register operand holds, from its name.
std::uint32_t register_bytes(const std::string& name) {
  if (name.empty()) return 0;
  switch (name[0]) {
    case 'x': return 8;
    case 'w': return 4;
    case 'q': return 16;
    case 'd': return 8;
    case 's': return name == "sp" ? 8 : 4;
    case 'h': return 2;
    case 'b': return 1;
    default: return 0;
  }
}

class CapstoneArm64 final : public Disassembler {
 public:
  explicit CapstoneArm64(capstone_util::Handle h) : h_(std::move(h)) {}
  std::string stack_pointer() const override { return "sp"; }
  std::string instruction_pointer() const override { return "pc"; }
  std::size_t max_instruction_length() const override { return 4; }

  Result<DecodedInstruction> decode(std::span<const std::byte> code, std::uint64_t address) const override {
    capstone_util::Insn insn(h_, code, address);
    if (!insn.ok()) return fail(ErrorCode::malformed, "no valid aarch64 instruction", address);
    const cs_insn& i = *insn;
    DecodedInstruction out = capstone_util::basics(h_, i, "pc", canonical_arm64);
    const std::string m = out.mnemonic;
    out.is_call = i.id == ARM64_INS_BL || i.id == ARM64_INS_BLR;
    out.is_return = i.id == ARM64_INS_RET;
    out.is_jump = i.id == ARM64_INS_B || i.id == ARM64_INS_BR || i.id == ARM64_INS_CBZ || i.id == ARM64_INS_CBNZ ||
                  i.id == ARM64_INS_TBZ || i.id == ARM64_INS_TBNZ;
    out.is_undefined = m == "udf" || m == "brk";  // __builtin_trap is brk #0x3e8
    out.is_move = i.id == ARM64_INS_MOV;
    out.is_add = i.id == ARM64_INS_ADD;
    out.is_sub = i.id == ARM64_INS_SUB;
    const cs_arm64& a = i.detail->arm64;
    const bool loads = starts_with(m, "ld") || starts_with(m, "cas") || starts_with(m, "swp");
    const bool stores = starts_with(m, "st") || starts_with(m, "cas") || starts_with(m, "swp") ||
                        (starts_with(m, "ld") && (m.find("add") != std::string::npos || m.find("set") != std::string::npos ||
                                                  m.find("clr") != std::string::npos || m.find("eor") != std::string::npos));
    std::uint32_t data_bytes = 0;
    int data_regs = 0;
    for (std::uint8_t k = 0; k < a.op_count; ++k) {
      const cs_arm64_op& op = a.operands[k];
      if (op.type == ARM64_OP_REG) {
        std::string written = h_.reg_name(op.reg);
        std::string name = canonical_arm64(written);
        if (data_regs < 2 && (loads || stores) && !starts_with(m, "cas") && !starts_with(m, "swp")) {
          if (data_regs == 0) data_bytes = register_bytes(written);
          ++data_regs;
        }
        if (!name.empty()) out.registers_read.push_back(name);
        if (k == 0) {
          out.dest_written = written;
          out.dest_register = name;
        } else if (k == 1) {
          out.source_written = written;
          out.source_register = name;
        }
      } else if (op.type == ARM64_OP_IMM) {
        // The label is b/bl's only operand, cbz/cbnz's second, tbz/tbnz's third (after the bit).
        const bool label = i.id == ARM64_INS_B || i.id == ARM64_INS_BL ||
                           ((i.id == ARM64_INS_CBZ || i.id == ARM64_INS_CBNZ) && k == 1) ||
                           ((i.id == ARM64_INS_TBZ || i.id == ARM64_INS_TBNZ) && k == 2);
        if (label) {
          out.branch_target = static_cast<std::uint64_t>(op.imm);
        } else if (k == 1 || k == 2) {
          out.immediate = op.imm;
        }
      } else if (op.type == ARM64_OP_MEM) {
        MemoryOperand mem;
        mem.base_written = h_.reg_name(op.mem.base);
        mem.base = canonical_arm64(mem.base_written);
        mem.index = canonical_arm64(h_.reg_name(op.mem.index));
        mem.displacement = op.mem.disp;
        mem.scale = op.shift.type == ARM64_SFT_LSL && op.shift.value < 8 ? 1u << op.shift.value : 1;
        mem.read = loads;
        mem.write = stores;
        if (starts_with(m, "prfm")) continue;  // a prefetch never faults
        if (!mem.read && !mem.write) mem.read = true;
        out.memory.push_back(std::move(mem));
      }
    }
    // The access size: the narrow forms say it, else the data register (twice for a pair).
    std::uint32_t size = data_bytes;
    if (m.size() > 2 && (starts_with(m, "ldr") || starts_with(m, "str") || starts_with(m, "ldur") || starts_with(m, "stur") ||
                         starts_with(m, "ldar") || starts_with(m, "stlr") || starts_with(m, "ldxr") || starts_with(m, "stxr"))) {
      if (m.ends_with("b") || m.ends_with("sb")) size = 1;
      else if (m.ends_with("h") || m.ends_with("sh")) size = 2;
      else if (m.ends_with("sw")) size = 4;
    }
    if (starts_with(m, "ldp") || starts_with(m, "stp") || starts_with(m, "ldnp") || starts_with(m, "stnp")) {
      size = (m == "ldpsw" ? 4 : data_bytes) * 2;
    }
    for (auto& mem : out.memory) mem.size = size;
    return out;
  }

 private:
  capstone_util::Handle h_;
};

}  // namespace

Result<std::unique_ptr<Disassembler>> make_disassembler_arm64() {
  auto h = capstone_util::Handle::open(CS_ARCH_ARM64, CS_MODE_ARM, "aarch64");
  if (!h) return unexpected(h.error());
  return std::unique_ptr<Disassembler>(new CapstoneArm64(std::move(*h)));
}

}  // namespace corelens
