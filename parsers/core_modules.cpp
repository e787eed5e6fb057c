#include "parsers/core_modules.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "core/model/strings.hpp"
#include "parsers/core_link_map.hpp"
#include "parsers/elf_image.hpp"

namespace corelens {
namespace {

constexpr std::size_t kMaxModules = 1u << 16;

ReadAt memory_reader(const AddressSpace& memory, std::uint64_t base) {
  return [&memory, base](std::uint64_t offset, std::span<std::byte> out) -> Result<void> {
    std::uint64_t addr = 0;
    if (__builtin_add_overflow(base, offset, &addr)) {
      return fail(ErrorCode::not_mapped, "address overflows", base);
    }
    return memory.read(addr, out);
  };
}

bool starts_with_elf_magic(const AddressSpace& memory, std::uint64_t addr) {
  std::byte magic[SELFMAG];
  if (!memory.read(addr, magic)) return false;
  return std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

// Reads headers and build-id from the image at START; fills what it can and returns the
// program headers (empty when the headers were not saved).
std::vector<ElfProgramHeader> identify_from_memory(const ProcessDump& dump, Module& m) {
  auto info = read_elf_image(memory_reader(dump.memory, m.start), ElfImageLayout::loaded);
  if (!info) return {};
  m.headers_in_core = true;
  m.build_id = info->build_id;
  if (!m.from_link_map) m.load_bias = m.start - info->first_load_vaddr;
  if (m.is_vdso) {
    // The vDSO has no NT_FILE entry: its extent comes from its own program headers.
    std::uint64_t end = m.start;
    for (const auto& p : info->phdrs) {
      if (p.type == PT_LOAD) end = std::max(end, m.load_bias + p.vaddr + p.memsz);
    }
    if (end > m.start) m.end = end;
  }
  return std::move(info->phdrs);
}

// gdb's gcore leaves some read-only file mappings out of the core entirely (no PT_LOAD at all),
// while NT_FILE still lists them. They belong on the memory map, as not saved, with the
// permissions of the object's own segment when its headers are known.
void add_unsaved_file_mappings(ProcessDump& dump,
                               const std::vector<std::vector<ElfProgramHeader>>& module_phdrs) {
  std::vector<Mapping> added;
  for (const auto& f : dump.files) {
    if (f.end <= f.start || dump.mapping_at(f.start) != nullptr) continue;
    Mapping m;
    m.start = f.start;
    m.end = f.end;
    m.path = f.path;
    m.file_offset = f.file_offset;
    m.flags = kRead;
    for (std::size_t i = 0; i < dump.modules.size(); ++i) {
      const Module& mod = dump.modules[i];
      if (f.start < mod.start || f.start >= mod.end) continue;
      for (const auto& p : module_phdrs[i]) {
        std::uint64_t link = f.start - mod.load_bias;
        if (p.type == PT_LOAD && link >= (p.vaddr & ~std::uint64_t{4095}) && link < p.vaddr + p.memsz) {
          m.flags = (p.flags & PF_R ? kRead : 0) | (p.flags & PF_W ? kWrite : 0) | (p.flags & PF_X ? kExec : 0);
        }
      }
    }
    added.push_back(std::move(m));
  }
  if (added.empty()) return;
  dump.mappings.insert(dump.mappings.end(), added.begin(), added.end());
  std::sort(dump.mappings.begin(), dump.mappings.end(),
            [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
}

}  // namespace

void identify_module_from_memory(const ProcessDump& dump, Module& m) { (void)identify_from_memory(dump, m); }

void add_vdso_module(ProcessDump& dump) {
  auto vdso = dump.auxv_value(AT_SYSINFO_EHDR);
  if (!vdso || *vdso == 0) return;
  Module m;
  m.path = "[vdso]";
  m.start = *vdso;
  const Mapping* mapping = dump.mapping_at(*vdso);
  m.end = mapping ? mapping->end : *vdso + 0x2000;
  m.load_bias = *vdso;
  m.is_vdso = true;
  identify_from_memory(dump, m);
  dump.modules.push_back(std::move(m));
}

void discover_modules(ProcessDump& dump) {
  if (dump.files.empty()) {
    // qemu-user cores, and kernel cores that lost the note: the dynamic linker's own list. When
    // the executable's headers are not in the core, the unwinder completes this from its file.
    if (auto exe = executable_from_memory(dump)) modules_from_link_map(dump, *exe);
    return;
  }
  // An object is a path whose NT_FILE ranges include one at file offset 0 (the ELF header).
  // Data files mapped whole (locale archives, fonts) also start at offset 0: the ELF magic in
  // memory tells them apart when the page was saved; otherwise the unwinder checks the file.
  std::map<std::string, std::size_t> index;
  for (const auto& f : dump.files) {
    auto it = index.find(f.path);
    if (it != index.end()) {
      Module& m = dump.modules[it->second];
      // Later ranges of the same object (text, data, relro, bss) extend it.
      if (f.start >= m.start) m.end = std::max(m.end, f.end);
      continue;
    }
    if (f.file_offset != 0) continue;
    if (dump.modules.size() >= kMaxModules) break;
    if (dump.memory.is_saved(f.start) && !starts_with_elf_magic(dump.memory, f.start)) continue;
    Module m;
    m.path = f.path;
    m.start = f.start;
    m.end = f.end;
    m.load_bias = f.start;
    index.emplace(f.path, dump.modules.size());
    dump.modules.push_back(std::move(m));
  }

  add_vdso_module(dump);

  auto entry = dump.auxv_value(AT_ENTRY);
  std::vector<std::vector<ElfProgramHeader>> module_phdrs;
  for (auto& m : dump.modules) {
    module_phdrs.push_back(identify_from_memory(dump, m));
    if (entry && *entry >= m.start && *entry < m.end && !m.is_vdso) m.is_main_executable = true;
  }
  // Without AT_ENTRY (or when it points nowhere), the first object mapped is the executable,
  // which is how the kernel lays out a process.
  if (std::none_of(dump.modules.begin(), dump.modules.end(),
                   [](const Module& m) { return m.is_main_executable; })) {
    for (auto& m : dump.modules) {
      if (!m.is_vdso) {
        m.is_main_executable = true;
        break;
      }
    }
  }
  add_unsaved_file_mappings(dump, module_phdrs);
  std::sort(dump.modules.begin(), dump.modules.end(),
            [](const Module& a, const Module& b) { return a.start < b.start; });
}

}  // namespace corelens
