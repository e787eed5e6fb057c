// The fault classes that depend on how control got where it died, or where a bad value was going
// to go (the classes of CERT's !exploitable and CASR, from the instruction's kind and the data
// flow around it):
//
//   bad-return     a `ret` popped an address that is not code (ReturnAv): either the ret itself
//                  faulted (x86_64: a non-canonical target) or the pc is where the popped slot,
//                  just below sp, says it went
//   wild-call      a call through a pointer read from a bad address, or to a target that is not
//   wild-jump      code (CallAv, BranchAv); the pc outside code with [sp] a return site whose
//                  call instruction's target is the pc
//   tainted-write  a read from a bad address whose value, had it been read, becomes a write
//   tainted-call   address, a call target or a jump target within the next few instructions
//   tainted-jump   (DestAvTainted, CallAvTainted, BranchAvTainted)
//
// Each rule reads only the registers, the stack slots and the code: no symbols, no libc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/analysis/crash_analysis.hpp"
#include "core/analysis/disassembler.hpp"

namespace corelens {

enum class FlowClass { bad_return, wild_call, wild_jump, null_call, tainted_write, tainted_call, tainted_jump };

struct FlowFault {
  FlowClass kind = FlowClass::wild_call;
  std::string rule;    // what decided it, with the values read
  std::string detail;  // the phrase of the "why" sentence
  std::optional<std::uint64_t> caller_return;  // a call into nowhere: the return address it pushed
};

// The pc is not in executable memory (or is where nothing is mapped): how did it get there? On
// x86 a call leaves a return site at [sp] and a ret the address it popped just below sp; where
// calls set a link register, a ret leaves pc == lr and a call through a register leaves lr at a
// return site whose call's register is the pc.
std::optional<FlowFault> classify_arrival(const ProcessDump& dump, const MemorySource& memory, const Disassembler& dis,
                                          const std::vector<Register>& registers, std::uint64_t pc);

// The faulting instruction itself is a ret, or an indirect call or jump, whose target (or the
// pointer it reads its target from) is bad. ADDRESS is the fault address (si_addr, or the decoded
// operand's when the core records none); GP_FAULT: the kernel's general-protection fault
// (SI_KERNEL), which x86 raises for a non-canonical target.
std::optional<FlowFault> classify_branch(const ProcessDump& dump, const MemorySource& memory,
                                         const std::vector<Register>& registers, const DecodedInstruction& insn,
                                         std::optional<std::uint64_t> address, bool gp_fault);

// A read fault at a wild address: follows the register it was loading forward over at most a few
// straight-line instructions; tainted-* when it becomes a write address or a branch target.
std::optional<FlowFault> classify_tainted_read(const MemorySource& memory, const Disassembler& dis,
                                               const DecodedInstruction& insn);

}  // namespace corelens
