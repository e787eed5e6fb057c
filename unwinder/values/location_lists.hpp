// DWARF location lists: which location expression applies at a pc. DWARF 2-4 keep them in
// .debug_loc (address pairs relative to the unit's base address), DWARF 5 in .debug_loclists
// (DW_LLE_* entries, addresses also by index into .debug_addr, as clang writes them).
//
// Pure code over section bytes, bounds-checked and capped: a list that never ends or an index
// past its table is an error, never a crash or a hang.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/model/expected.hpp"

namespace corelens::values {

struct LocationListFormat {
  std::uint16_t version = 5;       // 2-4: .debug_loc; 5: .debug_loclists
  std::uint8_t address_size = 8;
  std::uint64_t base_address = 0;  // the unit's DW_AT_low_pc: offsets are relative to it
  std::optional<std::uint64_t> addr_base;  // DW_AT_addr_base, for DW_LLE_*x entries
  std::span<const std::byte> debug_addr;   // the module's .debug_addr
};

// At most this many entries are read from one list.
inline constexpr std::size_t kMaxLocationListEntries = 1u << 16;

// The expression that applies at PC (a link-time address) in the list starting at OFFSET of
// SECTION; nullopt when no entry covers PC (the variable has no location there: optimized out).
expected<std::optional<std::span<const std::byte>>, std::string> find_in_location_list(
    std::span<const std::byte> section, std::uint64_t offset, std::uint64_t pc, const LocationListFormat& format);

// DW_FORM_loclistx: the section offset of list INDEX, read from the offset table that starts at
// LOCLISTS_BASE (DW_AT_loclists_base) in .debug_loclists. OFFSET_SIZE is the unit's (4 or 8).
expected<std::uint64_t, std::string> loclistx_offset(std::span<const std::byte> section, std::uint64_t loclists_base,
                                                     std::uint64_t index, std::uint8_t offset_size);

// Entry INDEX of the .debug_addr table at ADDR_BASE.
expected<std::uint64_t, std::string> debug_addr_entry(std::span<const std::byte> debug_addr, std::uint64_t addr_base,
                                                      std::uint64_t index, std::uint8_t address_size);

}  // namespace corelens::values
