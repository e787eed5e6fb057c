// ByteReader: bounds-checked decoding of little- or big-endian fields from a span of bytes.
// Every read checks its offset and length and fails with "expected N bytes at offset X, have M";
// values are decoded with memcpy (never a reinterpret_cast of file bytes to a struct).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/model/error.hpp"
#include "core/model/strings.hpp"

namespace corelens {

// Overflow-checked a + b for offsets and addresses read from a file.
inline bool add_overflows(std::uint64_t a, std::uint64_t b, std::uint64_t* out) {
  return __builtin_add_overflow(a, b, out);
}
inline bool mul_overflows(std::uint64_t a, std::uint64_t b, std::uint64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

class ByteReader {
 public:
  ByteReader() = default;
  // BASE is the offset of bytes[0] in the enclosing file, so errors name file offsets.
  explicit ByteReader(std::span<const std::byte> bytes, std::uint64_t base = 0,
                      std::endian order = std::endian::little)
      : bytes_(bytes), base_(base), order_(order) {}

  std::uint64_t size() const { return bytes_.size(); }
  std::uint64_t base() const { return base_; }
  std::span<const std::byte> bytes() const { return bytes_; }

  bool has(std::uint64_t offset, std::uint64_t length) const {
    return offset <= bytes_.size() && length <= bytes_.size() - offset;
  }

  template <typename T>
  Result<T> read(std::uint64_t offset) const {
    static_assert(std::is_integral_v<T>);
    if (!has(offset, sizeof(T))) return short_read(offset, sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    if constexpr (sizeof(T) > 1) {
      if (order_ != std::endian::native) value = byteswap(value);
    }
    return value;
  }

  Result<std::uint8_t> u8(std::uint64_t offset) const { return read<std::uint8_t>(offset); }
  Result<std::uint16_t> u16(std::uint64_t offset) const { return read<std::uint16_t>(offset); }
  Result<std::uint32_t> u32(std::uint64_t offset) const { return read<std::uint32_t>(offset); }
  Result<std::uint64_t> u64(std::uint64_t offset) const { return read<std::uint64_t>(offset); }
  Result<std::int32_t> i32(std::uint64_t offset) const { return read<std::int32_t>(offset); }
  Result<std::int16_t> i16(std::uint64_t offset) const { return read<std::int16_t>(offset); }

  // A sub-range as its own reader (offsets in errors stay file offsets).
  Result<ByteReader> sub(std::uint64_t offset, std::uint64_t length) const {
    if (!has(offset, length)) return short_read(offset, length);
    return ByteReader(bytes_.subspan(offset, length), base_ + offset, order_);
  }

  Result<std::span<const std::byte>> span(std::uint64_t offset, std::uint64_t length) const {
    if (!has(offset, length)) return short_read(offset, length);
    return bytes_.subspan(offset, length);
  }

  // A NUL-terminated string inside [offset, offset+max_length); without a NUL the whole window
  // is taken (fixed-size char arrays such as pr_fname need not be terminated).
  std::string fixed_string(std::uint64_t offset, std::uint64_t max_length) const {
    if (offset >= bytes_.size()) return {};
    std::uint64_t avail = std::min<std::uint64_t>(max_length, bytes_.size() - offset);
    const char* p = reinterpret_cast<const char*>(bytes_.data() + offset);
    std::size_t n = strnlen(p, avail);
    return std::string(p, n);
  }

 private:
  template <typename T>
  static T byteswap(T v) {
    using U = std::make_unsigned_t<T>;
    auto u = static_cast<U>(v);
    if constexpr (sizeof(T) == 2) u = __builtin_bswap16(u);
    if constexpr (sizeof(T) == 4) u = __builtin_bswap32(u);
    if constexpr (sizeof(T) == 8) u = __builtin_bswap64(u);
    return static_cast<T>(u);
  }

  unexpected<Error> short_read(std::uint64_t offset, std::uint64_t length) const {
    std::uint64_t have = offset < bytes_.size() ? bytes_.size() - offset : 0;
    return fail(ErrorCode::truncated,
                "expected " + std::to_string(length) + " bytes at offset " + hex(base_ + offset) +
                    ", have " + std::to_string(have),
                base_ + offset);
  }

  std::span<const std::byte> bytes_;
  std::uint64_t base_ = 0;
  std::endian order_ = std::endian::little;
};

}  // namespace corelens
