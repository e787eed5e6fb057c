#include "unwinder/arch_registers.hpp"

#include <algorithm>

namespace corelens {

const UnwindArch* unwind_arch(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return &unwind_arch_x86_64();
    case Arch::i386: return &unwind_arch_i386();
    case Arch::aarch64: return &unwind_arch_aarch64();
    case Arch::arm: return &unwind_arch_arm();
    case Arch::ppc64le: return &unwind_arch_ppc64le();
    case Arch::s390x: return &unwind_arch_s390x();
    case Arch::unknown: break;
  }
  return nullptr;
}

std::string_view dwarf_register_name(Arch arch, unsigned regno) {
  const UnwindArch* a = unwind_arch(arch);
  if (a == nullptr) return {};
  if (regno < a->registers.size()) return a->registers[regno].name;
  for (const auto& r : a->extra) {
    if (r.regno == regno) return r.name;
  }
  return {};
}

unsigned dwarf_register_count(Arch arch) {
  const UnwindArch* a = unwind_arch(arch);
  if (a == nullptr) return 0;
  unsigned count = static_cast<unsigned>(a->registers.size());
  for (const auto& r : a->extra) count = std::max(count, r.regno + 1);
  return count;
}

bool dwarf_register_survives_calls(Arch arch, unsigned regno) {
  const UnwindArch* a = unwind_arch(arch);
  if (a == nullptr) return false;
  return std::find(a->callee_saved.begin(), a->callee_saved.end(), regno) != a->callee_saved.end();
}

std::optional<DwarfRegisters> dwarf_registers(Arch arch, const RegisterSet& registers) {
  const UnwindArch* a = unwind_arch(arch);
  if (a == nullptr) return std::nullopt;
  DwarfRegisters out;
  out.sp_regno = a->sp_regno;
  out.values.reserve(a->registers.size());
  for (const auto& r : a->registers) {
    auto v = registers.get(r.name);
    if (!v) return std::nullopt;  // a short NT_PRSTATUS: without every register, no unwinding
    out.values.push_back(*v);
  }
  for (const auto& r : a->extra) {
    auto v = registers.get(r.name);
    if (!v) return std::nullopt;
    out.extra.emplace_back(r.regno, *v);
  }
  out.pc = registers.get(pc_register(arch));
  if (!out.pc) return std::nullopt;
  return out;
}

}  // namespace corelens
