// Small libdw helpers the values engine shares: attributes read with their abstract origins and
// specifications followed, and the facts of the unit a DIE belongs to.
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace corelens::values {

inline std::string die_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  const char* n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
  return n != nullptr ? std::string(n) : std::string();
}

inline std::optional<Dwarf_Die> die_type(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  Dwarf_Die type;
  if (dwarf_attr_integrate(die, DW_AT_type, &attr) == nullptr || dwarf_formref_die(&attr, &type) == nullptr) {
    return std::nullopt;
  }
  return type;
}

inline std::optional<Dwarf_Die> die_ref(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  Dwarf_Die out;
  if (dwarf_attr(die, name, &attr) == nullptr || dwarf_formref_die(&attr, &out) == nullptr) return std::nullopt;
  return out;
}

inline std::optional<std::uint64_t> die_udata(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  Dwarf_Word v = 0;
  if (dwarf_attr_integrate(die, name, &attr) == nullptr || dwarf_formudata(&attr, &v) != 0) return std::nullopt;
  return v;
}

inline bool die_flag(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  bool v = false;
  return dwarf_attr_integrate(die, name, &attr) != nullptr && dwarf_formflag(&attr, &v) == 0 && v;
}

// A DIE's identity across the main file and its .dwz companion: the Dwarf it lives in and its
// offset there.
struct DieKey {
  const void* dwarf = nullptr;
  Dwarf_Off offset = 0;
  auto operator<=>(const DieKey&) const = default;
};
inline DieKey die_key(Dwarf_Die* die) { return DieKey{dwarf_cu_getdwarf(die->cu), dwarf_dieoffset(die)}; }

// What decoding a unit's expressions and location lists needs.
struct UnitFacts {
  std::uint16_t version = 4;
  std::uint8_t address_size = 8;
  std::uint8_t offset_size = 4;
  std::uint64_t base_address = 0;  // DW_AT_low_pc of the unit
  std::optional<std::uint64_t> addr_base;
  std::optional<std::uint64_t> loclists_base;
  int language = 0;                // DW_LANG_*
};
UnitFacts unit_facts(Dwarf_Die* die);

// The bytes of a DWARF section of the file DWARF was read from ("" when it has none); libdw has
// already decompressed compressed sections in place.
std::span<const std::byte> dwarf_section(Dwarf* dwarf, const char* name);

}  // namespace corelens::values
