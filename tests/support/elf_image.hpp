// Test-only builder of small ELF objects (an executable or a shared library) in any ELF class,
// byte order and machine: program headers, a GNU build-id note, one text segment, and section
// headers with a symbol table, so a synthetic core's modules can have files with function names
// (found through --sysroot). Layouts are written out here from the ELF gABI, never taken from the
// parsers.
//
// File layout (offsets in the file; the first page is what a core saves of a mapped object):
//   0       ELF header, program headers (PT_LOAD headers, PT_LOAD text, PT_NOTE)
//   0x200   the build-id note (NT_GNU_BUILD_ID, owner "GNU")
//   0x1000  the text (mapped at base + 0x1000)
//   then    .symtab, .strtab, .shstrtab, and the section header table
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/byte_writer.hpp"

namespace corelens::testing {

struct ElfSymbol {
  std::string name;
  std::uint64_t address = 0;  // link-time address (for a shared library: an offset from 0)
  std::uint64_t size = 0;
};

struct ElfImageSpec {
  ElfFormat format;
  std::uint16_t type = 2;      // ET_EXEC; 3 = ET_DYN (elfc:: in elf_writer.hpp)
  std::uint64_t base = 0;      // link-time address of the first page (0 for a shared library)
  std::vector<std::uint8_t> text;  // at file offset 0x1000, address base + 0x1000; at most a page
  std::vector<ElfSymbol> functions;  // STT_FUNC, STB_GLOBAL, in .text
  std::vector<std::uint8_t> build_id;  // empty: no note
  bool sections = true;  // false: program headers only, no symbols and no section headers
};

inline constexpr std::uint64_t kImagePage = 0x1000;
inline constexpr std::uint64_t kImageNoteOffset = 0x200;

std::vector<std::uint8_t> build_elf_image(const ElfImageSpec& spec);
// The first page of the image: what a core saves of the object's first mapping.
std::vector<std::uint8_t> elf_image_headers(const std::vector<std::uint8_t>& image);

}  // namespace corelens::testing
