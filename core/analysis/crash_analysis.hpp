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
#include <utility>
#include <vector>

#include "core/analysis/signature.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"

namespace corelens {

class SymbolLookup {
 public:
  virtual ~SymbolLookup() = default;
  // Runtime address of the symbol named NAME (raw, unversioned: "__abort_msg").
  virtual std::optional<std::uint64_t> address_of(std::string_view name) const = 0;
  // The (demangled) name of the symbol containing ADDR.
  virtual std::optional<std::string> name_at(std::uint64_t addr) const = 0;
};

// Where the pointer that a faulting access went through came from. The root is a register at PC
// or the memory at ADDRESS, read by the instruction at PC; then the value was loaded through
// DEREFS in order ("h->next": the root h, then the load at h + 8). Found by reading the code
// before the fault (pointer_origin.cpp); a register named at the faulting pc itself has no derefs.
struct PointerOrigin {
  std::uint64_t pc = 0;
  std::vector<Register> registers;           // those whose value at PC is known (frame base, locations)
  std::string reg;                           // the root is this register's value ...
  std::optional<std::uint64_t> address;      // ... or the 8 bytes at this address
  std::vector<std::int64_t> derefs;
};

// The source-level names of an access: POINTER is the expression of the pointer ("h",
// "h->next", "this"); MEMBER what lies at the access's offset from it, "len" (a struct member,
// "inner.len" when nested) or "[3]" (an array element); empty when the pointee is a scalar at
// offset 0 ("*p"), or when nothing smaller than the pointee covers the offset.
struct NamedAccess {
  std::string pointer;
  std::string member;
  bool reference = false;  // POINTER is a C++ reference: "h.len", not "h->len"
};

class VariableResolver {
 public:
  virtual ~VariableResolver() = default;
  // [start, end) of the function (DWARF subprogram range) containing PC, for decoding the
  // instructions before a fault from the function's start.
  virtual std::optional<std::pair<std::uint64_t, std::uint64_t>> function_range(std::uint64_t pc) const = 0;
  // Names the pointer of ORIGIN by the DWARF variables (their location lists at origin.pc) and
  // the member at OFFSET in what it points to (by its type); nullopt when no variable is there.
  // OFFSET is absent when the access also added an index register.
  virtual std::optional<NamedAccess> name_access(const PointerOrigin& origin,
                                                 std::optional<std::int64_t> offset) const = 0;
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
