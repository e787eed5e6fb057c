#include "unwinder/link_map_files.hpp"

#include <elf.h>

#include <algorithm>

#include "core/file/byte_reader.hpp"
#include "core/file/mapped_file.hpp"
#include "core/model/strings.hpp"
#include "parsers/core_link_map.hpp"
#include "parsers/elf_image.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kPage = 4096;

// The executable's file: --exe, else the path the process was started by (inside --sysroot).
std::string executable_file(const ProcessDump& dump, const LocatorOptions& options) {
  if (!options.executable.empty()) return options.executable;
  std::string recorded = executable_path_from_core(dump);
  if (recorded.empty()) return {};
  return recorded.front() == '/' ? path_in_sysroot(options.sysroot, recorded) : recorded;
}

// The executable's headers from its file, biased to where the core's auxv says it was loaded.
std::optional<ExecutableImage> executable_from_file(ProcessDump& dump, const LocatorOptions& options) {
  std::string path = executable_file(dump, options);
  if (path.empty()) {
    dump.diagnostics.warn("modules-unknown", "no NT_FILE, the executable's program headers are not in the core and "
                                             "its path is unknown: no module is known (give --exe)");
    return std::nullopt;
  }
  auto info = read_elf_file(path);
  if (!info) {
    dump.diagnostics.warn("modules-unknown", "no NT_FILE and the executable's program headers are not in the core; "
                                             "its file " + path + " cannot be read (" + info.error().message +
                                             "): no module is known (give --exe)");
    return std::nullopt;
  }
  if (info->machine != elf_machine(dump.arch)) {
    dump.diagnostics.warn("modules-unknown", path + " is not an " + std::string(to_string(dump.arch)) +
                                             " executable (e_machine " + std::to_string(info->machine) +
                                             "): no module is known (give --exe)");
    return std::nullopt;
  }
  ExecutableImage exe;
  exe.phdrs = info->phdrs;
  if (auto file = MappedFile::open(path)) {
    for (const auto& p : exe.phdrs) {
      if (p.type != PT_INTERP || p.filesz == 0 || p.filesz > 4096 || p.offset > (*file)->size() ||
          p.filesz > (*file)->size() - p.offset) {
        continue;
      }
      exe.interpreter = printable(ByteReader((*file)->bytes()).fixed_string(p.offset, p.filesz));
    }
  }
  bool biased = info->type == ET_EXEC;  // not relocated: bias 0
  if (!biased) {
    if (auto at_phdr = dump.auxv_value(AT_PHDR)) {
      for (const auto& p : exe.phdrs) {
        if (p.type == PT_PHDR) {
          exe.load_bias = *at_phdr - p.vaddr;
          biased = true;
        }
      }
    }
  }
  if (!biased) {
    if (auto entry = dump.auxv_value(AT_ENTRY); entry && info->entry != 0) {
      exe.load_bias = *entry - info->entry;
      biased = true;
    }
  }
  if (!biased) {
    dump.diagnostics.warn("modules-unknown", "the core's auxv does not say where " + path +
                                             " was loaded (no AT_PHDR or AT_ENTRY): no module is known");
    return std::nullopt;
  }
  dump.diagnostics.info("executable-headers-from-file",
                        "the executable's program headers are not in the core: read from " + path);
  return exe;
}

}  // namespace

void complete_modules_from_files(ProcessDump& dump, const LocatorOptions& options) {
  if (!dump.files.empty()) return;  // NT_FILE named everything
  bool from_link_map = std::any_of(dump.modules.begin(), dump.modules.end(),
                                   [](const Module& m) { return m.from_link_map; });
  if (!from_link_map) {
    auto exe = executable_from_file(dump, options);
    if (!exe) return;
    modules_from_link_map(dump, *exe);
  }
  // Each object's extent from its file's PT_LOADs, now that the file can be looked for; and its
  // segments the core has no program header for at all (gcore leaves some read-only file
  // mappings out entirely), as mappings not saved, so that their code counts as executable.
  std::vector<Mapping> unsaved;
  for (auto& m : dump.modules) {
    if (!m.from_link_map || m.is_vdso) continue;
    LocatedModule l = locate_module(m, dump, options);
    if (l.file.empty()) continue;
    auto info = read_elf_file(l.file);
    if (!info) continue;
    std::uint64_t lo = UINT64_MAX, hi = 0;
    for (const auto& p : info->phdrs) {
      if (p.type != PT_LOAD || p.memsz == 0) continue;
      std::uint64_t start = 0, end = 0, rounded = 0;
      if (add_overflows(m.load_bias, p.vaddr, &start) || add_overflows(start, p.memsz, &end) ||
          add_overflows(end, kPage - 1, &rounded)) {
        continue;
      }
      start &= ~(kPage - 1);
      end = rounded & ~(kPage - 1);
      lo = std::min(lo, start);
      hi = std::max(hi, end);
      bool covered = std::any_of(dump.mappings.begin(), dump.mappings.end(),
                                 [&](const Mapping& map) { return map.start < end && start < map.end; });
      if (covered) continue;
      Mapping map;
      map.start = start;
      map.end = end;
      map.flags = (p.flags & PF_R ? kRead : 0) | (p.flags & PF_W ? kWrite : 0) | (p.flags & PF_X ? kExec : 0);
      map.path = m.path;
      map.file_offset = p.offset & ~(kPage - 1);
      unsaved.push_back(std::move(map));
    }
    if (lo == UINT64_MAX || hi <= lo) continue;
    m.start = lo;
    m.end = hi;
  }
  dump.mappings.insert(dump.mappings.end(), unsaved.begin(), unsaved.end());
  std::sort(dump.mappings.begin(), dump.mappings.end(), [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
  std::sort(dump.modules.begin(), dump.modules.end(), [](const Module& a, const Module& b) { return a.start < b.start; });
  for (auto& map : dump.mappings) {
    // Mappings named from the estimated extents are named again from the files' ones.
    if (std::any_of(dump.modules.begin(), dump.modules.end(), [&](const Module& m) { return m.path == map.path; })) {
      map.path.clear();
    }
  }
  name_mappings_after_modules(dump);
}

}  // namespace corelens
