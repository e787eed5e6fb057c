// The x86_64 and i386 Disassembler, on Capstone 4 (libcapstone-dev from Debian). Capstone reports
// explicit memory operands with their access kind; the stack slots that push, call, pop and ret
// touch are implicit, so they are added here: a stack overflow usually faults on exactly those.
#include <capstone/capstone.h>

#include <algorithm>
#include <array>
#include <utility>

#include "core/analysis/disassembler_arch.hpp"

namespace corelens {
namespace {

// i386: sub-registers name the 32-bit register the thread's register set holds.
std::string canonical_i386(std::string name) {
  static constexpr std::array<std::pair<const char*, const char*>, 20> kAliases{{
      {"ax", "eax"}, {"al", "eax"}, {"ah", "eax"}, {"bx", "ebx"}, {"bl", "ebx"}, {"bh", "ebx"},
      {"cx", "ecx"}, {"cl", "ecx"}, {"ch", "ecx"}, {"dx", "edx"}, {"dl", "edx"}, {"dh", "edx"},
      {"si", "esi"}, {"di", "edi"}, {"bp", "ebp"}, {"sp", "esp"}, {"ip", "eip"},
  }};
  for (const auto& [alias, full] : kAliases) {
    if (alias != nullptr && name == alias) return full;
  }
  return name;
}

// Sub-registers name the full register whose value the thread's register set holds.
std::string canonical_x86(std::string name) {
  static constexpr std::array<std::pair<const char*, const char*>, 64> kAliases{{
      {"eax", "rax"}, {"ax", "rax"}, {"al", "rax"}, {"ah", "rax"},
      {"ebx", "rbx"}, {"bx", "rbx"}, {"bl", "rbx"}, {"bh", "rbx"},
      {"ecx", "rcx"}, {"cx", "rcx"}, {"cl", "rcx"}, {"ch", "rcx"},
      {"edx", "rdx"}, {"dx", "rdx"}, {"dl", "rdx"}, {"dh", "rdx"},
      {"esi", "rsi"}, {"si", "rsi"}, {"sil", "rsi"}, {"edi", "rdi"},
      {"di", "rdi"}, {"dil", "rdi"}, {"ebp", "rbp"}, {"bp", "rbp"},
      {"bpl", "rbp"}, {"esp", "rsp"}, {"sp", "rsp"}, {"spl", "rsp"},
      {"eip", "rip"}, {"ip", "rip"},
      {"r8d", "r8"}, {"r8w", "r8"}, {"r8b", "r8"}, {"r9d", "r9"}, {"r9w", "r9"}, {"r9b", "r9"},
      {"r10d", "r10"}, {"r10w", "r10"}, {"r10b", "r10"}, {"r11d", "r11"}, {"r11w", "r11"},
      {"r11b", "r11"}, {"r12d", "r12"}, {"r12w", "r12"}, {"r12b", "r12"}, {"r13d", "r13"},
      {"r13w", "r13"}, {"r13b", "r13"}, {"r14d", "r14"}, {"r14w", "r14"}, {"r14b", "r14"},
      {"r15d", "r15"}, {"r15w", "r15"}, {"r15b", "r15"},
      {"fs", "fs_base"}, {"gs", "gs_base"},
  }};
  for (const auto& [alias, full] : kAliases) {
    if (alias != nullptr && name == alias) return full;
  }
  return name;
}

class CapstoneX86 final : public Disassembler {
 public:
  static Result<std::unique_ptr<Disassembler>> create(bool is_64bit) {
    csh handle = 0;
    if (cs_open(CS_ARCH_X86, is_64bit ? CS_MODE_64 : CS_MODE_32, &handle) != CS_ERR_OK) {
      return fail(ErrorCode::internal, "Capstone cannot open an x86 disassembler");
    }
    cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
    return std::unique_ptr<Disassembler>(new CapstoneX86(handle, is_64bit));
  }
  ~CapstoneX86() override { cs_close(&handle_); }
  CapstoneX86(const CapstoneX86&) = delete;
  CapstoneX86& operator=(const CapstoneX86&) = delete;

  std::string stack_pointer() const override { return is_64bit_ ? "rsp" : "esp"; }
  std::string instruction_pointer() const override { return is_64bit_ ? "rip" : "eip"; }
  std::size_t max_instruction_length() const override { return 15; }
  std::size_t instruction_alignment() const override { return 1; }

