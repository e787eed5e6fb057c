// Test-only writer of BTF (include/uapi/linux/btf.h), the type information the kernel keeps in
// .BTF and the tests hand to the BTF reader: a 24-byte header, then the types, then the strings.
// Written from the format's own numbers, never the parser's structs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/byte_writer.hpp"

namespace corelens::testing {

namespace btfc {
inline constexpr std::uint16_t kMagic = 0xeb9f;
inline constexpr std::uint32_t kHeaderSize = 24;
// BTF_KIND_*
inline constexpr std::uint32_t kInt = 1, kPtr = 2, kArray = 3, kStruct = 4, kUnion = 5, kTypedef = 8, kConst = 10;
}  // namespace btfc

class BtfBuilder {
 public:
  // The offset of S in the string section (0, the empty name, for "").
  std::uint32_t str(const std::string& s);
  std::uint32_t member(const std::string& name) { return str(name); }
  // One struct btf_type: name_off, info (vlen | kind << 24 | kind_flag << 31), size-or-type; then
  // the kind's EXTRA u32 words (members, array, int encoding). Returns the new type's id.
  std::uint32_t type(const std::string& name, std::uint32_t kind, std::uint32_t vlen, std::uint32_t size_or_type,
                     const std::vector<std::uint32_t>& extra = {}, bool kind_flag = false);
  // The header (magic, version 1, flags 0, hdr_len 24, type_off 0, type_len, str_off, str_len),
  // the types, the strings. Little-endian, as on the tests' kernels.
  Bytes bytes() const;

 private:
  ByteWriter types_;
  std::string strings_ = std::string(1, '\0');  // offset 0: the empty name
  std::uint32_t count_ = 0;
};

}  // namespace corelens::testing
