#include "unwinder/values/format_scalar.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/model/strings.hpp"

namespace corelens::values {
namespace {

std::uint64_t load(std::span<const std::byte> bytes, std::size_t offset, std::size_t size, bool big) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < size; ++i) {
    std::size_t k = big ? offset + i : offset + size - 1 - i;
    v = (v << 8) | std::to_integer<std::uint8_t>(bytes[k]);
  }
  return v;
}

std::string sign_prefix(bool negative) { return negative ? "-" : ""; }

// gdb prints NaNs with their mantissa: "nan(0x8000000000000)", "-nan(0x400000)".
std::string nan_text(bool negative, std::uint64_t mantissa) {
  return sign_prefix(negative) + "nan(" + hex(mantissa) + ")";
}

std::string printf_g(double d, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, d);
  return buf;
}

}  // namespace

std::int64_t sign_extend(std::uint64_t bits, std::size_t size) {
  if (size == 0 || size >= 8) return static_cast<std::int64_t>(bits);
  std::uint64_t sign = std::uint64_t{1} << (8 * size - 1);
  bits &= (sign << 1) - 1;
  return static_cast<std::int64_t>((bits ^ sign) - sign);
}

std::string format_integer(std::uint64_t bits, std::size_t size, bool is_signed) {
  if (size < 8 && size > 0) bits &= (std::uint64_t{1} << (8 * size)) - 1;
  if (is_signed) return std::to_string(sign_extend(bits, size));
  return std::to_string(bits);
}

std::string escape_unit(std::uint32_t unit, char quote) {
  switch (unit) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\v': return "\\v";
    default: break;
  }
  if (unit >= 0x20 && unit < 0x7f) {
    std::string out;
    if (unit == static_cast<std::uint32_t>(quote) || unit == '\\') out.push_back('\\');
    out.push_back(static_cast<char>(unit));
    return out;
  }
  char buf[24];
  if (unit <= 0777) std::snprintf(buf, sizeof buf, "\\%.3o", static_cast<unsigned>(unit));
  else std::snprintf(buf, sizeof buf, "\\x%x", static_cast<unsigned>(unit));
  return buf;
}

std::string format_character(std::uint64_t bits, std::size_t size, bool is_signed) {
  std::string number = format_integer(bits, size, is_signed);
  std::uint32_t unit = static_cast<std::uint32_t>(size >= 4 ? bits & 0xffffffffu : bits & ((1u << (8 * size)) - 1));
  std::string prefix = size == 2 ? "u" : size == 4 ? "U" : "";
  return number + " " + prefix + "'" + escape_unit(unit, '\'') + "'";
}

std::optional<std::string> format_float(std::span<const std::byte> bytes, bool big) {
  if (bytes.size() == 4) {
    std::uint32_t u = static_cast<std::uint32_t>(load(bytes, 0, 4, big));
    bool neg = u >> 31;
    if (((u >> 23) & 0xff) == 0xff && (u & 0x7fffff) != 0) return nan_text(neg, u & 0x7fffff);
    float f;
    std::memcpy(&f, &u, 4);
    if (std::isinf(f)) return sign_prefix(neg) + "inf";
    return printf_g(f, 9);
  }
  if (bytes.size() == 8) {
    std::uint64_t u = load(bytes, 0, 8, big);
    bool neg = u >> 63;
    if (((u >> 52) & 0x7ff) == 0x7ff && (u & 0xfffffffffffffull) != 0) return nan_text(neg, u & 0xfffffffffffffull);
    double d;
    std::memcpy(&d, &u, 8);
    if (std::isinf(d)) return sign_prefix(neg) + "inf";
    return printf_g(d, 17);
  }
  if ((bytes.size() == 10 || bytes.size() == 12 || bytes.size() == 16) && !big) {
    // x87 extended precision: 64-bit mantissa with an explicit integer bit, 15-bit exponent.
    std::uint64_t mantissa = load(bytes, 0, 8, false);
    auto se = static_cast<std::uint16_t>(load(bytes, 8, 2, false));
    bool neg = se >> 15;
    unsigned exponent = se & 0x7fff;
    if (exponent == 0x7fff) {
      if ((mantissa << 1) == 0) return sign_prefix(neg) + "inf";
      return nan_text(neg, mantissa & 0x7fffffffffffffffull);
    }
    // Exact: a long double holds every x87 value (x86 hosts), else the nearest double.
    long double value = std::ldexp(static_cast<long double>(mantissa), static_cast<int>(exponent) - 16383 - 63);
    if (neg) value = -value;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.21Lg", value);
    return buf;
  }
  return std::nullopt;
}

bool is_flag_enum(const Type& e) {
  std::uint64_t mask = 0;
  for (const auto& en : e.enumerators) {
    if (e.enum_signed && static_cast<std::int64_t>(en.value) < 0) return false;
    if (__builtin_popcountll(en.value) >= 2) return false;
    if ((mask & en.value) != 0) return false;
    mask |= en.value;
  }
  return true;
}

std::string format_enum(const Type& e, std::uint64_t bits, std::size_t size, const std::string& qualifier) {
  if (size > 0 && size < 8) bits &= (std::uint64_t{1} << (8 * size)) - 1;
  std::uint64_t compare = e.enum_signed ? static_cast<std::uint64_t>(sign_extend(bits, size)) : bits;
  auto name = [&](const Enumerator& en) { return qualifier.empty() ? en.name : qualifier + "::" + en.name; };
  for (const auto& en : e.enumerators) {
    if (en.value == compare) return name(en);
  }
  if (!is_flag_enum(e)) return e.enum_signed ? std::to_string(static_cast<std::int64_t>(compare)) : std::to_string(compare);
  std::string out;
  std::uint64_t rest = compare;
  for (const auto& en : e.enumerators) {
    if ((rest & en.value) == 0) continue;
    out += out.empty() ? "(" : " | ";
    out += name(en);
    rest &= ~en.value;
  }
  if (rest != 0) return out + (out.empty() ? "(unknown: " : " | unknown: ") + hex(rest) + ")";
  if (out.empty()) return "0";
  return out + ")";
}

std::string format_string(const std::vector<std::uint32_t>& units, std::size_t threshold, bool ellipsis,
                          const std::string& prefix) {
  if (units.empty()) return prefix + "\"\"" + (ellipsis ? "..." : "");
  std::string out;
  enum { start, single, repeat } last = start;
  // gdb 13 writes a digit after an octal escape as it is ("\0011" is \001 then '1'): so do we.
  auto unit_text = [](std::uint32_t unit) { return escape_unit(unit, '"'); };
  for (std::size_t i = 0; i < units.size();) {
    std::size_t run = 1;
    while (i + run < units.size() && units[i + run] == units[i]) ++run;
    if (run > threshold) {
      if (last == single) out += "\"";
      if (last != start) out += ", ";
      out += "'" + unit_text(units[i]) + "' <repeats " + std::to_string(run) + " times>";
      last = repeat;
    } else {
      if (last != single) {
        if (last != start) out += ", ";
        out += prefix + "\"";
      }
      for (std::size_t k = 0; k < run; ++k) out += unit_text(units[i]);
      last = single;
    }
    i += run;
  }
  if (last == single) out += "\"";
  if (ellipsis) out += "...";
  return out;
}

}  // namespace corelens::values
