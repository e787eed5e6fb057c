// Disassembler: decodes one instruction into what the fault explanation needs (its memory
// operands, their registers, access kind and size), behind a small interface so that Capstone
// stays behind it: one implementation file per architecture (disassembler_x86.cpp for x86_64 and
// i386, _arm64, _arm, _ppc64le, _s390x). Register names are the ones the parsers give the
// thread's registers, so operands can be evaluated against them.
//
// Ownership: a Disassembler owns its Capstone handle; decoded instructions are plain values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/model/arch.hpp"
#include "core/model/error.hpp"
#include "core/model/process.hpp"

namespace corelens {

struct MemoryOperand {
  std::string base, index, segment;  // canonical full-width register names ("rax"); "" if none
  std::string base_written;          // as the instruction names it ("eax"), for the sentence
  std::int64_t displacement = 0;
  std::uint32_t scale = 1;
  std::uint32_t size = 0;            // bytes accessed, 0 when the decoder does not say
  bool pc_relative = false;          // base is the instruction pointer (next instruction)
  bool read = false, write = false;
  bool implicit = false;             // the stack slot of push/call/pop/ret, not written out
};

struct DecodedInstruction {
  std::uint64_t address = 0;
  std::uint32_t length = 0;
  std::string text;                  // "mov eax, dword ptr [rax]"
  std::string mnemonic;
  std::vector<MemoryOperand> memory;
  std::vector<std::string> registers_read;  // explicit register operands (canonical names)
  bool is_call = false, is_return = false, is_jump = false;
  bool is_divide = false;            // div/idiv: the divisor is a register or memory operand
  bool is_undefined = false;         // ud2 / ud1 / ud0: "undefined on purpose"
  // Data flow, for tracing a pointer back through the instructions before a fault
  // (pointer_origin.cpp): every register the instruction writes, explicit or implicit (canonical
  // names, flags left out); the first and second explicit operands when they are registers, as
  // canonical names and as written ("eax" writes rax's low half and zeroes the rest); lea's
  // address operand (lea touches no memory, so it is not in MEMORY); a direct branch's target.
  std::vector<std::string> registers_written;
  std::string dest_register, dest_written, source_register, source_written;
  std::optional<MemoryOperand> address_operand;
  std::optional<std::uint64_t> branch_target;
  std::optional<std::int64_t> immediate;  // the second operand, when it is an immediate
  bool is_move = false;              // mov (not movzx/movsx/cmov): the value is copied unchanged
  bool is_lea = false;
  bool is_add = false, is_sub = false;
};

class Disassembler {
 public:
  virtual ~Disassembler() = default;
  // Decodes the first instruction of CODE, which starts at ADDRESS.
  virtual Result<DecodedInstruction> decode(std::span<const std::byte> code, std::uint64_t address) const = 0;
  virtual std::string stack_pointer() const = 0;        // "rsp"
  virtual std::string instruction_pointer() const = 0;  // "rip"
  virtual std::size_t max_instruction_length() const = 0;
  // The boundary every instruction starts on: 1 on x86, 2 for Thumb and s390x, 4 elsewhere. A
  // disassembly window that does not know where a function starts tries start offsets this far
  // apart until one decodes onto the pc.
  virtual std::size_t instruction_alignment() const { return 4; }
  // What the pc reads as in a pc-relative operand of INSN: the next instruction on x86; arm's
  // pc reads 8 bytes (4 in Thumb) past the instruction, word-aligned.
  virtual std::uint64_t pc_relative_base(const DecodedInstruction& insn) const { return insn.address + insn.length; }
};

// A disassembler for ARCH, or an error saying the architecture is not supported. REGISTERS, when
// given, pick the instruction set where the architecture has two (arm: Thumb when CPSR.T is set;
// Thumb by default, as Debian's armhf code is).
Result<std::unique_ptr<Disassembler>> make_disassembler(Arch arch, const std::vector<Register>* registers = nullptr);
// The decoding library behind every Disassembler and its version, for --version: {"capstone", "4.0"}.
std::pair<std::string, std::string> disassembler_library_version();

}  // namespace corelens
