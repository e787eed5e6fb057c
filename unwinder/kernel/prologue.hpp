// Frame 0 in kernel code that ORC does not describe. objtool leaves out functions marked
// STACK_FRAME_NON_STANDARD; one of them is __crash_kexec(), where kdump saves the panicking CPU's
// registers (crash_setup_regs() reads rsp and rip with inline asm), so every kdump vmcore starts
// its panicking CPU there. Reading the function's code from its entry to the pc (core/analysis's
// InstructionDecoder) says how much it has pushed, hence where its return address is; the frame
// is kept only when that return address follows a direct call of this very function.
//
// Ownership: holds references to the memory and symbols it reads; they must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/model/kernel/kernel_memory_x86_64.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "unwinder/kernel/orc.hpp"

namespace corelens {

struct StackDepth {
  std::uint64_t depth = 0;                 // bytes pushed since entry: the return address is at sp + depth
  std::optional<std::uint64_t> rbp_saved;  // where rbp was pushed, as a depth (its slot is entry sp - this)
};

// Follows CODE (the function's bytes from START) up to PC, counting pushes, pops and rsp
// arithmetic; an epilogue before a ret or tail jump does not count for the code after it. nullopt
// when PC is not on an instruction boundary or the function does anything else to rsp (frame
// pointers, alignment, alloca): then nothing is guessed.
std::optional<StackDepth> stack_depth_at(std::span<const std::uint8_t> code, std::uint64_t start, std::uint64_t pc);

class KernelPrologueFallback final : public NoOrcFallback {
 public:
  KernelPrologueFallback(const MemorySource& memory, const KernelSymbols& symbols) : memory_(memory), symbols_(symbols) {}
  std::optional<NoOrcFrame> caller_of(std::uint64_t ip, std::uint64_t sp) const override;
  bool returns_from(std::uint64_t ra, std::uint64_t ip) const override;

 private:
  const MemorySource& memory_;
  const KernelSymbols& symbols_;
};

}  // namespace corelens
