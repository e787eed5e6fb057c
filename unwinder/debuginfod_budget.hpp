// debuginfod with a budget (issue 21): every look-up a dump needs, started at once, and all of
// them together bounded in time. A server that accepts a connection and never answers (a
// firewall, an overloaded mirror) costs the budget, not libdebuginfod's own 90 s per request
// per module one after the other.
//
// Files land in libdebuginfod's cache ($DEBUGINFOD_CACHE_PATH, ~/.cache/debuginfod_client), so
// the next analysis finds them without the network, and libdwfl, which asks debuginfod itself
// for separate debug info, finds what arrived there (dwfl_backend.cpp lets it read the cache
// but not wait on the network again).
//
// Ownership: the answers are values. A look-up still running at the deadline is cancelled by
// libdebuginfod's progress callback within about a second; its thread owns its own state and is
// left to finish on its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "unwinder/module_locator.hpp"

namespace corelens {

struct DebuginfodRequest {
  std::string build_id;  // hex
  DebuginfodFile what = DebuginfodFile::executable;
};

struct DebuginfodAnswer {
  std::string path;       // the file in the cache; empty when none came
  bool answered = false;  // the server said yes or no before the deadline
  std::string error;      // why not, in words ("not found", "no answer within 10 s", ...)
};

// PROGRESS(done, total) is called about ten times a second while the look-ups run; false from
// it cancels them. Only call when the user set DEBUGINFOD_URLS.
std::vector<DebuginfodAnswer> fetch_with_budget(const std::vector<DebuginfodRequest>& requests,
                                                std::chrono::milliseconds budget,
                                                const std::function<bool(std::size_t, std::size_t)>& progress);

// Fills what the local search (locate_module without debuginfod) left open in LOCATED: the
// executable of each module without a verified file, and the separate debug info of each module
// whose file has no DWARF and no debug file under the debug directories, all asked at once and
// within OPTIONS.debuginfod_timeout. A module whose file did not come says so in its note, with
// its build-id. Does nothing unless OPTIONS.use_debuginfod.
void fetch_missing_from_debuginfod(const ProcessDump& dump, std::vector<LocatedModule>& located,
                                   const LocatorOptions& options,
                                   const std::function<bool(std::size_t, std::size_t)>& progress);

// Whether libdebuginfod could be loaded (it is dlopen'ed: see module_locator.cpp).
bool debuginfod_available();

// Whether the ELF file at PATH has DWARF of its own (a .debug_info section with contents); false
// when it cannot be read as ELF.
bool has_own_dwarf(const std::string& path);

// For libdwfl's own debuginfod client: a progress callback that cancels every network transfer,
// so that libdwfl reads what fetch_with_budget left in the cache and never waits on a server
// again. Installs it on CLIENT (a debuginfod_client*, from dwfl_get_debuginfod_client).
void debuginfod_cache_only(void* client);

}  // namespace corelens
