// Test-only encoder of the x86_64 kernel's ORC unwind tables (arch/x86/include/asm/orc_types.h,
// arch/x86/kernel/unwind_orc.c), written from the kernel's layout, not the unwinder's structs:
//   .orc_unwind_ip  one s32 per entry: the entry's address minus the slot's own address
//   .orc_unwind     6-byte entries: s16 sp_offset, s16 bp_offset, u8 sp_reg | bp_reg << 4, then
//                   the flags byte, whose layout changed in Linux 6.4
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "tests/support/byte_writer.hpp"

namespace corelens::testing::orc {

// sp_reg / bp_reg values (ORC_REG_*).
inline constexpr std::uint8_t kRegUndefined = 0, kRegPrevSp = 1, kRegDx = 2, kRegDi = 3, kRegBp = 4, kRegSp = 5,
                              kRegR10 = 6, kRegR13 = 7, kRegBpIndirect = 8, kRegSpIndirect = 9;
// Types of the 6.1 layout (type:2, then end:1): what end_bit_entry takes.
inline constexpr std::uint8_t kTypeCall = 0, kTypeRegs = 1, kTypeRegsPartial = 2;
// Types of the 6.4+ layout (type:3, then signal:1).
inline constexpr std::uint8_t kTypedUndefined = 0, kTypedEndOfStack = 1, kTypedCall = 2, kTypedRegs = 3,
                              kTypedRegsPartial = 4;
inline constexpr std::size_t kEntrySize = 6;

using Entry = std::array<std::uint8_t, kEntrySize>;

// An entry in the layout up to Linux 6.3: flags = type | end << 2 (unused bits zero).
Entry end_bit_entry(std::int16_t sp_offset, std::uint8_t sp_reg, std::uint8_t type, bool end = false,
                    std::int16_t bp_offset = 0, std::uint8_t bp_reg = kRegUndefined);
// An entry in the layout from Linux 6.4: flags = type | signal << 3.
Entry typed_entry(std::int16_t sp_offset, std::uint8_t sp_reg, std::uint8_t type, bool signal = false,
                  std::int16_t bp_offset = 0, std::uint8_t bp_reg = kRegUndefined);
// The 6.1 entry rewritten in the 6.4 layout (UNDEFINED and END_OF_STACK are types there).
Entry to_typed(const Entry& end_bit);

struct Table {
  Bytes ips;      // .orc_unwind_ip, for IP_TABLE_ADDRESS
  Bytes entries;  // .orc_unwind
};
// ROWS (address, entry), in the order given, with the ip table at IP_TABLE_ADDRESS.
Table table(std::uint64_t ip_table_address, const std::vector<std::pair<std::uint64_t, Entry>>& rows);

}  // namespace corelens::testing::orc
