// Per-architecture register facts the unwinder needs: the DWARF numbering of a thread's initial
// registers. One implementation file per architecture (arch_x86_64.cpp ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/arch.hpp"
#include "core/process.hpp"

namespace corelens {

struct DwarfRegisters {
  std::vector<std::uint64_t> values;  // DWARF registers 0 .. values.size()-1
  std::optional<std::uint64_t> pc;    // when the pc is not among them
  unsigned sp_regno = 0;              // DWARF number of the stack pointer
};

// The registers of frame 0 in DWARF numbering, or nullopt for an architecture we cannot unwind.
std::optional<DwarfRegisters> dwarf_registers(Arch arch, const RegisterSet& registers);

std::optional<DwarfRegisters> dwarf_registers_x86_64(const RegisterSet& registers);

// The name of DWARF register REGNO ("rbx"), or "" when the architecture has none by that number.
std::string_view dwarf_register_name(Arch arch, unsigned regno);
// How many DWARF registers an unwinder can recover for ARCH (general-purpose ones and the pc).
unsigned dwarf_register_count(Arch arch);
// Whether a caller frame's value of REGNO is meaningful: callee-saved registers, the stack
// pointer and the pc (the return address column).
bool dwarf_register_survives_calls(Arch arch, unsigned regno);

}  // namespace corelens
