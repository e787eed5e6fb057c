#include "parsers/elf_image.hpp"

#include <elf.h>

#include <array>
#include <cstring>

#include "core/file/byte_reader.hpp"
#include "core/file/mapped_file.hpp"
#include "core/model/strings.hpp"

namespace corelens {

ElfProgramHeader decode_program_header(const ByteReader& r, std::uint64_t o, bool is_64bit) {
  ElfProgramHeader p;
  p.type = r.u32(o).value_or(0);
  if (is_64bit) {
    p.flags = r.u32(o + 4).value_or(0);
    p.offset = r.u64(o + 8).value_or(0);
    p.vaddr = r.u64(o + 16).value_or(0);
    p.paddr = r.u64(o + 24).value_or(0);
    p.filesz = r.u64(o + 32).value_or(0);
    p.memsz = r.u64(o + 40).value_or(0);
    p.align = r.u64(o + 48).value_or(0);
  } else {  // Elf32_Phdr: p_flags comes after p_memsz
    p.offset = r.u32(o + 4).value_or(0);
    p.vaddr = r.u32(o + 8).value_or(0);
    p.paddr = r.u32(o + 12).value_or(0);
    p.filesz = r.u32(o + 16).value_or(0);
    p.memsz = r.u32(o + 20).value_or(0);
    p.flags = r.u32(o + 24).value_or(0);
    p.align = r.u32(o + 28).value_or(0);
  }
  return p;
}
namespace {

// Caps on what an object's headers may claim: a real object has a dozen program headers and a
// 20-byte (sha1) or 16-byte (md5/uuid) build-id; anything far beyond is hostile.
constexpr std::uint16_t kMaxPhdrs = 512;
constexpr std::uint64_t kMaxNoteSegment = 64 * 1024;
constexpr std::uint32_t kMaxBuildId = 64;

Result<std::vector<std::byte>> read_bytes(const ReadAt& read, std::uint64_t offset, std::uint64_t size) {
  std::vector<std::byte> buf(size);
  auto r = read(offset, buf);
  if (!r) return unexpected(r.error());
  return buf;
}

// Scans one note area for NT_GNU_BUILD_ID (name "GNU").
std::string find_build_id(const ByteReader& notes) {
  std::uint64_t pos = 0;
  while (notes.has(pos, 12)) {
    std::uint32_t namesz = *notes.u32(pos);
    std::uint32_t descsz = *notes.u32(pos + 4);
    std::uint32_t type = *notes.u32(pos + 8);
    std::uint64_t name_off = pos + 12;
    std::uint64_t desc_off = name_off + ((std::uint64_t{namesz} + 3) & ~std::uint64_t{3});
    std::uint64_t next = desc_off + ((std::uint64_t{descsz} + 3) & ~std::uint64_t{3});
    if (!notes.has(desc_off, descsz) || next > notes.size()) break;
    if (type == NT_GNU_BUILD_ID && namesz == 4 && notes.fixed_string(name_off, 4) == "GNU" &&
        descsz > 0 && descsz <= kMaxBuildId) {
      auto bytes = *notes.span(desc_off, descsz);
      return hex_bytes(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    }
    pos = next;
  }
  return {};
}

}  // namespace

Result<ElfImageInfo> read_elf_image(const ReadAt& read, ElfImageLayout layout) {
  // 52 bytes: the smaller (ELF32) header; the 64-bit one is read whole below.
  auto ident = read_bytes(read, 0, 52);
  if (!ident) return unexpected(ident.error());
  if (std::memcmp(ident->data(), ELFMAG, SELFMAG) != 0) {
    return fail(ErrorCode::not_a_dump, "not an ELF object (bad magic)");
  }
  const auto cls = static_cast<std::uint8_t>((*ident)[EI_CLASS]);
  const auto data = static_cast<std::uint8_t>((*ident)[EI_DATA]);
  if ((cls != ELFCLASS64 && cls != ELFCLASS32) || (data != ELFDATA2LSB && data != ELFDATA2MSB)) {
    return fail(ErrorCode::unsupported, "unknown ELF class or data encoding");
  }
  ElfImageInfo info;
  info.is_64bit = cls == ELFCLASS64;
  info.big_endian = data == ELFDATA2MSB;
  const std::endian order = info.big_endian ? std::endian::big : std::endian::little;
  const std::uint64_t phdr_size = info.is_64bit ? 56 : 32;
  std::vector<std::byte> header_bytes;
  if (info.is_64bit) {
    auto full = read_bytes(read, 0, 64);
    if (!full) return unexpected(full.error());
    header_bytes = std::move(*full);
  } else {
    header_bytes = std::move(*ident);
  }
  ByteReader ehdr(header_bytes, 0, order);
  info.type = *ehdr.u16(16);
  info.machine = *ehdr.u16(18);
  std::uint64_t phoff = 0;
  std::uint16_t phentsize = 0, phnum = 0;
  if (info.is_64bit) {
    info.entry = *ehdr.u64(24);
    phoff = *ehdr.u64(32);
    phentsize = *ehdr.u16(54);
    phnum = *ehdr.u16(56);
  } else {
    info.entry = *ehdr.u32(24);
    phoff = *ehdr.u32(28);
    phentsize = *ehdr.u16(42);
    phnum = *ehdr.u16(44);
  }
  if (phnum == 0) return info;
  if (phentsize != phdr_size) return fail(ErrorCode::malformed, "unexpected program header size " + std::to_string(phentsize));
  if (phnum > kMaxPhdrs) return fail(ErrorCode::malformed, "too many program headers: " + std::to_string(phnum));

  auto ph_bytes = read_bytes(read, phoff, std::uint64_t{phnum} * phdr_size);
  if (!ph_bytes) return unexpected(ph_bytes.error());
  ByteReader ph(*ph_bytes, 0, order);
  for (std::uint16_t i = 0; i < phnum; ++i) {
    std::uint64_t o = std::uint64_t{i} * phdr_size;
    ElfProgramHeader p = decode_program_header(ph, o, info.is_64bit);
    if (p.type == PT_LOAD && !info.has_load) {
      std::uint64_t align = (p.align != 0 && (p.align & (p.align - 1)) == 0) ? p.align : 4096;
      // The kernel maps the first segment at a page boundary; the image starts there.
      info.first_load_vaddr = p.vaddr & ~(std::min<std::uint64_t>(align, 4096) - 1);
      info.has_load = true;
    }
    info.phdrs.push_back(p);
  }
  for (const auto& p : info.phdrs) {
    if (p.type != PT_NOTE || p.filesz == 0 || p.filesz > kMaxNoteSegment) continue;
    std::uint64_t where = p.offset;
    if (layout == ElfImageLayout::loaded) {
      if (p.vaddr < info.first_load_vaddr) continue;
      where = p.vaddr - info.first_load_vaddr;
    }
    auto notes = read_bytes(read, where, p.filesz);
    if (!notes) continue;  // not saved in the core: the build-id stays unknown
    info.build_id = find_build_id(ByteReader(*notes, 0, order));
    if (!info.build_id.empty()) break;
  }
  return info;
}

Result<ElfImageInfo> read_elf_file(const std::string& path) {
  auto file = MappedFile::open(path);
  if (!file) return unexpected(file.error());
  ByteReader whole((*file)->bytes());
  ReadAt read = [&](std::uint64_t offset, std::span<std::byte> out) -> Result<void> {
    auto s = whole.span(offset, out.size());
    if (!s) return unexpected(s.error());
    std::memcpy(out.data(), s->data(), out.size());
    return {};
  };
  return read_elf_image(read, ElfImageLayout::file);
}

}  // namespace corelens
