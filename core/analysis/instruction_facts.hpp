// InstructionDecoder: the few facts about one instruction that the unwinder's checks read - its
// length, whether it is a call and where a direct call goes, the stack arithmetic a prologue
// reader follows (push, pop, add/sub of an immediate, lea, register lists) - decoded with the
// same library as the Disassembler but without its text and data-flow work, since the call-site
// checks run on every candidate return address of a stack scan. The header names no Capstone
// type: the unwinder reaches the decoder only through it.
//
// Registers are DWARF register numbers (x86_64: rsp 7, rbp 6; i386: esp 4; arm: r0-r15;
// aarch64: x0-x30, sp 31); a register without one here (segment, vector, flags; every register
// on ppc64le and s390x) reads as kUnnumberedRegister, and an absent one as kNoRegister.
//
// Ownership: an InstructionDecoder owns its library handle (one per architecture and mode; open
// it once and keep it, decoding is cheap, opening is not). Decoded facts are plain values.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "core/model/arch.hpp"

namespace corelens {

inline constexpr std::int16_t kNoRegister = -1;
inline constexpr std::int16_t kUnnumberedRegister = -2;

struct InstructionOperand {
  enum class Type : std::uint8_t { none, reg, imm, mem };
  Type type = Type::none;
  bool written = false;                   // the instruction writes this operand
  std::int16_t reg = kNoRegister;         // Type::reg
  std::int64_t imm = 0;                   // Type::imm
  std::int16_t base = kNoRegister, index = kNoRegister;  // Type::mem
  std::int64_t displacement = 0;          // Type::mem
};

struct InstructionFacts {
  // The instruction's class, where a check needs to tell them apart. push_multiple is arm's
  // stmdb (push.w's other spelling), push_vector arm's vpush.
  enum class Kind : std::uint8_t {
    other, call, jump, ret, push, pop, push_flags, pop_flags, add, sub, lea, push_multiple, push_vector
  };
  // An arm register list holds at most 16 registers, after stmdb's base register: every operand
  // a prologue reader looks at fits. OPERAND_COUNT is the instruction's own count (vpush's list
  // of d registers is counted, not kept).
  static constexpr std::size_t kMaxOperands = 17;

  std::uint64_t address = 0;
  std::uint32_t length = 0;
  Kind kind = Kind::other;
  // A call as a return address's check knows it: x86 call; aarch64 bl/blr; arm bl/blx;
  // ppc64 bl/bla/bctrl/blrl; s390x brasl/bras/basr.
  bool is_call = false;
  bool branches = false;                  // any jump or call, conditional or not
  bool writes_stack_pointer = false;      // implicitly (push, call, leave) or as its first operand
  bool writeback = false;                 // arm: the base register is updated (stmdb sp!)
  std::optional<std::uint64_t> direct_target;  // a direct call's destination
  std::uint8_t operand_count = 0;
  std::array<InstructionOperand, kMaxOperands> operands{};
};

class InstructionDecoder {
 public:
  // A decoder for ARCH (arm: THUMB picks T32 over A32), or nullptr when the architecture has
  // none or the library cannot open one.
  static std::unique_ptr<InstructionDecoder> open(Arch arch, bool thumb = false);
  ~InstructionDecoder();
  InstructionDecoder(const InstructionDecoder&) = delete;
  InstructionDecoder& operator=(const InstructionDecoder&) = delete;

  // The first instruction of CODE, which starts at ADDRESS; nullopt when it does not decode.
  std::optional<InstructionFacts> decode(std::span<const std::uint8_t> code, std::uint64_t address) const;

 private:
  InstructionDecoder(Arch arch, std::size_t handle) : arch_(arch), handle_(handle) {}
  Arch arch_;
  std::size_t handle_;  // the library's handle (Capstone's csh), kept out of this header
};

}  // namespace corelens
