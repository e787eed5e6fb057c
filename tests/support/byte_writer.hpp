// Test-only encoder of file bytes in either byte order and ELF class: the synthetic dump builders
// write every field through it, by offset, from layouts written out in their own sources (never
// through a struct of the parsers). Writes past the end grow the buffer with zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace corelens::testing {

using Bytes = std::vector<std::uint8_t>;

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
  // Continues BYTES (an encoded descriptor, a built file) in FORMAT.
  ByteWriter(ElfFormat format, Bytes bytes) : format_(format), bytes_(std::move(bytes)) {}

  // VALUE in N bytes (1, 2, 4 or 8) at AT, in the format's byte order.
  void put(std::size_t at, std::uint64_t value, std::size_t n);
  void u8(std::size_t at, std::uint64_t v) { put(at, v, 1); }
  void u16(std::size_t at, std::uint64_t v) { put(at, v, 2); }
  void u32(std::size_t at, std::uint64_t v) { put(at, v, 4); }
  void u64(std::size_t at, std::uint64_t v) { put(at, v, 8); }
  // An address-sized field: 8 bytes in ELFCLASS64, 4 in ELFCLASS32.
  void word(std::size_t at, std::uint64_t v) { put(at, v, format_.word_size()); }
  void bytes(std::size_t at, const Bytes& b);
  // The characters of S, without a terminator (a zeroed buffer supplies one).
  void text(std::size_t at, std::string_view s);
  // At most FIELD characters of S: a fixed-size char array, NUL-padded when S is shorter.
  void text_field(std::size_t at, std::string_view s, std::size_t field) { text(at, s.substr(0, field)); }
  // VALUE in N bytes at AT in the format's byte order (for reading back what was written).
  std::uint64_t get(std::size_t at, std::size_t n) const;

  void append(const Bytes& b) { bytes(bytes_.size(), b); }
  void align(std::size_t alignment);  // zero-pads the end to a multiple of ALIGNMENT
  void resize(std::size_t n) { bytes_.resize(n, 0); }

  std::size_t size() const { return bytes_.size(); }
  const ElfFormat& format() const { return format_; }
  const Bytes& data() const { return bytes_; }
  Bytes take() { return std::move(bytes_); }

 private:
  void grow(std::size_t end);
  ElfFormat format_;
  Bytes bytes_;
};

// Little-endian fields of a file already built, for tests that damage exact bytes: they never
// grow the file, and throw std::out_of_range past its end.
void put_u16(Bytes& b, std::uint64_t off, std::uint16_t v);
void put_u32(Bytes& b, std::uint64_t off, std::uint32_t v);
void put_u64(Bytes& b, std::uint64_t off, std::uint64_t v);
std::uint16_t get_u16(const Bytes& b, std::uint64_t off);
std::uint32_t get_u32(const Bytes& b, std::uint64_t off);
std::uint64_t get_u64(const Bytes& b, std::uint64_t off);
void write_file(const std::filesystem::path& path, const Bytes& bytes);

}  // namespace corelens::testing
