#include "parsers/detect.hpp"

#include <elf.h>

#include <cstring>

#include "core/file/byte_reader.hpp"

namespace corelens {
namespace {

bool starts_with(std::span<const std::byte> bytes, const void* magic, std::size_t size) {
  return bytes.size() >= size && std::memcmp(bytes.data(), magic, size) == 0;
}

// Looks for a "VMCOREINFO" note in the first PT_NOTE segment: the mark of a kernel dump.
bool has_vmcoreinfo(const ByteReader& file) {
  auto phoff = file.u64(32);
  auto phnum = file.u16(56);
  if (!phoff || !phnum) return false;
  for (std::uint64_t i = 0; i < std::min<std::uint64_t>(*phnum, 64); ++i) {
    std::uint64_t off = *phoff + i * 56;
    auto type = file.u32(off);
    if (!type) return false;
    if (*type != PT_NOTE) continue;
    auto p_offset = file.u64(off + 8);
    auto p_filesz = file.u64(off + 32);
    if (!p_offset || !p_filesz) return false;
    auto seg = file.sub(*p_offset, std::min<std::uint64_t>(*p_filesz, file.size() > *p_offset ? file.size() - *p_offset : 0));
    if (!seg) return false;
    std::uint64_t pos = 0;
    while (seg->has(pos, 12)) {
      std::uint64_t namesz = *seg->u32(pos), descsz = *seg->u32(pos + 4);
      if (seg->fixed_string(pos + 12, namesz) == "VMCOREINFO") return true;
      pos = pos + 12 + ((namesz + 3) & ~3ull) + ((descsz + 3) & ~3ull);
    }
    return false;
  }
  return false;
}

}  // namespace

std::string_view to_string(DumpFormat format) {
  switch (format) {
    case DumpFormat::elf_user_core: return "ELF core of a user process";
    case DumpFormat::elf_kernel_core: return "ELF kernel dump (vmcore)";
    case DumpFormat::kdump_compressed: return "kdump-compressed kernel dump";
    case DumpFormat::kdump_flattened: return "flattened kdump kernel dump";
    case DumpFormat::compressed: return "compressed file";
    case DumpFormat::unknown: break;
  }
  return "unknown";
}

DumpFormat detect_format(std::span<const std::byte> bytes) {
  static constexpr unsigned char kZstd[] = {0x28, 0xb5, 0x2f, 0xfd};
  static constexpr unsigned char kXz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
  static constexpr unsigned char kLz4[] = {0x04, 0x22, 0x4d, 0x18};
  if (starts_with(bytes, "KDUMP   ", 8)) return DumpFormat::kdump_compressed;
  if (starts_with(bytes, "makedumpfile", 12)) return DumpFormat::kdump_flattened;
  if (starts_with(bytes, kZstd, 4) || starts_with(bytes, kXz, 6) || starts_with(bytes, kLz4, 4)) {
    return DumpFormat::compressed;
  }
  if (!starts_with(bytes, ELFMAG, SELFMAG)) return DumpFormat::unknown;
  ByteReader file(bytes);
  if (file.u8(EI_CLASS).value_or(0) == ELFCLASS64 && file.u16(16).value_or(0) == ET_CORE &&
      has_vmcoreinfo(file)) {
    return DumpFormat::elf_kernel_core;
  }
  return DumpFormat::elf_user_core;  // the core parser explains what else an ELF file may be
}

}  // namespace corelens
