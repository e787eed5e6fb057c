// The s390x Disassembler, on Capstone 4 (big-endian). Capstone names general registers by number
// ("1"); they are r0-r15 here, as the parsers name them. A memory operand is D(X,B): base and
// index registers (r0 in either reads as 0) and a displacement. The access size and direction
// are in the mnemonic: l/st with g (8), f/h/b/c suffixes, the mv* and compare-immediate forms;
// la/lay/larl compute an address and touch no memory.
#include <array>
#include <string_view>
#include <utility>

#include "core/analysis/disassembler_arch.hpp"

namespace corelens {
namespace {

using capstone_util::starts_with;

std::string canonical_s390x(std::string name) {
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) return "r" + name;
  if (starts_with(name, "%r")) return name.substr(1);
  return name;
}

struct Access {
  std::uint32_t size;
  bool write;
};

// The memory access of the common storage-operand instructions (z/Architecture Principles of
// Operation); nullopt for those that do not access memory or whose size is not listed.
std::optional<Access> access_of(const std::string& m) {
  static constexpr std::array<std::pair<std::string_view, Access>, 62> kTable{{
      {"l", {4, false}},     {"ly", {4, false}},    {"lg", {8, false}},    {"lgf", {4, false}},  {"llgf", {4, false}},
      {"lt", {4, false}},    {"ltg", {8, false}},   {"ltgf", {4, false}},  {"lh", {2, false}},   {"lhy", {2, false}},
      {"lgh", {2, false}},   {"llh", {2, false}},   {"llgh", {2, false}},  {"lb", {1, false}},   {"lgb", {1, false}},
      {"llc", {1, false}},   {"llgc", {1, false}},  {"ic", {1, false}},    {"icy", {1, false}},  {"lrv", {4, false}},
      {"lrvg", {8, false}},  {"le", {4, false}},    {"ley", {4, false}},   {"ld", {8, false}},   {"ldy", {8, false}},
      {"c", {4, false}},     {"cy", {4, false}},    {"cg", {8, false}},    {"cgf", {4, false}},  {"cl", {4, false}},
      {"cly", {4, false}},   {"clg", {8, false}},   {"cli", {1, false}},   {"cliy", {1, false}}, {"chsi", {4, false}},
      {"cghsi", {8, false}}, {"clfhsi", {4, false}}, {"a", {4, false}},    {"ag", {8, false}},   {"s", {4, false}},
      {"sg", {8, false}},    {"n", {4, false}},     {"ng", {8, false}},    {"o", {4, false}},    {"og", {8, false}},
      {"st", {4, true}},     {"sty", {4, true}},    {"stg", {8, true}},    {"sth", {2, true}},   {"sthy", {2, true}},
      {"stc", {1, true}},    {"stcy", {1, true}},   {"strv", {4, true}},   {"strvg", {8, true}}, {"ste", {4, true}},
      {"stey", {4, true}},   {"std", {8, true}},    {"stdy", {8, true}},   {"mvi", {1, true}},   {"mviy", {1, true}},
      {"mvhi", {4, true}},   {"mvghi", {8, true}},
  }};
  for (const auto& [name, access] : kTable) {
    if (m == name) return access;
  }
  if (m == "mvhhi") return Access{2, true};
  return std::nullopt;
}

class CapstoneS390x final : public Disassembler {
 public:
  explicit CapstoneS390x(capstone_util::Handle h) : h_(std::move(h)) {}
  std::string stack_pointer() const override { return "r15"; }
  std::string instruction_pointer() const override { return "pswa"; }
  std::size_t max_instruction_length() const override { return 6; }
  std::size_t instruction_alignment() const override { return 2; }

  Result<DecodedInstruction> decode(std::span<const std::byte> code, std::uint64_t address) const override {
    capstone_util::Insn insn(h_, code, address);
    if (!insn.ok()) return fail(ErrorCode::malformed, "no valid s390x instruction", address);
    const cs_insn& i = *insn;
    DecodedInstruction out = capstone_util::basics(h_, i, "pswa", canonical_s390x);
    const std::string m = out.mnemonic;
    const cs_sysz& z = i.detail->sysz;
    out.is_call = i.id == SYSZ_INS_BRASL || i.id == SYSZ_INS_BRAS || i.id == SYSZ_INS_BASR;
    out.is_jump = !out.is_call && (starts_with(m, "j") || starts_with(m, "br") || starts_with(m, "bc"));
    out.is_move = m == "lgr" || m == "lr";
    out.is_lea = m == "la" || m == "lay" || m == "larl";
    out.is_add = m == "agr" || m == "ar" || m == "aghi" || m == "ahi" || m == "aghik" || m == "ahik";
    out.is_divide = starts_with(m, "d");  // d, dr, dl, dlr, dsg, dsgr ...: they trap on a zero divisor
    const std::optional<Access> acc = access_of(m);
    for (std::uint8_t k = 0; k < z.op_count; ++k) {
      const cs_sysz_op& op = z.operands[k];
      if (op.type == SYSZ_OP_REG) {
        std::string name = canonical_s390x(h_.reg_name(op.reg));
        out.registers_read.push_back(name);
        if (k == 0) out.dest_written = out.dest_register = name;
        else if (k == 1) out.source_written = out.source_register = name;
      } else if (op.type == SYSZ_OP_IMM) {
        if (out.is_call || out.is_jump) out.branch_target = static_cast<std::uint64_t>(op.imm);
        else if (k == 1) out.immediate = op.imm;
      } else if (op.type == SYSZ_OP_MEM) {
        MemoryOperand mem;
        mem.base_written = canonical_s390x(h_.reg_name(op.mem.base));
        mem.base = mem.base_written == "r0" ? std::string() : mem.base_written;
        std::string index = canonical_s390x(h_.reg_name(op.mem.index));
        mem.index = index == "r0" ? std::string() : index;
        mem.displacement = op.mem.disp;
        if (out.is_lea) {
          out.address_operand = mem;
          continue;
        }
        mem.size = acc ? acc->size : 0;
        mem.write = acc && acc->write;
        mem.read = !mem.write;
        out.memory.push_back(std::move(mem));
      }
    }
    if (m == "br" && !out.registers_read.empty() && out.registers_read.front() == "r14") {
      out.is_return = true;
      out.is_jump = false;
    }
    return out;
  }

 private:
  capstone_util::Handle h_;
};

}  // namespace

Result<std::unique_ptr<Disassembler>> make_disassembler_s390x() {
  auto h = capstone_util::Handle::open(CS_ARCH_SYSZ, CS_MODE_BIG_ENDIAN, "s390x");
  if (!h) return unexpected(h.error());
  return std::unique_ptr<Disassembler>(new CapstoneS390x(std::move(*h)));
}

}  // namespace corelens
