// The symbol doctor (issue 21): for each module with a frame on the crashing thread's stack that
// has no symbols (or no line information), why, and the one thing that fixes it: the executable
// to give with --exe, the Debian debug package to install, the build-id path to put a debug file
// at, or DEBUGINFOD_URLS. Fills ModuleReport::symbols_problem and symbols_fix.
//
// Which Debian package a file belongs to is read from dpkg's database (DPKG_INFO_DIR/*.list, what
// `dpkg -S` reads), never by running a program: the database of the root the files came from
// (--sysroot, or this machine's), so the advice fits a core from that root or one like it.
#pragma once

#include <string>

#include "core/model/report.hpp"

namespace corelens {

void diagnose_symbols(Report& report, const std::string& dpkg_info_dir = "/var/lib/dpkg/info");

// The Debian package whose file list names PATH (as the core names it, or with /usr added or
// removed: Debian 12 lists /lib/... while merged-/usr systems map it to /usr/lib/...), "" when none.
std::string debian_package_of(const std::string& path, const std::string& dpkg_info_dir);

}  // namespace corelens
