// Scalars as gdb prints them, so that a value we show and the one gdb shows can be compared
// character for character: decimal integers, `65 'A'` characters with C escapes, floats with as
// many digits as their format needs to round-trip (gdb's %.9g / %.17g / %.21Lg), enumerators
// and flag enums ("(PERM_READ | unknown: 0x8)"), strings with repeat blocks and ellipses.
//
// Bytes of the target that are not printable ASCII always print as octal escapes: a hostile dump
// cannot put terminal control sequences or invalid UTF-8 into our output. (gdb prints valid
// UTF-8 as itself under a UTF-8 locale; the comparison tests run it under LC_ALL=C.)
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "unwinder/values/types.hpp"

namespace corelens::values {

// BITS holds SIZE bytes (1 to 8) of an integer; sign-extended when IS_SIGNED.
std::string format_integer(std::uint64_t bits, std::size_t size, bool is_signed);
std::int64_t sign_extend(std::uint64_t bits, std::size_t size);

// A character value: "65 'A'", "0 '\000'", "-3 '\375'" (gdb prints the code, then the literal).
std::string format_character(std::uint64_t bits, std::size_t size, bool is_signed);

// A float of SIZE bytes in target byte order (4, 8, or x87's 10 in a 12- or 16-byte slot):
// "0.5", "0.300000012", "inf", "-nan(0x8000000000000)"; nullopt for a format we cannot print.
std::optional<std::string> format_float(std::span<const std::byte> bytes, bool big_endian);

// An enumeration value by gdb's rules: the enumerator's name, a flag enum's bits, else the number.
// CXX_ENUM_CLASS names qualify the enumerator ("Mode::busy").
std::string format_enum(const Type& enumeration, std::uint64_t bits, std::size_t size, const std::string& qualifier);
bool is_flag_enum(const Type& enumeration);

// Code units of a string (1, 2 or 4 bytes each, as integers) as gdb prints them: quoted runs,
// repeat blocks for runs longer than REPEAT_THRESHOLD, "..." when ELLIPSIS. PREFIX is the
// literal's prefix ("", "L", "u", "U").
std::string format_string(const std::vector<std::uint32_t>& units, std::size_t repeat_threshold, bool ellipsis,
                          const std::string& prefix = "");

// One code unit as it appears inside quotes QUOTE ('\'' or '"'): "A", "\\n", "\\000".
std::string escape_unit(std::uint32_t unit, char quote);

}  // namespace corelens::values
