// Finding the loaded ELF objects of a process from its core alone: NT_FILE names the files and
// their ranges, the first page of each object (which the kernel dumps by default) gives its ELF
// and program headers, hence its load bias and GNU build-id; AT_SYSINFO_EHDR gives the vDSO.
#pragma once

#include "core/model/process.hpp"

namespace corelens {

// Fills dump.modules. Objects whose headers were not saved keep an unknown build-id and a load
// bias equal to their start; the unwinder corrects the bias from the file on disk. Without
// NT_FILE, the modules come from the dynamic linker's list in memory (core_link_map.hpp).
void discover_modules(ProcessDump& dump);

// Adds the vDSO (AT_SYSINFO_EHDR) to dump.modules, its extent from its own headers.
void add_vdso_module(ProcessDump& dump);
// Reads M's ELF headers and build-id at M.start in the core's memory, when they were saved
// (sets headers_in_core and build_id; the load bias too, unless M came from the link map).
void identify_module_from_memory(const ProcessDump& dump, Module& m);

}  // namespace corelens
