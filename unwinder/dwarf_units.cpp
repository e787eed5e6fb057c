#include "unwinder/dwarf_units.hpp"

#include <dwarf.h>

#include <algorithm>

namespace corelens {

const DwarfUnitFinder::ModuleUnits& DwarfUnitFinder::units_of(Dwfl_Module* mod) {
  auto [it, inserted] = modules_.try_emplace(mod);
  ModuleUnits& m = it->second;
  if (!inserted) return m;
  m.dwarf = dwfl_module_getdwarf(mod, &m.bias);
  if (m.dwarf == nullptr) return m;
  // Aranges present: libdwfl's answer stands (a pc they do not cover has no unit, as in gdb).
  Dwarf_Aranges* aranges = nullptr;
  std::size_t naranges = 0;
  if (dwarf_getaranges(m.dwarf, &aranges, &naranges) == 0 && naranges > 0) return m;

  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  Dwarf_Half version = 0;
  std::uint8_t unit_type = 0;
  Dwarf_Die cudie, subdie;
  while (m.ranges.size() < kMaxRanges &&
         dwarf_get_units(m.dwarf, cu, &next, &version, &unit_type, &cudie, &subdie) == 0) {
    cu = next;
    if (unit_type != DW_UT_compile && unit_type != DW_UT_partial && unit_type != DW_UT_skeleton) continue;
    Dwarf_Addr base = 0, low = 0, high = 0;
    std::ptrdiff_t offset = 0;
    while (m.ranges.size() < kMaxRanges && (offset = dwarf_ranges(&cudie, offset, &base, &low, &high)) > 0) {
      if (high > low) m.ranges.push_back(Range{low, high, dwarf_dieoffset(&cudie)});
    }
  }
  std::sort(m.ranges.begin(), m.ranges.end(), [](const Range& a, const Range& b) { return a.low < b.low; });
  return m;
}

Dwarf_Die* DwarfUnitFinder::unit_at(Dwfl_Module* mod, Dwarf_Addr pc, Dwarf_Addr* bias, Dwarf_Die* storage) {
  if (mod == nullptr) return nullptr;
  if (Dwarf_Die* die = dwfl_module_addrdie(mod, pc, bias)) {
    *storage = *die;
    return storage;
  }
  const ModuleUnits& m = units_of(mod);
  if (m.ranges.empty() || pc < m.bias) return nullptr;
  Dwarf_Addr addr = pc - m.bias;
  // The last range starting at or below ADDR; ranges of different units do not overlap in
  // well-formed DWARF, and in a hostile file the first match is as good as any.
  auto it = std::upper_bound(m.ranges.begin(), m.ranges.end(), addr,
                             [](Dwarf_Addr a, const Range& r) { return a < r.low; });
  if (it == m.ranges.begin()) return nullptr;
  --it;
  if (addr >= it->high) return nullptr;
  if (dwarf_offdie(m.dwarf, it->unit, storage) == nullptr) return nullptr;
  *bias = m.bias;
  return storage;
}

bool DwarfUnitFinder::line_in_unit(Dwarf_Die* cudie, Dwarf_Addr pc, Dwarf_Addr bias, UnitLine& out) {
  if (cudie == nullptr || pc < bias) return false;
  Dwarf_Line* row = dwarf_getsrc_die(cudie, pc - bias);
  if (row == nullptr) return false;
  int line = 0, column = 0;
  const char* file = dwarf_linesrc(row, nullptr, nullptr);
  dwarf_lineno(row, &line);
  dwarf_linecol(row, &column);
  out.file = file != nullptr ? file : "";
  out.line = static_cast<std::uint32_t>(line > 0 ? line : 0);
  out.column = static_cast<std::uint32_t>(column > 0 ? column : 0);
  return true;
}

}  // namespace corelens
