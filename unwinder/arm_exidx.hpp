// ARM EHABI unwinding: the .ARM.exidx/.ARM.extab tables that 32-bit arm code carries instead of
// DWARF CFI (Debian's armhf libc has no .eh_frame at all; "Exception Handling ABI for the Arm
// Architecture", IHI 0038). Each function's entry holds a short program of unwinding opcodes
// ("pop {r4-r7, lr}", "vsp = r7", "vsp += 16"); running it on the callee's registers gives the
// caller's. libdwfl reads DWARF only, so the fallback of unwind_rules uses this on arm.
//
// Ownership: holds a reference to the Target, which must outlive it; the tables are read through
// Target::read_code, from the verified module files where the core did not save them.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/analysis/instruction_facts.hpp"
#include "unwinder/module_locator.hpp"
#include "unwinder/target.hpp"

namespace corelens {

class ArmExidx {
 public:
  ArmExidx(const Target& target, const std::vector<LocatedModule>& located);

  // r0-r15; unknown registers are empty. r13 is sp, r14 lr, r15 the pc.
  using Registers = std::array<std::optional<std::uint32_t>, 16>;

  // cant_unwind: the entry says EXIDX_CANTUNWIND, which marks both the outermost functions
  // (_start) and code compiled without unwind tables; the caller tells them apart.
  enum class Outcome { caller, cant_unwind, no_entry, failed };
  struct Step {
    Outcome outcome = Outcome::no_entry;
    Registers caller{};  // for Outcome::caller: r15 is the return address (Thumb bit kept)
    std::uint64_t function_start = 0, function_end = 0;  // the range the entry covers, when found
  };
  // One step from the frame whose registers are CALLEE, whose code address is LOOKUP_PC (its pc
  // in frame 0, return address - 1 in a caller).
  Step step(const Registers& callee, std::uint32_t lookup_pc) const;

  // For a function that has no table entry at all (glibc's abort): read its Thumb prologue from
  // FUNCTION_START up to the pc (push, push.w/stmdb sp!, sub sp, vpush), as gdb's prologue
  // analyser does, to find where it saved lr and how far it moved sp. Outcome::caller or failed.
  Step prologue_step(const Registers& callee, std::uint64_t function_start) const;

  std::size_t table_count() const { return tables_.size(); }
  ~ArmExidx();
  ArmExidx(const ArmExidx&) = delete;
  ArmExidx& operator=(const ArmExidx&) = delete;

 private:
  struct Table {
    std::uint64_t start = 0, end = 0;        // the module's address range
    std::uint64_t index = 0, entries = 0;    // .ARM.exidx: runtime address, 8-byte entries
  };
  std::optional<std::uint32_t> word(std::uint64_t addr) const;
  const Table* table_for(std::uint64_t pc) const;
  // The unwinding opcodes of the entry for PC, or nullopt (with OUTCOME saying why).
  std::optional<std::vector<std::uint8_t>> opcodes(const Table& t, std::uint32_t pc, Step* step) const;

  const Target& target_;
  std::vector<Table> tables_;  // sorted by start
  std::unique_ptr<InstructionDecoder> thumb_;  // null when it could not be opened
};

}  // namespace corelens
