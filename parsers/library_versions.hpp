// The versions of the libraries a build of corelens reads dumps with, for `--version`: a bug
// report that says which zstd or elfutils decoded the dump is one that can be reproduced.
#pragma once

#include <string>
#include <vector>

namespace corelens {

struct LibraryVersion {
  std::string name;     // "zstd"
  std::string version;  // "1.5.4", as the library reports it at run time where it can
};

// The decompression libraries of the parsers (zlib, zstd, xz, lz4, and lzo and snappy when
// built in).
std::vector<LibraryVersion> parser_library_versions();

}  // namespace corelens
