#include <array>

#include "unwinder/arch_registers.hpp"

namespace corelens {

// x86_64 psABI DWARF numbering: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
// 8-15 r8-r15, 16 the return address column (rip).
namespace {
constexpr std::array<std::string_view, 17> kDwarfOrder = {
    "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8",
    "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip"};
}  // namespace

std::string_view dwarf_register_name(Arch arch, unsigned regno) {
  if (arch == Arch::x86_64 && regno < kDwarfOrder.size()) return kDwarfOrder[regno];
  return {};
}

unsigned dwarf_register_count(Arch arch) { return arch == Arch::x86_64 ? kDwarfOrder.size() : 0; }

// The SysV x86_64 ABI preserves rbx, rbp, r12-r15 (and rsp) across calls; the other registers
// of a caller frame are unknown, whatever value an unwinder carries over.
bool dwarf_register_survives_calls(Arch arch, unsigned regno) {
  if (arch != Arch::x86_64) return false;
  return regno == 3 || regno == 6 || regno == 7 || (regno >= 12 && regno <= 16);
}

std::optional<DwarfRegisters> dwarf_registers_x86_64(const RegisterSet& registers) {
  DwarfRegisters out;
  out.sp_regno = 7;
  out.values.reserve(kDwarfOrder.size());
  for (auto name : kDwarfOrder) {
    auto v = registers.get(name);
    if (!v) return std::nullopt;  // a short NT_PRSTATUS: without every register, no unwinding
    out.values.push_back(*v);
  }
  return out;
}

std::optional<DwarfRegisters> dwarf_registers(Arch arch, const RegisterSet& registers) {
  switch (arch) {
    case Arch::x86_64: return dwarf_registers_x86_64(registers);
    default: return std::nullopt;
  }
}

}  // namespace corelens
