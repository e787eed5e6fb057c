// See btf_builder.hpp. struct btf_header: magic u16 @0, version u8 @2, flags u8 @3, hdr_len @4,
// type_off @8, type_len @12, str_off @16, str_len @20 (offsets from the end of the header).
#include "tests/support/kernel/btf_builder.hpp"

namespace corelens::testing {

std::uint32_t BtfBuilder::str(const std::string& s) {
  if (s.empty()) return 0;
  auto off = static_cast<std::uint32_t>(strings_.size());
  strings_ += s;
  strings_.push_back('\0');
  return off;
}

std::uint32_t BtfBuilder::type(const std::string& name, std::uint32_t kind, std::uint32_t vlen, std::uint32_t size_or_type,
                               const std::vector<std::uint32_t>& extra, bool kind_flag) {
  const std::uint32_t name_off = str(name);
  for (std::uint32_t word : {name_off, vlen | kind << 24 | (kind_flag ? 1u << 31 : 0u), size_or_type}) {
    types_.u32(types_.size(), word);
  }
  for (std::uint32_t word : extra) types_.u32(types_.size(), word);
  return ++count_;
}

Bytes BtfBuilder::bytes() const {
  const auto types_len = static_cast<std::uint32_t>(types_.size());
  ByteWriter w({}, btfc::kHeaderSize);
  w.u16(0, btfc::kMagic);
  w.u8(2, 1);  // version
  w.u8(3, 0);  // flags
  w.u32(4, btfc::kHeaderSize);
  w.u32(8, 0);  // type_off
  w.u32(12, types_len);
  w.u32(16, types_len);  // str_off: right after the types
  w.u32(20, static_cast<std::uint32_t>(strings_.size()));
  w.append(types_.data());
  w.text(w.size(), strings_);
  return w.take();
}

}  // namespace corelens::testing
