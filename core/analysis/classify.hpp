// Classification: one category per crash, with the rule that fired and a severity hint in the
// spirit of CERT's `exploitable` (exploitable, probably-exploitable, probably-not-exploitable,
// unknown). Categories (stable identifiers, also in cli/report.schema.json):
//
//   null-pointer-read  null-pointer-write  null-pointer-call  wild-read  wild-write
//   write-to-readonly  exec-non-executable  stack-overflow  assertion-failed  abort
//   heap-corruption  stack-smashing  uncaught-exception  divide-by-zero  illegal-instruction
//   bus-error  killed  rust-panic  qt-fatal  unknown
//   bad-return  wild-call  wild-jump  tainted-write  tainted-call  tainted-jump  fortify-check
//   raised-signal (raised_signals.hpp)  null-pointer-access  wild-access (no code bytes at the pc)
//
// docs/user-guide.md maps each to the names CERT's !exploitable and CASR give the same crash.
#pragma once

#include <optional>
#include <string>

#include "core/analysis/crash_analysis.hpp"
#include "core/analysis/disassembler.hpp"

namespace corelens {

struct Classified {
  CrashClassification classification;
  std::string detail;              // the reason as a phrase for the "why" sentence
  std::string after_site;          // said after the place ("; the instruction ... is not available: ...")
  const Frame* site = nullptr;     // the frame the sentence names ("in f3 at null_read.c:15")
  // A jump to nowhere: the caller read from the return address the call left at [sp], which the
  // unwinder may have missed (it cannot use CFI at a pc outside every module).
  std::optional<Frame> recovered_caller;
};

Classified classify_crash(const CrashInputs& in, const ThreadReport& crashed, const FaultExplanation& fault,
                          const DecodedInstruction* instruction, const SkipList& skip);

// glibc's __abort_msg: the text of the last fatal message (assert, malloc check, stack
// protector, fortify) that glibc wrote before calling abort(). Capped at 4 KiB.
std::optional<std::string> read_abort_message(const MemorySource& memory, const SymbolLookup& symbols,
                                              Arch arch = Arch::x86_64);

}  // namespace corelens
