// Finding the loaded ELF objects of a process from its core alone: NT_FILE names the files and
// their ranges, the first page of each object (which the kernel dumps by default) gives its ELF
// and program headers, hence its load bias and GNU build-id; AT_SYSINFO_EHDR gives the vDSO.
#pragma once

#include "core/process.hpp"

namespace corelens {

// Fills dump.modules. Objects whose headers were not saved keep an unknown build-id and a load
// bias equal to their start; the unwinder corrects the bias from the file on disk.
void discover_modules(ProcessDump& dump);

}  // namespace corelens
