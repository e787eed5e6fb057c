#include <array>

#include "unwinder/arch_registers.hpp"

namespace corelens {

// x86_64 psABI DWARF numbering: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
// 8-15 r8-r15, 16 the return address column (rip).
std::optional<DwarfRegisters> dwarf_registers_x86_64(const RegisterSet& registers) {
  static constexpr std::array<std::string_view, 17> kDwarfOrder = {
      "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8",
      "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip"};
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
