// Completing the module list of a core without NT_FILE (qemu-user cores) from the files on disk:
// the parser found the dynamic linker's list in memory when it could (parsers/core_link_map.hpp);
// here, where files may be opened,
//   - when the core lacks the executable's program headers, they are read from its file (--exe,
//     else the path AT_EXECFN names), its load bias from AT_PHDR (or AT_ENTRY), and the link map
//     is walked from there;
//   - each module's extent, estimated from the core's segments, is replaced by its file's.
// What could not be found becomes a diagnostic of the dump.
#pragma once

#include "core/model/process.hpp"
#include "unwinder/module_locator.hpp"

namespace corelens {

void complete_modules_from_files(ProcessDump& dump, const LocatorOptions& options);

}  // namespace corelens
