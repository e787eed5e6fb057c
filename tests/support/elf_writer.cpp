// See elf_writer.hpp. Offsets are those of the gABI's Elf32_/Elf64_ Ehdr, Phdr and Nhdr.
#include "tests/support/elf_writer.hpp"

namespace corelens::testing {
namespace {
std::size_t pad4(std::size_t n) { return (n + 3) / 4 * 4; }
}  // namespace

ElfSizes elf_sizes(const ElfFormat& f) {
  return f.is64 ? ElfSizes{elfc::EHDR64_SIZE, elfc::PHDR64_SIZE, 64, 24} : ElfSizes{elfc::EHDR32_SIZE, elfc::PHDR32_SIZE, 40, 16};
}

void put_ehdr(ByteWriter& w, const EhdrFields& e) {
  const ElfFormat& f = w.format();
  const ElfSizes s = elf_sizes(f);
  w.text(0, "\x7f" "ELF");
  w.u8(4, f.is64 ? elfc::ELFCLASS64 : elfc::ELFCLASS32);
  w.u8(5, f.big_endian ? elfc::ELFDATA2MSB : elfc::ELFDATA2LSB);
  w.u8(6, elfc::EV_CURRENT);
  w.u8(7, 0);  // EI_OSABI: ELFOSABI_NONE
  w.u16(16, e.type);
  w.u16(18, f.machine);
  w.u32(20, elfc::EV_CURRENT);  // e_version
  // e_entry, e_phoff, e_shoff are words; the 16-bit fields after e_flags follow them.
  const std::size_t words = 24, wsz = f.word_size();
  w.word(words, e.entry);
  w.word(words + wsz, e.phoff);
  w.word(words + 2 * wsz, e.shoff);
  const std::size_t half = words + 3 * wsz + 4;  // after e_flags
  w.u16(half, s.ehdr);
  w.u16(half + 2, s.phdr);
  w.u16(half + 4, e.phnum);
  w.u16(half + 6, e.shnum ? s.shdr : 0);
  w.u16(half + 8, e.shnum);
  w.u16(half + 10, e.shstrndx);
}

void put_phdr(ByteWriter& w, std::size_t at, const PhdrFields& p) {
  w.u32(at, p.type);
  if (w.format().is64) {
    w.u32(at + 4, p.flags);
    w.u64(at + 8, p.offset);
    w.u64(at + 16, p.vaddr);
    w.u64(at + 24, p.paddr);
    w.u64(at + 32, p.filesz);
    w.u64(at + 40, p.memsz);
    w.u64(at + 48, p.align);
  } else {
    w.u32(at + 4, p.offset);
    w.u32(at + 8, p.vaddr);
    w.u32(at + 12, p.paddr);
    w.u32(at + 16, p.filesz);
    w.u32(at + 20, p.memsz);
    w.u32(at + 24, p.flags);
    w.u32(at + 28, p.align);
  }
}

std::size_t put_note(ByteWriter& w, std::size_t at, std::string_view name, std::uint32_t type, const Bytes& desc) {
  w.u32(at, name.size() + 1);
  w.u32(at + 4, desc.size());
  w.u32(at + 8, type);
  w.text(at + elfc::NHDR_SIZE, name);
  const std::size_t desc_at = at + elfc::NHDR_SIZE + pad4(name.size() + 1);
  w.u8(desc_at - 1, 0);  // the name's NUL and padding, even at the end of the buffer
  w.bytes(desc_at, desc);
  if (w.size() < desc_at + pad4(desc.size())) w.resize(desc_at + pad4(desc.size()));
  return desc_at;
}

std::size_t note_size(std::string_view name, std::size_t desc_size) {
  return elfc::NHDR_SIZE + pad4(name.size() + 1) + pad4(desc_size);
}

}  // namespace corelens::testing
