#include "core/analysis/control_flow.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "core/analysis/explain.hpp"
#include "core/analysis/memory_read.hpp"
#include "core/analysis/plt_calls.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

// How far the loaded value is followed: !exploitable looks at the next few instructions of the
// same basic block; a compiler puts the use of a loaded pointer close to its load.
constexpr int kTaintWindow = 8;

bool is_code(const ProcessDump& dump, std::uint64_t addr) {
  const Mapping* m = dump.mapping_at(addr);
  return m != nullptr && (m->flags & kExec) != 0;
}

// Why ADDR is no code, in words: "0x4141414141414141, which is not a canonical address".
std::string not_code_words(const ProcessDump& dump, std::uint64_t addr) {
  if (dump.arch == Arch::x86_64 && addr >= (1ull << 47) && addr < 0xffff800000000000ull) {
    return hex(addr) + ", which is not a canonical address";
  }
  const Mapping* m = dump.mapping_at(addr);
  if (m == nullptr) return hex(addr) + ", where nothing is mapped";
  return hex(addr) + ", which is not executable (" + m->perms() + (m->path.empty() ? "" : " " + m->path) + ")";
}

std::optional<std::uint64_t> effective_address(const MemoryOperand& m, const DecodedInstruction& insn,
                                               const std::vector<Register>& regs, Arch arch) {
  if (!m.segment.empty() && m.segment != "rip" && m.segment != "eip") return std::nullopt;  // fs:/gs: TLS
  std::uint64_t ea = static_cast<std::uint64_t>(m.displacement);
  if (m.pc_relative) {
    ea += insn.address + insn.length;
  } else if (!m.base.empty()) {
    auto v = register_value(regs, m.base);
    if (!v) return std::nullopt;
    ea += *v;
  }
  if (!m.index.empty()) {
    auto v = register_value(regs, m.index);
    if (!v) return std::nullopt;
    ea += *v * m.scale;
  }
  return pointer_size(arch) == 4 ? ea & 0xffffffffull : ea;
}

const MemoryOperand* explicit_operand(const DecodedInstruction& insn) {
  for (const auto& m : insn.memory) {
    if (!m.implicit) return &m;
  }
  return nullptr;
}

// Where an indirect call or jump goes, with the registers it had (for a call found at a return
// site: SP_ADJUST undoes the push, since the call read its operand before pushing).
std::optional<std::uint64_t> branch_target(const DecodedInstruction& insn, const MemorySource& memory,
                                           std::vector<Register> regs, Arch arch, std::uint64_t sp_adjust) {
  if (insn.branch_target) return insn.branch_target;
  if (sp_adjust != 0) {
    for (auto& r : regs) {
      if (r.name == sp_register(arch)) r.value += sp_adjust;
    }
  }
  if (const MemoryOperand* m = explicit_operand(insn)) {
    auto ea = effective_address(*m, insn, regs, arch);
    return ea ? read_pointer(memory, *ea, arch) : std::nullopt;
  }
  if (!insn.registers_read.empty()) return register_value(regs, insn.registers_read.front());
  return std::nullopt;
}

FlowFault make_flow(FlowClass kind, std::string rule, std::string detail) {
  FlowFault f;
  f.kind = kind;
  f.rule = std::move(rule);
  f.detail = std::move(detail);
  return f;
}

bool tainted(const std::set<std::string>& t, const std::string& reg) { return !reg.empty() && t.count(reg) != 0; }

bool through_tainted(const std::set<std::string>& t, const MemoryOperand& m) {
  return tainted(t, m.base) || tainted(t, m.index);
}

// Where a call leaves its return address in a link register (arm64's x30, arm's and ppc64's lr,
// s390x's r14): a return went to the link register's value, so pc == lr; a call through a
// register left lr at its return site, and that call's register is the pc.
std::optional<FlowFault> arrival_by_link_register(const ProcessDump& dump, const MemorySource& memory,
                                                  const Disassembler& dis, const std::vector<Register>& registers,
                                                  std::uint64_t pc, std::string_view lr_name) {
  auto lr = register_value(registers, lr_name);
  if (!lr) return std::nullopt;
  std::uint64_t site = dump.arch == Arch::arm ? *lr & ~std::uint64_t{1} : *lr;  // the Thumb bit
  if (site == pc && pc >= kNullPageLimit) {
    return make_flow(FlowClass::bad_return,
                     "pc " + hex(pc) + " is not code and equals " + std::string(lr_name) + ", the return address",
                     "return to " + not_code_words(dump, pc) + ": the saved return address was overwritten");
  }
  if (!is_code(dump, site)) return std::nullopt;
  auto call = call_before(memory, dis, site);
  if (!call || call->branch_target) return std::nullopt;
  auto target = branch_target(*call, memory, registers, dump.arch, 0);
  if (!target || (*target & ~std::uint64_t{dump.arch == Arch::arm ? 1u : 0u}) != pc) return std::nullopt;
  std::string how = "reached by `" + call->text + "` at " + hex(call->address) + " (" + std::string(lr_name) +
                    " is its return site)";
  FlowFault f = pc < kNullPageLimit
                    ? make_flow(FlowClass::null_call, "pc " + hex(pc) + " in the NULL page, " + how,
                                "call through a NULL function pointer")
                    : make_flow(FlowClass::wild_call, "pc " + hex(pc) + " is not code, " + how,
                                "call to " + not_code_words(dump, pc));
  f.caller_return = *lr;
  return f;
}

}  // namespace

