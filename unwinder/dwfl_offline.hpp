// One ELF file opened with libdwfl on its own, outside any process: a vmlinux, a module's .ko.
// libdwfl gets the file we name and must never go looking for others (by build-id, debuglink or
// debuginfod): what it would find is not checked against the dump. ET_REL files (.ko) have their
// sections placed one after the other by libdwfl (dwfl_offline_section_address). Compressed files
// (gzip, xz, zstd) are read as they are.
#pragma once

#include <string>

#include "core/model/error.hpp"

struct Dwfl;
struct Dwfl_Module;

namespace corelens {

// Opens PATH as the one module NAME of a new Dwfl session, stored in *DWFL (to be ended with
// dwfl_end by the caller, also when this fails after creating it).
Result<Dwfl_Module*> open_offline_module(const std::string& path, const char* name, Dwfl** dwfl);

}  // namespace corelens
