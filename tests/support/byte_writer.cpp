#include "tests/support/byte_writer.hpp"

#include <algorithm>
#include <stdexcept>

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

void ByteWriter::bytes(std::size_t at, const std::vector<std::uint8_t>& b) {
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

}  // namespace corelens::testing
