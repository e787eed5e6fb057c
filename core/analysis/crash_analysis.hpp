// Why did it crash: the fault explanation, the classification, the signature and the core's
// health, computed from the Report (symbolised stacks) and the process's memory.
//
// Layering: this is core and uses only the standard library and Capstone. What needs libdw (the
// address of a symbol such as __abort_msg, the name of a symbol at an address, variables held in
// registers) comes in through the small interfaces below, implemented in unwinder/.
//
// Ownership: the inputs are borrowed for the duration of analyze_crash(); the result is a value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/analysis/signature.hpp"
#include "core/memory_source.hpp"
#include "core/process.hpp"
#include "core/report.hpp"

namespace corelens {

class SymbolLookup {
 public:
  virtual ~SymbolLookup() = default;
  // Runtime address of the symbol named NAME (raw, unversioned: "__abort_msg").
  virtual std::optional<std::uint64_t> address_of(std::string_view name) const = 0;
  // The (demangled) name of the symbol containing ADDR.
  virtual std::optional<std::string> name_at(std::uint64_t addr) const = 0;
};

class VariableResolver {
 public:
  virtual ~VariableResolver() = default;
  // The source variable held in register REG (canonical name, "rax") at PC, by DWARF locations.
  virtual std::optional<std::string> variable_in_register(std::uint64_t pc, std::string_view reg) const = 0;
  // The member at byte OFFSET of the struct that variable VARIABLE (a pointer, visible at PC)
  // points to: "field" for `r->field` at offset 8.
  virtual std::optional<std::string> member_at(std::uint64_t pc, std::string_view variable,
                                               std::uint64_t offset) const = 0;
};

struct CrashInputs {
  const Report& report;        // symbolised threads (crashed first), signal, modules, diagnostics
  const ProcessDump& dump;     // mappings with permissions, registers, pid
  const MemorySource& memory;  // the dump's bytes, and module files where it saved none
  const SymbolLookup* symbols = nullptr;      // optional: no abort message without it
  const VariableResolver* variables = nullptr;  // optional: no variable names without it
  const SkipList* skip = nullptr;             // null: the built-in list (skip_frames.txt)
};

CrashAnalysis analyze_crash(const CrashInputs& in);

// Addresses below this are "NULL plus an offset": Linux's default vm.mmap_min_addr (64 KiB)
// keeps the first pages unmappable, so a fault there is a NULL pointer, not a wild one.
inline constexpr std::uint64_t kNullPageLimit = 0x10000;

}  // namespace corelens