  Result<DecodedInstruction> decode(std::span<const std::byte> code, std::uint64_t address) const override {
    cs_insn* insn = nullptr;
    std::size_t n = cs_disasm(handle_, reinterpret_cast<const std::uint8_t*>(code.data()), code.size(),
                              address, 1, &insn);
    if (n == 0) return fail(ErrorCode::malformed, is_64bit_ ? "no valid x86_64 instruction" : "no valid i386 instruction", address);
    DecodedInstruction out;
    const cs_insn& i = insn[0];
    out.address = i.address;
    out.length = i.size;
    out.mnemonic = i.mnemonic;
    out.text = i.mnemonic;
    if (i.op_str[0] != '\0') out.text += std::string(" ") + i.op_str;
    out.is_call = cs_insn_group(handle_, &i, CS_GRP_CALL);
    out.is_return = cs_insn_group(handle_, &i, CS_GRP_RET);
    out.is_jump = cs_insn_group(handle_, &i, CS_GRP_JUMP);
    out.is_divide = i.id == X86_INS_DIV || i.id == X86_INS_IDIV;
    out.is_undefined = i.id == X86_INS_UD2 || i.id == X86_INS_UD0 || i.id == X86_INS_UD2B;  // UD2B: Capstone 4's name for ud1
    auto canonical = [this](std::string name) { return is_64bit_ ? canonical_x86(std::move(name)) : canonical_i386(std::move(name)); };
    out.is_move = i.id == X86_INS_MOV || i.id == X86_INS_MOVABS;
    out.is_lea = i.id == X86_INS_LEA;
    out.is_add = i.id == X86_INS_ADD;
    out.is_sub = i.id == X86_INS_SUB;
    const cs_x86& x = i.detail->x86;
    for (std::uint8_t k = 0; k < x.op_count; ++k) {
      const cs_x86_op& op = x.operands[k];
      if (op.type == X86_OP_REG) {
        std::string written = reg_name(op.reg);
        out.registers_read.push_back(canonical(written));
        if (k == 0) {
          out.dest_written = written;
          out.dest_register = canonical(written);
        } else if (k == 1) {
          out.source_written = written;
          out.source_register = canonical(written);
        }
      } else if (op.type == X86_OP_IMM && (out.is_call || out.is_jump) && x.op_count == 1) {
        out.branch_target = static_cast<std::uint64_t>(op.imm);
      } else if (op.type == X86_OP_IMM && k == 1) {
        out.immediate = op.imm;
      } else if (op.type == X86_OP_MEM) {
        MemoryOperand m;
        m.base_written = reg_name(op.mem.base);
        m.base = canonical(m.base_written);
        m.index = canonical(reg_name(op.mem.index));
        m.segment = canonical(reg_name(op.mem.segment));
        m.scale = static_cast<std::uint32_t>(op.mem.scale);
        m.displacement = op.mem.disp;
        m.size = op.size;
        m.pc_relative = m.base == "rip" || m.base == "eip";
        m.read = (op.access & CS_AC_READ) != 0;
        m.write = (op.access & CS_AC_WRITE) != 0;
        // lea computes an address and touches no memory.
        if (i.id == X86_INS_LEA) out.address_operand = m;
        if (i.id == X86_INS_LEA || i.id == X86_INS_NOP) continue;
        // Capstone 4 leaves access empty for a few instructions: a memory source is a read.
        if (!m.read && !m.write) m.read = true;
        out.memory.push_back(std::move(m));
      }
    }
    // The stack slot that push/call write and pop/ret read.
    bool pushes = out.is_call || i.id == X86_INS_PUSH || i.id == X86_INS_PUSHFQ || i.id == X86_INS_PUSHFD;
    bool pops = out.is_return || i.id == X86_INS_POP || i.id == X86_INS_POPFQ || i.id == X86_INS_POPFD;
    if (pushes || pops) {
      const int word = is_64bit_ ? 8 : 4;
      MemoryOperand m;
      m.base = m.base_written = stack_pointer();
      m.displacement = pushes ? -word : 0;
      m.size = word;
      m.write = pushes;
      m.read = pops;
      m.implicit = true;
      out.memory.push_back(std::move(m));
    }
    // Every register written, implicit ones included (cpuid, div, push's rsp); flags are not data.
    cs_regs read_regs, write_regs;
    std::uint8_t nread = 0, nwrite = 0;
    if (cs_regs_access(handle_, &i, read_regs, &nread, write_regs, &nwrite) == CS_ERR_OK) {
      for (std::uint8_t k = 0; k < nwrite; ++k) {
        std::string name = canonical(reg_name(write_regs[k]));
        if (name.empty() || name.ends_with("flags") || name == instruction_pointer()) continue;
        if (std::find(out.registers_written.begin(), out.registers_written.end(), name) == out.registers_written.end()) {
          out.registers_written.push_back(std::move(name));
        }
      }
    }
    cs_free(insn, n);
    return out;
  }

 private:
  CapstoneX86(csh handle, bool is_64bit) : handle_(handle), is_64bit_(is_64bit) {}
  std::string reg_name(unsigned reg) const {
    if (reg == X86_REG_INVALID) return {};
    const char* name = cs_reg_name(handle_, reg);
    return name == nullptr ? std::string() : std::string(name);
  }
  csh handle_;
  bool is_64bit_;
};

}  // namespace

Result<std::unique_ptr<Disassembler>> make_disassembler_x86(bool is_64bit) { return CapstoneX86::create(is_64bit); }

}  // namespace corelens
