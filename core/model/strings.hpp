// Small string helpers shared by every layer (g++ 12 has no <format>).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace corelens {

// "0x7ffd1234" (lower-case, no padding).
std::string hex(std::uint64_t value);
// "0x00007ffd12340000" (16 digits), for addresses lined up in columns.
std::string hex_padded(std::uint64_t value, int digits = 16);
// Hex dump of bytes without separators ("a1b2c3"), e.g. for build-ids.
std::string hex_bytes(const unsigned char* data, std::size_t size);
// A printable copy: control and non-UTF-8-looking bytes from a hostile file become '?'.
std::string printable(std::string_view text);
// "SUBJECT: MESSAGE", unless MESSAGE already starts with "SUBJECT:" (errors that name their file,
// passed up through layers that would each name it again).
std::string about(std::string_view subject, std::string message);

}  // namespace corelens