std::optional<FlowFault> classify_arrival(const ProcessDump& dump, const MemorySource& memory, const Disassembler& dis,
                                          const std::vector<Register>& registers, std::uint64_t pc) {
  if (std::string_view lr_name = link_register(dump.arch); !lr_name.empty()) {
    return arrival_by_link_register(dump, memory, dis, registers, pc, lr_name);
  }
  if (dump.arch != Arch::x86_64 && dump.arch != Arch::i386) return std::nullopt;
  const unsigned word = pointer_size(dump.arch);
  auto sp = register_value(registers, sp_register(dump.arch));
  if (!sp) return std::nullopt;

  std::optional<DecodedInstruction> call;
  std::optional<std::uint64_t> return_site = read_pointer(memory, *sp, dump.arch);
  if (return_site && is_code(dump, *return_site)) call = call_before(memory, dis, *return_site);
  std::optional<std::uint64_t> call_target;
  if (call) call_target = branch_target(*call, memory, registers, dump.arch, word);
  // A direct call elsewhere: [sp] is a return address left over, not this call's.
  if (call && call->branch_target && *call->branch_target != pc) call.reset();

  auto called = [&](std::string how) {
    FlowFault f = pc < kNullPageLimit
                      ? make_flow(FlowClass::null_call, "pc " + hex(pc) + " in the NULL page, " + how,
                                  "call through a NULL function pointer")
                      : make_flow(FlowClass::wild_call, "pc " + hex(pc) + " is not code, " + how,
                                  "call to " + not_code_words(dump, pc));
    f.caller_return = return_site;
    return f;
  };
  if (call && call_target && *call_target == pc) {
    return called("reached by `" + call->text + "` at " + hex(call->address) + " (its target is the pc)");
  }
  // [sp] points into code whose bytes are not available (its module file is missing or another
  // build): nothing says whether a call left it, so neither a call nor a ret can be told apart.
  std::array<std::byte, 1> before{};
  if (!call && return_site && *return_site > 0 && is_code(dump, *return_site) && !memory.read(*return_site - 1, before)) {
    return std::nullopt;
  }
  // The slot a ret popped lies just below the sp it left.
  if (*sp >= word) {
    if (auto popped = read_pointer(memory, *sp - word, dump.arch); popped && *popped == pc) {
      return make_flow(FlowClass::bad_return,
                       "pc " + hex(pc) + " is not code and equals the stack slot just below sp (" + hex(*sp - word) +
                           "), the one a ret pops",
                       "return to " + not_code_words(dump, pc) + ": the return address on the stack was overwritten");
    }
  }
  if (call && !call->branch_target) {
    return called("[sp] is the return site of `" + call->text + "` at " + hex(call->address));
  }
  return std::nullopt;
}

