// Fuzz target: the DWARF location decoder of the values engine. One input is a location list
// (DWARF 4's .debug_loc or DWARF 5's .debug_loclists, chosen by the first byte), a pc to look
// it up at, and a location expression; the expression found (and the one given) are decoded and
// evaluated against a frame with a few registers, whose memory is the input itself.
//
// Layout: [flags:1][pc:8][list length:2][list][expression]. flags bit 0: DWARF 5; bit 1:
// 4-byte addresses; bit 2: entry values resolve; bit 3: 8-byte offsets.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tests/values/fake_values.hpp"
#include "unwinder/values/dwarf_expression.hpp"
#include "unwinder/values/location_lists.hpp"

using namespace corelens::values;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 11) return 0;
  std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
  const std::uint8_t flags = data[0];
  std::uint64_t pc = 0;
  std::memcpy(&pc, data + 1, 8);
  std::size_t list_length = static_cast<std::size_t>(data[9]) | static_cast<std::size_t>(data[10]) << 8;
  std::span<const std::byte> rest = input.subspan(11);
  list_length = std::min(list_length, rest.size());
  std::span<const std::byte> list = rest.subspan(0, list_length);
  std::span<const std::byte> expression = rest.subspan(list_length);

  testing::FakeMemory memory;
  memory.put(0x1000, std::vector<std::byte>(input.begin(), input.end()));
  memory.not_saved(0x100000, 0x200000);
  testing::FakeFrame frame(memory);
  frame.registers = {{0, 0x1000}, {5, 0x1008}, {6, 0x1010}, {7, 0x1020}};  // rax, rdi, rbp, rsp
  frame.base = 0x1040;
  frame.call_frame_address = 0x1080;
  frame.addresses = {0x10, 0x20, 0x30};
  if (flags & 4) frame.entry = 42;

  ExpressionFormat format;
  format.version = (flags & 1) ? 5 : 4;
  format.address_size = (flags & 2) ? 4 : 8;
  format.offset_size = (flags & 8) ? 8 : 4;
  LocationListFormat lists;
  lists.version = format.version;
  lists.address_size = format.address_size;
  lists.base_address = 0x100;
  lists.addr_base = 0;
  lists.debug_addr = input;

  auto found = find_in_location_list(list, 0, pc, lists);
  if (found && *found) (void)evaluate_location(**found, format, frame);
  (void)decode_expression(expression, format);
  (void)evaluate_location(expression, format, frame, std::uint64_t{0x1000});
  (void)evaluate_value(expression, format, frame);
  (void)loclistx_offset(list, pc & 0xff, pc >> 8, format.offset_size);
  (void)debug_addr_entry(list, pc & 0xff, pc >> 8, format.address_size);
  return 0;
}
