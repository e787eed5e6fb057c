// Reading the headers of an ELF object wherever its bytes are: a file on disk, or the image of a
// loaded object inside a core's memory. Only what module identification needs: type, machine,
// program headers, the GNU build-id, the .gnu_debuglink name; 32- and 64-bit, either byte order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/file/byte_reader.hpp"
#include "core/model/error.hpp"

namespace corelens {

struct ElfProgramHeader {
  std::uint32_t type = 0, flags = 0;
  std::uint64_t offset = 0, vaddr = 0, paddr = 0, filesz = 0, memsz = 0, align = 0;
};

// The program header at OFF in R (Elf64_Phdr: 56 bytes, Elf32_Phdr: 32, in R's byte order),
// decoded field by field; fields past what R holds read as 0 (callers check the size first).
ElfProgramHeader decode_program_header(const ByteReader& r, std::uint64_t off, bool is_64bit);

struct ElfImageInfo {
  std::uint16_t type = 0;     // ET_EXEC, ET_DYN ...
  std::uint16_t machine = 0;
  bool is_64bit = true, big_endian = false;  // EI_CLASS, EI_DATA
  std::uint64_t entry = 0;
  std::vector<ElfProgramHeader> phdrs;
  std::string build_id;       // hex; empty when the object has none (or it was not readable)
  // Lowest PT_LOAD p_vaddr rounded down to its alignment: the link-time address of the mapping
  // that holds file offset 0, so load_bias = runtime start - this.
  std::uint64_t first_load_vaddr = 0;
  bool has_load = false;
};

// Reads SIZE bytes at OFFSET of the object's image into OUT.
using ReadAt = std::function<Result<void>(std::uint64_t offset, std::span<std::byte> out)>;

// Where the object's bytes come from decides how notes are found: a file is addressed by file
// offsets (p_offset), a loaded image by virtual addresses relative to its load bias (p_vaddr).
enum class ElfImageLayout { file, loaded };

// Reads the ELF and program headers and the build-id note. For a loaded image, READ takes
// offsets from the image's first mapped byte and LOAD_BIAS is unknown until the headers are read,
// so notes are read at (p_vaddr - first_load_vaddr).
Result<ElfImageInfo> read_elf_image(const ReadAt& read, ElfImageLayout layout);

// Convenience: the headers and build-id of a file on disk (mapped, never read whole).
Result<ElfImageInfo> read_elf_file(const std::string& path);

}  // namespace corelens
