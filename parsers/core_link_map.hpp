// The loaded objects of a process from the dynamic linker's own list in its memory, for cores
// without NT_FILE (qemu-user writes none; a damaged kernel core may have lost it):
//   auxv AT_PHDR -> the executable's program headers -> PT_DYNAMIC -> DT_DEBUG -> struct r_debug
//   -> r_map -> the chain of struct link_map {l_addr, l_name, l_ld, l_next, l_prev}.
// Every pointer comes from the dump and may point anywhere: each read is checked, the chain is
// capped and a cycle ends it.
//
// The executable's program headers may be missing from the core too (qemu-user does not save an
// executable mapping that starts with an ELF header): then the caller, which may open files,
// reads them from the executable's file and hands them in (unwinder/link_map_files.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/process.hpp"
#include "parsers/elf_image.hpp"

namespace corelens {

// The main executable as mapped: its load bias and program headers.
struct ExecutableImage {
  std::uint64_t load_bias = 0;
  std::vector<ElfProgramHeader> phdrs;
  std::string build_id;          // from the core's memory, when the note was saved
  // PT_INTERP's path: the dynamic linker's l_name points at it, inside the executable's mapping,
  // which the core may not hold (read from the file then).
  std::string interpreter;
  bool headers_in_core = false;  // the program headers were read from the core's memory
};

// The executable's program headers from AT_PHDR/AT_PHNUM in the core's memory, with the load
// bias from its PT_PHDR (or, failing that, AT_ENTRY and ENTRY_VADDR when given). Nullopt when
// the auxv lacks them or their page was not saved.
std::optional<ExecutableImage> executable_from_memory(const ProcessDump& dump);

// Caps on what a link map may claim.
inline constexpr std::size_t kMaxLinkMapEntries = 4096;
inline constexpr std::size_t kMaxDynamicEntries = 4096;

// Replaces dump.modules by the executable (EXE) and the objects of the link map, each with its
// l_addr as load bias; adds the vDSO from AT_SYSINFO_EHDR, and a diagnostic for what could not
// be read. Names the anonymous mappings after the modules covering them.
void modules_from_link_map(ProcessDump& dump, const ExecutableImage& exe);

// The executable's path as the process knew it: AT_EXECFN's string, else pr_fname ("" if none).
std::string executable_path_from_core(const ProcessDump& dump);

// Names each mapping without a path after the module whose [start, end) holds it.
void name_mappings_after_modules(ProcessDump& dump);

}  // namespace corelens
