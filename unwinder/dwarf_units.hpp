// Which compilation unit covers an address, also in modules without .debug_aranges.
//
// libdw before elfutils 0.192 (Debian 12 has 0.188) finds a unit only through .debug_aranges, and
// clang does not emit that section by default: for every clang-built module (and rustc's, and any
// build with -gno-aranges) dwfl_module_addrdie and dwfl_module_getsrc find nothing, so eu-stack and
// a plain libdwfl user print no file:line and no inlined frames at all. gdb reads the units' own
// DW_AT_ranges / low_pc-high_pc instead; so does this finder, when aranges are absent.
//
// One finder per Dwfl session: it keeps, per module, a sorted table of the unit ranges, built once
// on the first miss and capped, so a hostile file with millions of units costs a bounded table.
#pragma once

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace corelens {

// A source position from a unit's line table.
struct UnitLine {
  std::string file;
  std::uint32_t line = 0, column = 0;
};

class DwarfUnitFinder {
 public:
  static constexpr std::size_t kMaxRanges = 1u << 20;  // per module

  // The unit DIE covering PC (an address of the process) in MOD, copied to *STORAGE; its bias in
  // *BIAS. libdwfl's own lookup first; the unit ranges when the module has no aranges.
  Dwarf_Die* unit_at(Dwfl_Module* mod, Dwarf_Addr pc, Dwarf_Addr* bias, Dwarf_Die* storage);

  // The line-table row for PC in the unit CUDIE (BIAS as unit_at gave it), where libdwfl's
  // dwfl_module_getsrc found none. False when the unit has no row there.
  static bool line_in_unit(Dwarf_Die* cudie, Dwarf_Addr pc, Dwarf_Addr bias, UnitLine& out);

 private:
  struct Range {
    Dwarf_Addr low, high;  // [low, high), in the module's DWARF address space (unbiased)
    Dwarf_Off unit;        // DIE offset of the unit
  };
  struct ModuleUnits {
    Dwarf* dwarf = nullptr;
    Dwarf_Addr bias = 0;
    std::vector<Range> ranges;  // sorted by low; empty when aranges exist or there is no DWARF
  };
  const ModuleUnits& units_of(Dwfl_Module* mod);

  std::unordered_map<Dwfl_Module*, ModuleUnits> modules_;
};

}  // namespace corelens
