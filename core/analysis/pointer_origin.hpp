// Naming the pointer of a faulting access: which source variable (and member) the base register
// holds, by the DWARF variables that VariableResolver reads.
//
// Optimised code often keeps the variable in the register itself, and the location lists say so
// at the faulting pc. Code built with -O0 never does: every statement loads the pointer from the
// variable's stack slot into a scratch register first (`mov rax, [rbp-0x18]; mov eax, [rax+8]`),
// and chains of members load again through it (`pkt->hdr->len`). So when no variable is in the
// register, the function is decoded from its start up to the pc and the register's value is
// followed back through mov/lea/loads to a variable: a stack slot or global that DWARF names, or
// a register that it names at an earlier instruction. Each step must be on the straight-line
// path to the fault (no branch lands in between, no call clobbers the register), and the
// result is checked against the dump: re-reading the chain from the variable's memory must give
// the register's value at the crash, or nothing is named.
//
// Ownership: borrows everything for the duration of the call; returns values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/analysis/crash_analysis.hpp"
#include "core/analysis/disassembler.hpp"

namespace corelens {

// FaultExplanation's variable and member (core/model/report.hpp).
struct PointerName {
  std::string variable;    // the pointer's expression: "h", "pkt->hdr"
  std::string member;      // the accessed member in full, "h->len", "p[3]"; empty when not a member
  bool traced = false;     // found by reading the code back from the pc (not at the pc itself)
};

// BASE is the faulting operand's base register at PC; DISPLACEMENT its displacement, absent
// when the operand also has an index register.
std::optional<PointerName> name_pointer(std::uint64_t pc, const std::string& base, std::optional<std::int64_t> displacement,
                                        const std::vector<Register>& registers, const MemorySource& memory,
                                        const Disassembler& disassembler, const VariableResolver& variables);

// Whether INSN changes REG: it writes it, or it is a call and REG is one a call may change (the
// System V x86_64 caller-saved registers).
bool clobbers(const DecodedInstruction& insn, std::string_view reg);

// "h" + "len" -> "h->len", "p" + "[3]" -> "p[3]", "*pp" + "len" -> "(*pp)->len"; an empty
// member dereferences the pointer itself: "*p".
// A REFERENCE names its object directly: "h" + "len" -> "h.len".
std::string member_expression(const std::string& pointer, const std::string& member, bool reference = false);

// What the access touched, as the sentence says it: the member ("h->len"), else the pointee of a
// pointer accessed at offset 0 ("*p"), else the pointer ("p"); empty when no variable is known.
std::string accessed_expression(const FaultExplanation& fault);

}  // namespace corelens
