// Whether an address is a plausible return address: executable, and just after a call
// instruction (decoded by core/analysis's InstructionDecoder). The frame-pointer walk and the stack scan accept a caller
// only on this evidence; it is what keeps a scan from turning stale stack words into frames.
//
// Calls per architecture: x86 call (2-8 bytes on x86_64, 2-7 on i386); aarch64 bl/blr; arm bl/blx
// in A32 and T32 (a Thumb return address has bit 0 set: the call ends just below it, 4 or 2 bytes
// long); ppc64 bl/bla/bctrl/blrl; s390x brasl/bras/basr (6, 4, 2 bytes).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "core/analysis/instruction_facts.hpp"
#include "core/model/arch.hpp"
#include "unwinder/target.hpp"

namespace corelens {

class CallSiteCheck {
 public:
  explicit CallSiteCheck(Arch arch);
  CallSiteCheck(const CallSiteCheck&) = delete;
  CallSiteCheck& operator=(const CallSiteCheck&) = delete;

  // Just after a call, or the start of a signal trampoline a handler returns into.
  bool is_return_address(const Target& target, std::uint64_t addr) const;
  bool is_signal_trampoline(const Target& target, std::uint64_t addr) const;

  // Whether ADDR is in executable memory whose code cannot be read: the module's file is missing
  // or another build, and the core saved no copy (the kernel does not save file-backed code).
  // Nothing confirms or refutes a call before such an address; the frame-pointer fallback accepts
  // it with lower trust (unwind_rules.cpp), so a core without its executable still unwinds.
  bool is_unverifiable(const Target& target, std::uint64_t addr) const;

  struct CallSite {
    std::uint64_t address = 0;             // of the call instruction
    std::optional<std::uint64_t> target;   // a direct call's destination
  };
  // The call instruction that ADDR returns after, or nullopt when ADDR is no return address.
  std::optional<CallSite> call_before(const Target& target, std::uint64_t addr) const;

  // The code address of a return address: a Thumb one has bit 0 set, which no pc has.
  std::uint64_t code_address(std::uint64_t addr) const { return arch_ == Arch::arm ? addr & ~std::uint64_t{1} : addr; }

 private:
  std::optional<CallSite> decode_call(const Target& target, std::uint64_t ret, std::size_t decoder_index) const;

  Arch arch_;
  // Opened once: the checks run for every candidate word of a stack scan. [0] the main mode,
  // [1] Thumb for arm; null when there is none.
  std::unique_ptr<InstructionDecoder> decoders_[2];
};

}  // namespace corelens