std::optional<FlowFault> classify_branch(const ProcessDump& dump, const MemorySource& memory,
                                         const std::vector<Register>& registers, const DecodedInstruction& insn,
                                         std::optional<std::uint64_t> address, bool gp_fault) {
  if (insn.is_return) {
    auto sp = register_value(registers, sp_register(dump.arch));
    if (!sp) return std::nullopt;
    auto target = read_pointer(memory, *sp, dump.arch);
    if (!target || is_code(dump, *target)) return std::nullopt;  // an unreadable slot is the stack's fault
    return make_flow(FlowClass::bad_return,
                     "`" + insn.text + "` faulted popping " + hex(*target) + " from " + hex(*sp) +
                         (gp_fault ? " (general protection fault)" : ""),
                     "return to " + not_code_words(dump, *target) + ": the return address on the stack was overwritten");
  }
  if ((!insn.is_call && !insn.is_jump) || insn.branch_target) return std::nullopt;
  const bool call = insn.is_call;
  const FlowClass wild = call ? FlowClass::wild_call : FlowClass::wild_jump;
  const char* verb = call ? "call" : "jump";
  if (const MemoryOperand* m = explicit_operand(insn)) {
    auto ea = effective_address(*m, insn, registers, dump.arch);
    if (!ea) return std::nullopt;
    auto target = read_pointer(memory, *ea, dump.arch);
    if (!target || (address && *address == *ea && !gp_fault)) {
      // The read of the pointer faulted: the slot itself is the bad address.
      if (*ea < kNullPageLimit && call) {
        return make_flow(FlowClass::null_call, "`" + insn.text + "` read its target from " + hex(*ea) + ", in the NULL page",
                         "call through a function pointer read from NULL + " + hex(*ea));
      }
      return make_flow(wild, "`" + insn.text + "` read its target from " + hex(*ea) + ", which is not readable",
                       std::string(verb) + " through a pointer read from " + not_code_words(dump, *ea) +
                           " (a wild index or pointer)");
    }
    if (is_code(dump, *target)) return std::nullopt;
    return make_flow(wild, "`" + insn.text + "` read the target " + hex(*target) + " from " + hex(*ea),
                     std::string(verb) + " to " + not_code_words(dump, *target) + ", read from " + hex(*ea));
  }
  if (insn.registers_read.empty()) return std::nullopt;
  auto target = register_value(registers, insn.registers_read.front());
  if (!target || is_code(dump, *target)) return std::nullopt;
  if (*target < kNullPageLimit && call) {
    return make_flow(FlowClass::null_call, "`" + insn.text + "` with a target in the NULL page",
                     "call through a NULL function pointer");
  }
  return make_flow(wild, "`" + insn.text + "` with " + insn.registers_read.front() + " = " + hex(*target),
                   std::string(verb) + " to " + not_code_words(dump, *target));
}

std::optional<FlowFault> classify_tainted_read(const MemorySource& memory, const Disassembler& dis,
                                               const DecodedInstruction& insn) {
  const std::string& loaded = insn.dest_register;
  if (loaded.empty() || std::find(insn.registers_written.begin(), insn.registers_written.end(), loaded) ==
                            insn.registers_written.end()) {
    return std::nullopt;
  }
  std::set<std::string> t{loaded};
  std::uint64_t at = insn.address + insn.length;
  std::string path = insn.text;
  for (int i = 0; i < kTaintWindow && !t.empty(); ++i) {
    std::vector<std::byte> code(dis.max_instruction_length());
    std::size_t n = code.size();
    while (n > 0 && !memory.read(at, std::span<std::byte>(code.data(), n))) --n;
    if (n == 0) return std::nullopt;
    auto next = dis.decode(std::span<const std::byte>(code.data(), n), at);
    if (!next) return std::nullopt;
    const DecodedInstruction& d = *next;
    path += "; " + d.text;
    for (const auto& m : d.memory) {
      if (!m.implicit && m.write && through_tainted(t, m)) {
        return make_flow(FlowClass::tainted_write, "the loaded value becomes a write address: " + path,
                         "the value it was loading is the address of a write " + std::to_string(i + 1) +
                             " instruction" + (i == 0 ? "" : "s") + " later (`" + d.text + "`)");
      }
    }
    if (d.is_call || d.is_jump) {
      bool through = false;
      if (!d.branch_target) {
        for (const auto& r : d.registers_read) through |= tainted(t, r);
        for (const auto& m : d.memory) through |= !m.implicit && through_tainted(t, m);
      }
      if (!through) return std::nullopt;  // the block ends before the value is used
      FlowClass k = d.is_call ? FlowClass::tainted_call : FlowClass::tainted_jump;
      return make_flow(k, std::string("the loaded value becomes a ") + (d.is_call ? "call" : "jump") + " target: " + path,
                       std::string("the value it was loading is the target of `") + d.text + "` " +
                           std::to_string(i + 1) + " instruction" + (i == 0 ? "" : "s") + " later");
    }
    if (d.is_return) return std::nullopt;
    // Data flow: a copy makes its destination tainted or clean; other instructions keep what they
    // compute from a tainted register tainted (pointer arithmetic).
    const bool copy = d.is_move || d.is_lea || d.mnemonic.starts_with("mov");
    if (copy && !d.dest_register.empty()) {
      bool from = tainted(t, d.source_register);
      for (const auto& m : d.memory) from |= !m.implicit && m.read && through_tainted(t, m);
      if (d.address_operand) from |= through_tainted(t, *d.address_operand);
      if (from) t.insert(d.dest_register);
      else t.erase(d.dest_register);
    } else if (!d.dest_register.empty() && tainted(t, d.source_register)) {
      t.insert(d.dest_register);
    }
    at += d.length;
  }
  return std::nullopt;
}

}  // namespace corelens
