// See orc_builder.hpp. struct orc_entry is packed: sp_offset @0, bp_offset @2, sp_reg:4 bp_reg:4
// @4, then type:2 end:1 (6.1; bits 3-7 unused) or type:3 signal:1 (6.4) @5; little-endian.
#include "tests/support/kernel/orc_builder.hpp"

#include <stdexcept>

namespace corelens::testing::orc {
namespace {

Entry entry(std::int16_t sp_offset, std::int16_t bp_offset, std::uint8_t sp_reg, std::uint8_t bp_reg, std::uint8_t flags) {
  if (sp_reg > 0xf || bp_reg > 0xf) throw std::invalid_argument("orc_builder: a register number takes 4 bits");
  ByteWriter w({}, kEntrySize);
  w.u16(0, static_cast<std::uint16_t>(sp_offset));
  w.u16(2, static_cast<std::uint16_t>(bp_offset));
  w.u8(4, static_cast<std::uint8_t>(sp_reg | bp_reg << 4));
  w.u8(5, flags);
  Entry e{};
  std::copy(w.data().begin(), w.data().end(), e.begin());
  return e;
}

}  // namespace

Entry end_bit_entry(std::int16_t sp_offset, std::uint8_t sp_reg, std::uint8_t type, bool end, std::int16_t bp_offset,
                    std::uint8_t bp_reg) {
  return entry(sp_offset, bp_offset, sp_reg, bp_reg, static_cast<std::uint8_t>(type | (end ? 4 : 0)));
}

Entry typed_entry(std::int16_t sp_offset, std::uint8_t sp_reg, std::uint8_t type, bool signal, std::int16_t bp_offset,
                  std::uint8_t bp_reg) {
  return entry(sp_offset, bp_offset, sp_reg, bp_reg, static_cast<std::uint8_t>(type | (signal ? 8 : 0)));
}

Entry to_typed(const Entry& e) {
  Entry out = e;
  const unsigned sp_reg = e[4] & 0xfu;
  // 6.1: an undefined sp_reg is UNDEFINED, or END_OF_STACK with the end bit; the other types
  // move up by two.
  out[5] = static_cast<std::uint8_t>(sp_reg == kRegUndefined ? ((e[5] & 4u) ? kTypedEndOfStack : kTypedUndefined)
                                                              : (e[5] & 3u) + kTypedCall);
  return out;
}

Table table(std::uint64_t ip_table_address, const std::vector<std::pair<std::uint64_t, Entry>>& rows) {
  ByteWriter ips({}, 4 * rows.size()), entries({}, kEntrySize * rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::uint64_t slot = ip_table_address + 4 * i;
    ips.u32(4 * i, static_cast<std::uint32_t>(static_cast<std::int32_t>(rows[i].first - slot)));
    entries.bytes(kEntrySize * i, Bytes(rows[i].second.begin(), rows[i].second.end()));
  }
  return {ips.take(), entries.take()};
}

}  // namespace corelens::testing::orc
