// glibc's lock layouts for a dumped process (core/analysis/glibc_layouts.hpp): from the DWARF of
// its C library when it has some (libc6-dbg), exact for the build that ran; otherwise the layouts
// written down for the release its symbol versions name.
//
// Only files the analysis verified by build-id are read (the Report's modules with symbols from a
// file or a debug file). The DWARF search reads the units of glibc's thread library sources
// (nptl/pthread_*.c, where the structures are used), not the whole library.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/analysis/glibc_layouts.hpp"
#include "core/model/arch.hpp"
#include "core/model/report.hpp"

namespace corelens {

// The layout for the process whose modules are MODULES; nullopt without a glibc (a static
// program, musl), with *WHY saying so.
std::optional<GlibcLayout> glibc_layout_for(Arch arch, const std::vector<ModuleReport>& modules, std::string* why);

// The layout the DWARF of the ELF file at PATH describes, where it defines glibc's mutex and
// rwlock (the condvar and the barrier when it defines them too). Exposed for the tests, which
// compare it with the built-in tables.
std::optional<GlibcLayout> glibc_layout_from_dwarf(const std::string& path);

// The highest GLIBC_2.N version a C library file defines (.gnu.version_d).
std::optional<GlibcVersion> glibc_version_of(const std::string& path);

}  // namespace corelens
