// The ppc64le Disassembler, on Capstone 4. Loads and stores name their access and size in the
// mnemonic: l/st, then b (1), h (2), w (4), d (8), fs (4), fd (8); the indexed forms (lwzx, stdx
// ...) take base and index registers as plain register operands. As a base, r0 reads as 0.
#include "core/analysis/disassembler_arch.hpp"

namespace corelens {
namespace {

using capstone_util::starts_with;

std::string canonical_ppc(std::string name) { return name; }

// The size and direction of a load or store mnemonic, or nullopt for any other instruction.
struct Access {
  std::uint32_t size;
  bool write;
};
std::optional<Access> access_of(const std::string& m) {
  bool write = starts_with(m, "st");
  if (!write && !starts_with(m, "l")) return std::nullopt;
  std::string rest = m.substr(write ? 2 : 1);
  if (starts_with(rest, "fs")) return Access{4, write};
  if (starts_with(rest, "fd")) return Access{8, write};
  if (rest.empty()) return std::nullopt;
  switch (rest[0]) {
    case 'b': return Access{1, write};
    case 'h': return Access{2, write};
    case 'w': return Access{4, write};
    case 'd': return Access{8, write};
    case 'm': return rest == "mw" ? std::optional<Access>(Access{4, write}) : std::nullopt;
    default: return std::nullopt;
  }
}

class CapstonePpc final : public Disassembler {
 public:
  explicit CapstonePpc(capstone_util::Handle h) : h_(std::move(h)) {}
  std::string stack_pointer() const override { return "r1"; }
  std::string instruction_pointer() const override { return "nip"; }
  std::size_t max_instruction_length() const override { return 4; }

  Result<DecodedInstruction> decode(std::span<const std::byte> code, std::uint64_t address) const override {
    capstone_util::Insn insn(h_, code, address);
    if (!insn.ok()) return fail(ErrorCode::malformed, "no valid ppc64 instruction", address);
    const cs_insn& i = *insn;
    DecodedInstruction out = capstone_util::basics(h_, i, "nip", canonical_ppc);
    const std::string m = out.mnemonic;
    const cs_ppc& p = i.detail->ppc;
    out.is_call = i.id == PPC_INS_BL || i.id == PPC_INS_BLA || i.id == PPC_INS_BCTRL || i.id == PPC_INS_BLRL;
    out.is_return = i.id == PPC_INS_BLR;
    out.is_jump = i.id == PPC_INS_B || i.id == PPC_INS_BA || i.id == PPC_INS_BC || i.id == PPC_INS_BCTR;
    out.is_undefined = m == "trap" || starts_with(m, "tw") || starts_with(m, "td");
    out.is_move = m == "mr";
    out.is_add = m == "add" || m == "addi";
    out.is_sub = m == "subf" || m == "subi";
    std::vector<std::string> regs;
    for (std::uint8_t k = 0; k < p.op_count; ++k) {
      const cs_ppc_op& op = p.operands[k];
      if (op.type == PPC_OP_REG) {
        std::string name = h_.reg_name(op.reg);
        regs.push_back(name);
        out.registers_read.push_back(name);
        if (k == 0) out.dest_written = out.dest_register = name;
        else if (k == 1) out.source_written = out.source_register = name;
      } else if (op.type == PPC_OP_IMM) {
        if ((out.is_call || out.is_jump) && (i.id == PPC_INS_BL || i.id == PPC_INS_B)) {
          out.branch_target = static_cast<std::uint64_t>(op.imm);
        } else if (k == 1 || k == 2) {
          out.immediate = op.imm;
        }
      } else if (op.type == PPC_OP_MEM) {
        auto acc = access_of(m);
        MemoryOperand mem;
        mem.base_written = h_.reg_name(op.mem.base);
        mem.base = mem.base_written == "r0" ? std::string() : mem.base_written;
        mem.displacement = op.mem.disp;
        mem.size = acc ? acc->size : 0;
        mem.write = acc && acc->write;
        mem.read = !mem.write;
        out.memory.push_back(std::move(mem));
      }
    }
    // Indexed forms: "lwzx rT, rA, rB" reads (rA|0) + rB.
    if (auto acc = access_of(m); acc && out.memory.empty() && m.back() == 'x' && regs.size() == 3) {
      MemoryOperand mem;
      mem.base_written = regs[1];
      mem.base = regs[1] == "r0" ? std::string() : regs[1];
      mem.index = regs[2];
      mem.size = acc->size;
      mem.write = acc->write;
      mem.read = !acc->write;
      out.memory.push_back(std::move(mem));
    }
    return out;
  }

 private:
  capstone_util::Handle h_;
};

}  // namespace

Result<std::unique_ptr<Disassembler>> make_disassembler_ppc64le() {
  auto h = capstone_util::Handle::open(CS_ARCH_PPC, CS_MODE_64 | CS_MODE_LITTLE_ENDIAN, "ppc64le");
  if (!h) return unexpected(h.error());
  return std::unique_ptr<Disassembler>(new CapstonePpc(std::move(*h)));
}

}  // namespace corelens
