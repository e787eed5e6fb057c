// Disassembly around a frame's pc, for the GUI's code view: code read through a MemorySource (so
// code the dump did not save comes from the verified module file), decoded by the per-architecture
// Disassembler (disassembler.hpp), the same decoder the fault explanation uses, for every
// architecture a dump can come from. Qt-free, so the decoding can be tested alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"

namespace corelens {

struct Instruction {
  std::uint64_t address = 0;
  std::vector<std::uint8_t> bytes;
  std::string mnemonic;   // "mov"
  std::string operands;   // "eax, dword ptr [rax]" (Intel syntax on x86)
  bool is_call = false;
  bool is_jump = false;
  bool is_return = false;
  std::optional<std::uint64_t> target;      // direct call or jump destination
  std::optional<std::uint64_t> rip_target;  // address a pc-relative operand refers to
};

struct Disassembly {
  std::vector<Instruction> instructions;
  int current = -1;   // index of the instruction that faulted, or of the call a caller is in
  std::string error;  // why there is nothing (or less than asked) to show
};

struct DisassemblyRequest {
  std::string arch;              // Report::arch: "x86_64", "aarch64", "i386", "arm", ...
  std::uint64_t pc = 0;          // an instruction boundary: frame 0's pc, or a return address
  std::uint64_t highlight = 0;   // the instruction containing this address is `current`
  std::optional<std::uint64_t> function_start;  // decode from here when it is close enough
  int before = 12;               // instructions shown before pc (when the start is unknown/far)
  int after = 12;                // instructions shown from pc on
  // The thread's registers, where the architecture has two instruction sets (arm: CPSR.T says
  // Thumb); without them arm code is read as Thumb, as Debian's armhf code is.
  const std::vector<Register>* registers = nullptr;
};

Disassembly disassemble(const MemorySource& memory, const DisassemblyRequest& request);

}  // namespace corelens
