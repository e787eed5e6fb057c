// The versions of every library the analysis uses (the parsers' and the unwinder's), for
// `corelens --version` and `corelens-gui --version`.
#pragma once

#include <string>
#include <vector>

#include "parsers/library_versions.hpp"

namespace corelens {

// elfutils (libdw/libdwfl), libunwind, Capstone, then the parsers' decompression libraries.
std::vector<LibraryVersion> analysis_library_versions();

// "corelens 0.1.0\n  elfutils 0.188\n  ..." for --version: PROGRAM and VERSION, then one
// indented line per library, EXTRA (the front end's own libraries) first.
std::string version_text(const std::string& program, const std::string& version,
                         const std::vector<LibraryVersion>& extra = {});

}  // namespace corelens
