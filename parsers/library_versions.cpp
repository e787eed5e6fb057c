#include "parsers/library_versions.hpp"

#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#ifdef CORELENS_HAVE_LZO
#include <lzo/lzoconf.h>
#endif
#ifdef CORELENS_HAVE_SNAPPY
#include <snappy-stubs-public.h>
#endif

namespace corelens {

std::vector<LibraryVersion> parser_library_versions() {
  std::vector<LibraryVersion> out = {
      {"zlib", zlibVersion()},
      {"zstd", ZSTD_versionString()},
      {"xz (liblzma)", lzma_version_string()},
      {"lz4", LZ4_versionString()},
  };
#ifdef CORELENS_HAVE_LZO
  out.push_back({"lzo", lzo_version_string()});
#endif
#ifdef CORELENS_HAVE_SNAPPY
  // snappy has no run-time version call: the version of the headers it was built with.
  out.push_back({"snappy", std::to_string(SNAPPY_MAJOR) + "." + std::to_string(SNAPPY_MINOR) + "." +
                               std::to_string(SNAPPY_PATCHLEVEL)});
#endif
  return out;
}

}  // namespace corelens
