#include "tests/support/byte_writer.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>

namespace corelens::testing {

void ByteWriter::grow(std::size_t end) {
  if (end > bytes_.size()) bytes_.resize(end, 0);
}

void ByteWriter::put(std::size_t at, std::uint64_t value, std::size_t n) {
  if (n != 1 && n != 2 && n != 4 && n != 8) throw std::invalid_argument("byte_writer: field of " + std::to_string(n) + " bytes");
  grow(at + n);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t shift = format_.big_endian ? 8 * (n - 1 - i) : 8 * i;
    bytes_[at + i] = static_cast<std::uint8_t>((value >> shift) & 0xffU);
  }
}

std::uint64_t ByteWriter::get(std::size_t at, std::size_t n) const {
  if (n > 8 || at > bytes_.size() || n > bytes_.size() - at) throw std::out_of_range("byte_writer: read past the end");
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t shift = format_.big_endian ? 8 * (n - 1 - i) : 8 * i;
    v |= static_cast<std::uint64_t>(bytes_[at + i]) << shift;
  }
  return v;
}

void ByteWriter::bytes(std::size_t at, const Bytes& b) {
  grow(at + b.size());
  std::copy(b.begin(), b.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(at));
}

void ByteWriter::text(std::size_t at, std::string_view s) {
  grow(at + s.size());
  std::copy(s.begin(), s.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(at));
}

void ByteWriter::align(std::size_t alignment) {
  if (alignment > 1) bytes_.resize((bytes_.size() + alignment - 1) / alignment * alignment, 0);
}

namespace {

void check_range(const Bytes& b, std::uint64_t off, std::uint64_t n) {
  if (off > b.size() || n > b.size() - off) throw std::out_of_range("byte_writer: access past the end of the file");
}

void put_le(Bytes& b, std::uint64_t off, std::uint64_t v, std::size_t n) {
  check_range(b, off, n);
  for (std::size_t i = 0; i < n; ++i) b[off + i] = static_cast<std::uint8_t>((v >> (8 * i)) & 0xffU);
}

std::uint64_t get_le(const Bytes& b, std::uint64_t off, std::size_t n) {
  check_range(b, off, n);
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(b[off + i]) << (8 * i);
  return v;
}

}  // namespace

void put_u16(Bytes& b, std::uint64_t off, std::uint16_t v) { put_le(b, off, v, 2); }
void put_u32(Bytes& b, std::uint64_t off, std::uint32_t v) { put_le(b, off, v, 4); }
void put_u64(Bytes& b, std::uint64_t off, std::uint64_t v) { put_le(b, off, v, 8); }
std::uint16_t get_u16(const Bytes& b, std::uint64_t off) { return static_cast<std::uint16_t>(get_le(b, off, 2)); }
std::uint32_t get_u32(const Bytes& b, std::uint64_t off) { return static_cast<std::uint32_t>(get_le(b, off, 4)); }
std::uint64_t get_u64(const Bytes& b, std::uint64_t off) { return get_le(b, off, 8); }

void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("byte_writer: cannot open " + path.string());
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("byte_writer: cannot write " + path.string());
}

}  // namespace corelens::testing
