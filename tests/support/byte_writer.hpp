// Test-only encoder of file bytes in either byte order and ELF class: the synthetic dump builders
// write every field through it, by offset, from layouts written out in their own sources (never
// through a struct of the parsers). Writes past the end grow the buffer with zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace corelens::testing {

// How an ELF file encodes its fields: EI_CLASS, EI_DATA and e_machine.
struct ElfFormat {
  bool is64 = true;        // ELFCLASS64 (else ELFCLASS32): the size of addresses and offsets
  bool big_endian = false;  // ELFDATA2MSB (else ELFDATA2LSB)
  std::uint16_t machine = 62;  // EM_X86_64
  std::size_t word_size() const { return is64 ? 8 : 4; }
};

class ByteWriter {
 public:
  explicit ByteWriter(ElfFormat format = {}, std::size_t size = 0) : format_(format), bytes_(size, 0) {}

  // VALUE in N bytes (1, 2, 4 or 8) at AT, in the format's byte order.
  void put(std::size_t at, std::uint64_t value, std::size_t n);
  void u8(std::size_t at, std::uint64_t v) { put(at, v, 1); }
  void u16(std::size_t at, std::uint64_t v) { put(at, v, 2); }
  void u32(std::size_t at, std::uint64_t v) { put(at, v, 4); }
  void u64(std::size_t at, std::uint64_t v) { put(at, v, 8); }
  // An address-sized field: 8 bytes in ELFCLASS64, 4 in ELFCLASS32.
  void word(std::size_t at, std::uint64_t v) { put(at, v, format_.word_size()); }
  void bytes(std::size_t at, const std::vector<std::uint8_t>& b);
  // The characters of S, without a terminator (a zeroed buffer supplies one).
  void text(std::size_t at, std::string_view s);

  void append(const std::vector<std::uint8_t>& b) { bytes(bytes_.size(), b); }
  void align(std::size_t alignment);  // zero-pads the end to a multiple of ALIGNMENT
  void resize(std::size_t n) { bytes_.resize(n, 0); }

  std::size_t size() const { return bytes_.size(); }
  const ElfFormat& format() const { return format_; }
  const std::vector<std::uint8_t>& data() const { return bytes_; }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  void grow(std::size_t end);
  ElfFormat format_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace corelens::testing
