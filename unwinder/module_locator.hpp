// Finding the file behind each module of a dump, and deciding whether it may be trusted.
//
// Order: --exe (main executable only), the path recorded in the dump (inside --sysroot when one is
// given, never outside it), the build-id under each debug directory (.build-id/xx/rest and
// .build-id/xx/rest.debug), then debuginfod when the user set DEBUGINFOD_URLS. A file whose
// build-id differs from the one in the dump is reported as mismatched and never used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/analyze_options.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"

namespace corelens {

struct LocatedModule {
  std::string file;           // the ELF file to unwind and symbolise with; empty if none
  std::string file_build_id;
  std::uint64_t load_bias = 0;
  SymbolSource source = SymbolSource::none;
  std::string note;           // why, in words
  std::vector<std::byte> memory_image;  // the module's bytes from the dump (the vDSO)
};

LocatedModule locate_module(const Module& module, const ProcessDump& dump, const LocatorOptions& options);

// The file debuginfod has for BUILD_ID (hex), downloaded into its cache; empty when none (or no
// libdebuginfod). Call only when the user set DEBUGINFOD_URLS.
enum class DebuginfodFile { executable, debuginfo };
std::string debuginfod_fetch(const std::string& build_id, DebuginfodFile what);

// "/srv/root" + "/usr/lib/libc.so.6", with symbolic links resolved as if /srv/root were "/"
// (chroot's semantics): absolute links land inside it, and neither a link nor ".." climbs out of
// it. Empty when the links loop.
std::string path_in_sysroot(const std::string& sysroot, const std::string& path);

}  // namespace corelens
