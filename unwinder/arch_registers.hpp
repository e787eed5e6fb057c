// Per-architecture register facts the unwinder needs: which register of the model (named as the
// parsers name them, parsers/arch_layout.hpp) is which DWARF register, the stack pointer, frame
// pointer and link register, and which registers a caller frame's values mean anything for. One
// implementation file per architecture (arch_x86_64.cpp, arch_aarch64.cpp ...).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model/arch.hpp"
#include "core/model/process.hpp"

namespace corelens {

struct DwarfRegisterName {
  unsigned regno;
  std::string_view name;  // the model's name for it ("rbx", "x19", "r14")
};

struct UnwindArch {
  Arch arch = Arch::unknown;
  // Registers 0 .. N-1 of the DWARF numbering, contiguous, as every psABI numbers its general
  // registers; then a few beyond (ppc64's lr and ctr at 65, 66).
  std::span<const DwarfRegisterName> registers;
  std::span<const DwarfRegisterName> extra;
  unsigned sp_regno = 0;
  std::optional<unsigned> fp_regno;  // the frame pointer, where the ABI chains frames through it
  std::optional<unsigned> lr_regno;  // the link register, where calls leave the return address there
  // Callee-saved registers (the stack pointer included): the ones whose caller-frame values an
  // unwinder recovers meaningfully; the others of a caller frame are unknown.
  std::span<const unsigned> callee_saved;
  // Whether the pc is one of the DWARF registers (x86: the return-address column rip/eip).
  // Elsewhere it is reported under the model's pc name beside them.
  bool pc_is_dwarf_register = false;
};

// The facts for ARCH, or null for an architecture the unwinder does not know.
const UnwindArch* unwind_arch(Arch arch);
const UnwindArch& unwind_arch_x86_64();
const UnwindArch& unwind_arch_i386();
const UnwindArch& unwind_arch_aarch64();
const UnwindArch& unwind_arch_arm();
const UnwindArch& unwind_arch_ppc64le();
const UnwindArch& unwind_arch_s390x();

struct DwarfRegisters {
  std::vector<std::uint64_t> values;  // DWARF registers 0 .. values.size()-1
  std::vector<std::pair<unsigned, std::uint64_t>> extra;  // registers numbered beyond them
  std::optional<std::uint64_t> pc;    // always set when the registers are complete
  unsigned sp_regno = 0;              // DWARF number of the stack pointer
};

// The registers of frame 0 in DWARF numbering, or nullopt for an architecture we cannot unwind
// or a register set missing one of them (a short NT_PRSTATUS).
std::optional<DwarfRegisters> dwarf_registers(Arch arch, const RegisterSet& registers);

// The name of DWARF register REGNO ("rbx"), or "" when the architecture has none by that number.
std::string_view dwarf_register_name(Arch arch, unsigned regno);
// One past the highest DWARF register an unwinder can recover for ARCH.
unsigned dwarf_register_count(Arch arch);
// Whether a caller frame's value of REGNO is meaningful: callee-saved registers, the stack
// pointer and, where it is a DWARF register, the pc (the return address column).
bool dwarf_register_survives_calls(Arch arch, unsigned regno);

}  // namespace corelens
