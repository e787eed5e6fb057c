// See elf_image.hpp. Field offsets are from the ELF gABI (Elf32_/Elf64_ Ehdr, Phdr, Shdr, Sym).
#include "tests/support/elf_image.hpp"

#include "tests/support/elf_writer.hpp"

#include <algorithm>
#include <stdexcept>

namespace corelens::testing {
namespace {

using elfc::PF_R, elfc::PF_X, elfc::PT_LOAD, elfc::PT_NOTE;
constexpr std::uint32_t kShtProgbits = 1, kShtSymtab = 2, kShtStrtab = 3, kShtNote = 7;
constexpr std::uint64_t kShfAlloc = 2, kShfExecinstr = 4;
constexpr std::uint8_t kSttFuncGlobal = 0x12;  // STB_GLOBAL << 4 | STT_FUNC

// Elf_Phdr at AT; p_paddr = p_vaddr and p_memsz = p_filesz, as a linker writes them.
void put_phdr(ByteWriter& w, std::size_t at, std::uint32_t type, std::uint32_t flags, std::uint64_t offset,
              std::uint64_t vaddr, std::uint64_t size, std::uint64_t align) {
  corelens::testing::put_phdr(w, at, {type, flags, offset, vaddr, vaddr, size, size, align});
}

struct Section {
  std::uint32_t name, type;
  std::uint64_t flags, addr, offset, size;
  std::uint32_t link, info;
  std::uint64_t align, entsize;
};

void put_shdr(ByteWriter& w, std::size_t at, const Section& s) {
  w.u32(at, s.name);
  w.u32(at + 4, s.type);
  if (w.format().is64) {
    w.u64(at + 8, s.flags);
    w.u64(at + 16, s.addr);
    w.u64(at + 24, s.offset);
    w.u64(at + 32, s.size);
    w.u32(at + 40, s.link);
    w.u32(at + 44, s.info);
    w.u64(at + 48, s.align);
    w.u64(at + 56, s.entsize);
  } else {
    w.u32(at + 8, s.flags);
    w.u32(at + 12, s.addr);
    w.u32(at + 16, s.offset);
    w.u32(at + 20, s.size);
    w.u32(at + 24, s.link);
    w.u32(at + 28, s.info);
    w.u32(at + 32, s.align);
    w.u32(at + 36, s.entsize);
  }
}

// A string table: offsets of the names added, NUL-separated, starting with the empty name.
struct Strings {
  std::string bytes = std::string(1, '\0');
  std::uint32_t add(const std::string& s) {
    auto at = static_cast<std::uint32_t>(bytes.size());
    bytes += s;
    bytes.push_back('\0');
    return at;
  }
};

}  // namespace

std::vector<std::uint8_t> build_elf_image(const ElfImageSpec& spec) {
  if (spec.text.size() > kImagePage) throw std::invalid_argument("elf_image: text larger than a page");
  const ElfFormat& f = spec.format;
  const ElfSizes L = elf_sizes(f);
  ByteWriter w(f, kImagePage + spec.text.size());
  const std::size_t phnum = spec.build_id.empty() ? 2 : 3;
  const std::uint64_t text_addr = spec.base + kImagePage;

  // Program headers: the first page (headers and note), the text, the note.
  std::size_t ph = L.ehdr;
  put_phdr(w, ph, PT_LOAD, PF_R, 0, spec.base, kImagePage, kImagePage);
  put_phdr(w, ph + L.phdr, PT_LOAD, PF_R | PF_X, kImagePage, text_addr, spec.text.size(), kImagePage);
  std::size_t build_id_note = 0;
  if (!spec.build_id.empty()) {
    build_id_note = note_size("GNU", spec.build_id.size());
    put_phdr(w, ph + 2 * L.phdr, PT_NOTE, PF_R, kImageNoteOffset, spec.base + kImageNoteOffset, build_id_note, 4);
    put_note(w, kImageNoteOffset, "GNU", elfc::NT_GNU_BUILD_ID, spec.build_id);
  }
  w.bytes(kImagePage, spec.text);
  if (!spec.sections) {
    put_ehdr(w, {.type = spec.type, .entry = text_addr, .phoff = L.ehdr, .phnum = static_cast<std::uint16_t>(phnum)});
    return w.take();
  }

  // Symbols and strings after the text.
  Strings names, section_names;
  w.align(8);
  const std::size_t symtab = w.size();
  const std::size_t nsyms = spec.functions.size() + 1;  // entry 0 is the null symbol
  w.resize(symtab + nsyms * L.sym);
  for (std::size_t i = 0; i < spec.functions.size(); ++i) {
    const ElfSymbol& s = spec.functions[i];
    std::size_t at = symtab + (i + 1) * L.sym;
    w.u32(at, names.add(s.name));
    if (f.is64) {
      w.u8(at + 4, kSttFuncGlobal);
      w.u16(at + 6, 2);  // st_shndx: .text
      w.u64(at + 8, s.address);
      w.u64(at + 16, s.size);
    } else {
      w.u32(at + 4, s.address);
      w.u32(at + 8, s.size);
      w.u8(at + 12, kSttFuncGlobal);
      w.u16(at + 14, 2);
    }
  }
  const std::size_t strtab = w.size();
  w.text(strtab, names.bytes);
  std::vector<Section> sections(1, Section{});
  auto section = [&](const char* name, Section s) {
    s.name = section_names.add(name);
    sections.push_back(s);
  };
  std::uint32_t note_index = spec.build_id.empty() ? 0 : 1;
  if (!spec.build_id.empty()) {
    section(".note.gnu.build-id", {0, kShtNote, kShfAlloc, spec.base + kImageNoteOffset, kImageNoteOffset, build_id_note, 0, 0, 4, 0});
  }
  const auto text_index = static_cast<std::uint32_t>(sections.size());
  if (text_index != 1 + note_index) throw std::logic_error("elf_image: section order");
  section(".text", {0, kShtProgbits, kShfAlloc | kShfExecinstr, text_addr, kImagePage, spec.text.size(), 0, 0, 16, 0});
  const auto symtab_index = static_cast<std::uint32_t>(sections.size());
  section(".symtab", {0, kShtSymtab, 0, 0, symtab, nsyms * L.sym, symtab_index + 1, 1, 8, L.sym});
  section(".strtab", {0, kShtStrtab, 0, 0, strtab, names.bytes.size(), 0, 0, 1, 0});
  const auto shstrndx = static_cast<std::uint32_t>(sections.size());
  Section shstr{0, kShtStrtab, 0, 0, 0, 0, 0, 0, 1, 0};
  shstr.name = section_names.add(".shstrtab");
  shstr.offset = strtab + names.bytes.size();
  shstr.size = section_names.bytes.size();
  sections.push_back(shstr);
  w.text(shstr.offset, section_names.bytes);
  // Symbols name their section by index: .text follows the note when there is one.
  if (text_index != 2) {
    for (std::size_t i = 1; i < nsyms; ++i) w.u16(symtab + i * L.sym + (f.is64 ? 6 : 14), text_index);
  }
  w.align(8);
  const std::size_t shoff = w.size();
  for (std::size_t i = 0; i < sections.size(); ++i) put_shdr(w, shoff + i * L.shdr, sections[i]);

  put_ehdr(w, {.type = spec.type,
                .entry = spec.functions.empty() ? text_addr : spec.functions.front().address,
                .phoff = L.ehdr,
                .shoff = shoff,
                .phnum = static_cast<std::uint16_t>(phnum),
                .shnum = static_cast<std::uint16_t>(sections.size()),
                .shstrndx = static_cast<std::uint16_t>(shstrndx)});
  return w.take();
}

std::vector<std::uint8_t> elf_image_headers(const std::vector<std::uint8_t>& image) {
  return std::vector<std::uint8_t>(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(image.size(), kImagePage)));
}

}  // namespace corelens::testing
