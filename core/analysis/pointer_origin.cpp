#include "core/analysis/pointer_origin.hpp"

#include <algorithm>
#include <array>

#include "core/analysis/explain.hpp"
#include "core/analysis/memory_read.hpp"

namespace corelens {
namespace {

// Decoding a whole function to trace one register: bounded, since the range comes from DWARF in
// a file that may be hostile, and a real function this long is not worth the time.
constexpr std::uint64_t kMaxFunctionBytes = 256 * 1024;
constexpr int kMaxSteps = 16;   // mov/lea/load steps followed back from the fault
constexpr int kMaxDerefs = 4;   // "a->b->c->d->e" is as deep as a sentence should go

// The registers a call may change (System V x86_64: the caller-saved ones).
constexpr std::array<std::string_view, 9> kCallClobbered{"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"};

// Whether INSN writes all 64 bits of its destination register with a plain copy: "mov rax, ..."
// (not "mov eax, ...", which zero-extends 32 bits, nor a byte or word move).
bool full_width_destination(const DecodedInstruction& insn) {
  return !insn.dest_register.empty() && insn.dest_written == insn.dest_register;
}

struct Function {
  std::vector<DecodedInstruction> code;   // every instruction from the start, in address order
  std::vector<std::uint64_t> targets;     // direct branch targets inside, sorted
  std::size_t fault = 0;                  // index of the faulting instruction
};

std::optional<Function> decode_function(std::uint64_t pc, const MemorySource& memory, const Disassembler& dis,
                                        const VariableResolver& variables) {
  auto range = variables.function_range(pc);
  if (!range || range->first > pc || pc >= range->second || range->second - range->first > kMaxFunctionBytes) {
    return std::nullopt;
  }
  // The whole function, past the pc too: a loop's branch back from below can land above it.
  std::uint64_t end = range->second;
  std::vector<std::byte> bytes(end - range->first);
  if (!memory.read(range->first, bytes)) return std::nullopt;
  Function f;
  bool found = false;
  for (std::uint64_t at = range->first; at < end;) {
    auto insn = dis.decode(std::span<const std::byte>(bytes).subspan(at - range->first), at);
    if (!insn || insn->length == 0) break;  // data or padding: what follows cannot be trusted
    if (at == pc) {
      f.fault = f.code.size();
      found = true;
    }
    if (insn->branch_target && *insn->branch_target >= range->first && *insn->branch_target < end) {
      f.targets.push_back(*insn->branch_target);
    }
    at += insn->length;
    f.code.push_back(std::move(*insn));
  }
  if (!found) return std::nullopt;  // the pc is not on an instruction boundary of a linear sweep
  std::sort(f.targets.begin(), f.targets.end());
  return f;
}

// A branch lands in (from, to]: the straight line from FROM to TO is not the only way there.
bool branch_into(const Function& f, std::uint64_t from, std::uint64_t to) {
  auto it = std::upper_bound(f.targets.begin(), f.targets.end(), from);
  return it != f.targets.end() && *it <= to;
}

// The registers whose value just before instruction INDEX is still the value at the crash: none
// of the instructions from INDEX up to the faulting one wrote them.
std::vector<Register> known_before(const Function& f, std::size_t index, const std::vector<Register>& at_crash) {
  std::vector<Register> out;
  for (const auto& r : at_crash) {
    bool changed = false;
    for (std::size_t k = index; k < f.fault && !changed; ++k) changed = clobbers(f.code[k], r.name);
    if (!changed) out.push_back(r);
  }
  return out;
}

// The dump must agree: from the root, following DEREFS gives the base register's value at the
// crash (less what lea added after the last load).
bool verify(const PointerOrigin& o, std::int64_t top_adjust, std::uint64_t base_value, const MemorySource& memory) {
  std::optional<std::uint64_t> v;
  if (o.address) v = read_u64(memory, *o.address);
  else v = register_value(o.registers, o.reg);
  if (!v) return false;
  for (std::int64_t d : o.derefs) {
    v = read_u64(memory, *v + static_cast<std::uint64_t>(d));
    if (!v) return false;
  }
  return *v + static_cast<std::uint64_t>(top_adjust) == base_value;
}

PointerName finish(const NamedAccess& n, bool traced) {
  PointerName p;
  p.variable = n.pointer;
  if (!n.member.empty()) p.member = member_expression(n.pointer, n.member, n.reference);
  p.traced = traced;
  return p;
}

}  // namespace

bool clobbers(const DecodedInstruction& insn, std::string_view reg) {
  if (insn.is_call && std::find(kCallClobbered.begin(), kCallClobbered.end(), reg) != kCallClobbered.end()) return true;
  return std::find(insn.registers_written.begin(), insn.registers_written.end(), reg) != insn.registers_written.end();
}

std::string member_expression(const std::string& pointer, const std::string& member, bool reference) {
  // A pointer that is itself a dereference needs parentheses before -> and [].
  std::string p = !pointer.empty() && pointer.front() == '*' ? "(" + pointer + ")" : pointer;
  if (reference) return member.empty() ? pointer : member.front() == '[' ? p + member : p + "." + member;
  if (member.empty()) return "*" + pointer;
  if (member.front() == '[') return p + member;
  return p + "->" + member;
}

std::string accessed_expression(const FaultExplanation& f) {
  if (!f.member.empty()) return f.member;
  if (f.variable.empty()) return {};
  if (f.displacement == 0 && f.index_register.empty()) return member_expression(f.variable, "");
  return f.variable;
}

std::optional<PointerName> name_pointer(std::uint64_t pc, const std::string& base, std::optional<std::int64_t> displacement,
                                        const std::vector<Register>& registers, const MemorySource& memory,
                                        const Disassembler& dis, const VariableResolver& variables) {
  // The location lists may name the register at the pc itself (optimised code).
  PointerOrigin direct;
  direct.pc = pc;
  direct.registers = registers;
  direct.reg = base;
  if (auto n = variables.name_access(direct, displacement)) return finish(*n, false);

  auto base_value = register_value(registers, base);
  if (!base_value) return std::nullopt;
  auto f = decode_function(pc, memory, dis, variables);
  if (!f) return std::nullopt;

  // Walk back from the fault, following REG's value just before instruction INDEX. What happens
  // to that value on its way to the faulting access, in execution order: HEAD added (lea), then
  // each load of LOADS (at the value plus its offset), then TAIL added. A step back prepends.
  std::string reg = base;
  std::size_t index = f->fault;
  std::vector<std::int64_t> loads;
  std::int64_t head = 0, tail = 0;
  auto attempt = [&](PointerOrigin o) -> std::optional<PointerName> {
    o.derefs = loads;
    if (!o.derefs.empty()) o.derefs.front() += head;
    if (!verify(o, tail, *base_value, memory)) return std::nullopt;
    std::optional<std::int64_t> offset;
    if (displacement) offset = *displacement + tail;
    auto n = variables.name_access(o, offset);
    if (!n) return std::nullopt;
    return finish(*n, true);
  };

  for (int step = 0; step < kMaxSteps; ++step) {
    if (index != f->fault) {
      // The register itself, at an earlier instruction (a parameter before it was spilled).
      PointerOrigin o;
      o.pc = f->code[index].address;
      o.registers = known_before(*f, index, registers);
      o.reg = reg;
      if (register_value(o.registers, reg)) {
        if (auto n = attempt(o)) return n;
      }
    }
    // The last instruction before INDEX that wrote REG, with nothing landing in between.
    std::optional<std::size_t> writer;
    for (std::size_t k = index; k-- > 0;) {
      if (clobbers(f->code[k], reg)) {
        writer = k;
        break;
      }
    }
    if (!writer || branch_into(*f, f->code[*writer].address, f->code[index].address)) return std::nullopt;
    const DecodedInstruction& w = f->code[*writer];
    if (w.is_call || !full_width_destination(w) || w.dest_register != reg) return std::nullopt;

    if (w.is_move && !w.source_register.empty()) {  // mov reg, reg: the same value
      reg = w.source_register;
      index = *writer;
      continue;
    }
    if (w.is_lea && w.address_operand && !w.address_operand->base.empty() && w.address_operand->index.empty() &&
        !w.address_operand->pc_relative) {          // lea reg, [src + d]: src's value plus d
      (loads.empty() ? tail : head) += w.address_operand->displacement;
      reg = w.address_operand->base;
      index = *writer;
      continue;
    }
    if ((w.is_add || w.is_sub) && w.immediate) {  // add reg, imm: pointer arithmetic in place
      (loads.empty() ? tail : head) += w.is_add ? *w.immediate : -*w.immediate;
      index = *writer;
      continue;
    }
    if (!w.is_move || w.memory.size() != 1) return std::nullopt;
    const MemoryOperand& m = w.memory.front();
    if (m.size != 8 || !m.index.empty() || !m.segment.empty() || m.base.empty()) return std::nullopt;
    // A load: the value came from memory at m.base + d.
    if (m.pc_relative) {                            // a global: its address is fixed
      PointerOrigin o;
      o.pc = w.address;
      o.registers = known_before(*f, *writer, registers);
      o.address = w.address + w.length + static_cast<std::uint64_t>(m.displacement);
      if (auto n = attempt(o)) return n;
      // A GOT slot (position-independent code reaching a global of another unit): the slot holds
      // the global's address, and the first load read the global itself.
      if (loads.empty() || loads.front() + head != 0) return std::nullopt;
      auto global = read_u64(memory, *o.address);
      if (!global) return std::nullopt;
      o.address = *global;
      loads.erase(loads.begin());
      head = 0;
      return attempt(o);
    }
    std::vector<Register> known = known_before(*f, *writer, registers);
    if (auto slot_base = register_value(known, m.base)) {
      // A slot at a known address: a stack variable (rbp/rsp-relative) or one reached through a
      // register that has not changed since.
      PointerOrigin o;
      o.pc = w.address;
      o.registers = known;
      o.address = *slot_base + static_cast<std::uint64_t>(m.displacement);
      if (auto n = attempt(o)) return n;
    }
    if (static_cast<int>(loads.size()) >= kMaxDerefs) return std::nullopt;
    if (!loads.empty()) loads.front() += head;
    head = 0;
    loads.insert(loads.begin(), m.displacement);
    reg = m.base;
    index = *writer;
  }
  return std::nullopt;
}

}  // namespace corelens
