// The faulting instruction in words: decode it at the crashing thread's pc, find the memory
// operand that faulted, compute its effective address from the thread's registers, and say what
// kind of access it was ("read of 4 bytes at 0x0 through rax (= 0x0)").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/crash_analysis.hpp"
#include "core/analysis/disassembler.hpp"

namespace corelens {

std::optional<std::uint64_t> register_value(const std::vector<Register>& registers, std::string_view name);

struct DecodedFault {
  FaultExplanation fault;
  std::optional<DecodedInstruction> instruction;  // absent when the pc could not be read or decoded
};

// Decodes the instruction at the crashing thread's pc. SIGNAL gives si_addr, used to pick the
// operand that faulted when an instruction has several (movs, push [mem]).
DecodedFault explain_instruction(const ThreadReport& crashed, const std::optional<SignalReport>& signal,
                                 const MemorySource& memory, const Disassembler& disassembler,
                                 const VariableResolver* variables);

// "read of 4 bytes at 0x0 through rax (= 0x0)"; empty when nothing is known of the access.
std::string describe_access(const FaultExplanation& fault);

}  // namespace corelens
