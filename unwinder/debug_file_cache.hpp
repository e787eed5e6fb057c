// Uncompressed copies of compressed debug files, kept between runs.
//
// Debian's -dbg and -dbgsym packages (libc6-dbg among them) ship their DWARF in SHF_COMPRESSED
// sections, and libdw inflates every one of them whole each time it opens the file: on a small
// core that is 70% of an analysis (libc6-dbg: 205 M instructions), paid again for every dump of a
// batch. The first analysis that opens such a file writes an uncompressed copy into the cache
// directory; later ones have libdw map that copy, touching only the pages a lookup needs, which
// also keeps the resident memory small.
//
// Where: $CORELENS_CACHE_DIR/debug, else $XDG_CACHE_HOME/corelens/debug, else
// ~/.cache/corelens/debug; CORELENS_DEBUG_CACHE=off disables it. A copy is keyed by the source's
// device, inode, size and modification time, written to a temporary file and renamed, so
// concurrent analyses (triage's children) never see half a file. The directory is kept under a
// size cap by removing the least recently used copies. Any failure (read-only home, no space, a
// damaged or hostile file whose sections claim more than the cap) falls back to the original file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct Dwfl_Module;  // <elfutils/libdwfl.h>, kept out of this header

namespace corelens {

struct DebugFileCacheOptions {
  std::string directory;                             // empty: from the environment (see above)
  std::uint64_t max_total_bytes = std::uint64_t{2} << 30;  // the whole cache directory
  std::uint64_t max_file_bytes = std::uint64_t{1} << 30;   // one uncompressed copy
};

// The options from the environment; nullopt when the cache is disabled or has no place to live.
std::optional<DebugFileCacheOptions> debug_file_cache_from_environment();

// The path of an uncompressed copy of the ELF file at PATH, made now if need be; nullopt when the
// file has no compressed section or no copy can be had (the caller then uses PATH itself).
std::optional<std::string> uncompressed_debug_file(const std::string& path, const DebugFileCacheOptions& options);

// Opens the debug file at PATH for libdw, read-only: its uncompressed copy where the cache has or
// can make one (with the options from the environment), else PATH itself. -1 with errno as open(2).
int open_debug_file(const std::string& path);

// A libdwfl find_debuginfo callback. When the module's userdata is a DebugDirs, the debug file
// is first looked up by build-id under them (DIR/.build-id/xx/rest.debug) and opened through
// open_debug_file; otherwise, or when none is there, dwfl_standard_find_debuginfo decides (which
// opens the original file itself: its handle, not the fd, is what libdwfl keeps, so it cannot be
// redirected afterwards). The module keeps the original file's name (reports show where the debug
// info is installed, and .dwz links resolve beside it); only the bytes come from the copy.
// The signature is libdwfl's (Dwfl_Callbacks::find_debuginfo), spelled without its types here.
struct DebugDirs {
  std::vector<std::string> dirs;
};
int find_debuginfo_cached(::Dwfl_Module* mod, void** userdata, const char* modname, std::uint64_t base,
                          const char* file_name, const char* debuglink_file, std::uint32_t debuglink_crc,
                          char** debuginfo_file_name);

}  // namespace corelens
