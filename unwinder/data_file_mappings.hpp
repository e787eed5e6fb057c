// Files a process mapped as data, told apart from the objects it loaded.
//
// NT_FILE names every file mapped in the process. The parser takes a path mapped at file offset 0
// for an object (an ELF header is there) unless the page the core saved there shows otherwise
// (parsers/core_modules.cpp). The kernel saves that page only for an ELF header, so a locale
// file, a font or a cache mapped whole stays on the list with nothing to tell it apart, and would
// be reported as a module whose file "is not an ELF object". Here, where files may be opened, the
// file decides: one that is not executable in the process and whose file (inside --sysroot) is
// there but is not an ELF object, or is no regular file at all (a device), is data. It stays on
// the memory map and leaves the module list.
#pragma once

#include "core/model/process.hpp"
#include "unwinder/module_locator.hpp"

namespace corelens {

void drop_data_file_modules(ProcessDump& dump, const LocatorOptions& options);

}  // namespace corelens
