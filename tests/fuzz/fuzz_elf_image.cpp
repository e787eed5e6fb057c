// Fuzz target: ELF object headers and build-id notes, as read from a module file or from a
// loaded image in a core's memory (both layouts).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/file/byte_reader.hpp"
#include "parsers/elf_image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  corelens::ByteReader in(std::span(reinterpret_cast<const std::byte*>(data), size));
  corelens::ReadAt read = [&](std::uint64_t offset, std::span<std::byte> out) -> corelens::Result<void> {
    auto s = in.span(offset, out.size());
    if (!s) return corelens::unexpected(s.error());
    if (!out.empty()) std::memcpy(out.data(), s->data(), out.size());
    return {};
  };
  (void)corelens::read_elf_image(read, corelens::ElfImageLayout::file);
  (void)corelens::read_elf_image(read, corelens::ElfImageLayout::loaded);
  return 0;
}
