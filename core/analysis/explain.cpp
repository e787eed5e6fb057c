#include "core/analysis/explain.hpp"

#include <array>

#include "core/analysis/pointer_origin.hpp"
#include "core/model/strings.hpp"

namespace corelens {

std::optional<std::uint64_t> register_value(const std::vector<Register>& registers, std::string_view name) {
  for (const auto& r : registers) {
    if (r.name == name) return r.value;
  }
  return std::nullopt;
}

namespace {

// Reads as many instruction bytes at PC as the memory has, up to MAX: an instruction at the end
// of a mapping is shorter than the longest possible one.
std::vector<std::byte> read_code(const MemorySource& memory, std::uint64_t pc, std::size_t max) {
  std::vector<std::byte> bytes(max);
  for (std::size_t n = max; n > 0; --n) {
    if (memory.read(pc, std::span<std::byte>(bytes.data(), n))) {
      bytes.resize(n);
      return bytes;
    }
  }
  return {};
}

struct Evaluated {
  std::optional<std::uint64_t> address;
  std::optional<std::uint64_t> base_value, index_value;
};

Evaluated evaluate(const MemoryOperand& m, const DecodedInstruction& insn, const std::vector<Register>& regs,
                   const Disassembler& dis) {
  Evaluated e;
  std::uint64_t ea = static_cast<std::uint64_t>(m.displacement);
  bool known = true;
  if (m.pc_relative) {
    // The instruction pointer reads as the address of the next instruction (x86; see
    // pc_relative_base for the others).
    e.base_value = dis.pc_relative_base(insn);
    ea += *e.base_value;
  } else if (!m.base.empty()) {
    e.base_value = register_value(regs, m.base);
    if (e.base_value) ea += *e.base_value;
    else known = false;
  }
  if (!m.index.empty()) {
    e.index_value = register_value(regs, m.index);
    if (e.index_value) ea += *e.index_value * m.scale;
    else known = false;
  }
  if (!m.segment.empty() && m.segment != dis.instruction_pointer()) {
    // fs:/gs: add the segment base (thread-local storage); cs/ds/es/ss are flat in 64-bit mode.
    if (m.segment == "fs_base" || m.segment == "gs_base") {
      if (auto seg = register_value(regs, m.segment)) ea += *seg;
      else known = false;
    } else if (m.segment == "fs" || m.segment == "gs") {
      known = false;  // i386: a selector whose base the core does not record
    }
  }
  if (known) e.address = ea;
  return e;
}

}  // namespace

DecodedFault explain_instruction(const ThreadReport& crashed, const std::optional<SignalReport>& signal,
                                 const MemorySource& memory, const Disassembler& dis,
                                 const VariableResolver* variables) {
  DecodedFault out;
  FaultExplanation& f = out.fault;
  const auto& regs = crashed.registers;
  auto pc = register_value(regs, dis.instruction_pointer());
  if (!pc && !crashed.frames.empty()) pc = crashed.frames.front().pc;
  if (!pc) return out;
  f.pc = *pc;
  // Two plain values, not an optional: g++ 12 warns (maybe-uninitialized) on the optional here.
  bool has_si = signal && signal->address;
  std::uint64_t si = has_si ? *signal->address : 0;

  std::vector<std::byte> code = read_code(memory, *pc, dis.max_instruction_length());
  if (code.empty()) {
    // No bytes at the pc: the process jumped to memory that is not there (or not executable).
    f.access = "execute";
    f.address = *pc;
    if (has_si) f.matches_fault_address = si == *pc;
    return out;
  }
  auto insn = dis.decode(code, *pc);
  if (!insn) return out;
  f.instruction = insn->text;

  // Which memory operand faulted: the one whose address is si_addr, else the same page, else the
  // first one written (a write fault is the likelier one), else the first.
  const MemoryOperand* chosen = nullptr;
  Evaluated chosen_eval;
  int best = -1;
  for (const auto& m : insn->memory) {
    Evaluated e = evaluate(m, *insn, regs, dis);
    int score = 0;
    if (e.address && has_si && *e.address == si) score = 4;
    else if (e.address && has_si && (*e.address >> 12) == (si >> 12)) score = 3;
    else if (m.write) score = 2;
    else score = 1;
    if (m.implicit) score -= 1;  // explicit operands first when nothing else decides
    if (score > best) {
      best = score;
      chosen = &m;
      chosen_eval = e;
    }
  }
  if (chosen != nullptr) {
    f.access = chosen->write ? "write" : "read";
    f.size = chosen->size;
    f.address = chosen_eval.address;
    f.base_register = chosen->pc_relative ? dis.instruction_pointer() : chosen->base;
    f.index_register = chosen->index;
    f.base_value = chosen_eval.base_value;
    f.index_value = chosen_eval.index_value;
    f.scale = chosen->index.empty() ? 0 : chosen->scale;
    f.displacement = chosen->displacement;
    if (has_si && f.address) f.matches_fault_address = *f.address == si;
    if (variables != nullptr && !chosen->base.empty() && !chosen->pc_relative && !chosen->implicit) {
      std::optional<std::int64_t> displacement;
      if (chosen->index.empty()) displacement = chosen->displacement;
      if (auto n = name_pointer(*pc, chosen->base, displacement, regs, memory, dis, *variables)) {
        f.variable = n->variable;
        f.member = n->member;
      }
    }
  }
  out.instruction = std::move(*insn);
  return out;
}

std::string describe_access(const FaultExplanation& f) {
  if (f.access.empty()) return {};
  std::string s;
  if (f.access == "execute") {
    s = "execution at " + (f.address ? hex(*f.address) : std::string("an unknown address"));
    return s;
  }
  s = f.access + " of ";
  s += f.size == 0 ? std::string("unknown size") : std::to_string(f.size) + (f.size == 1 ? " byte" : " bytes");
  if (f.address) s += " at " + hex(*f.address);
  if (!f.base_register.empty() || !f.index_register.empty()) {
    s += " through ";
    std::string through;
    if (!f.base_register.empty()) {
      // The variable, when known, is named once, as what was accessed (crash_analysis.cpp).
      through = f.base_register;
      if (f.base_value) through += " (= " + hex(*f.base_value) + ")";
    }
    if (!f.index_register.empty()) {
      if (!through.empty()) through += " + ";
      through += f.index_register;
      if (f.index_value) through += " (= " + hex(*f.index_value) + ")";
      if (f.scale > 1) through += "*" + std::to_string(f.scale);
    }
    if (f.displacement > 0) through += " + " + hex(static_cast<std::uint64_t>(f.displacement));
    else if (f.displacement < 0) through += " - " + hex(0 - static_cast<std::uint64_t>(f.displacement));
    s += through;
  }
  return s;
}

}  // namespace corelens
