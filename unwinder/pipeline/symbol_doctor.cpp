#include "unwinder/pipeline/symbol_doctor.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "unwinder/debuginfod_budget.hpp"

namespace corelens {
namespace {

// Limits for dpkg's database, which is the machine's, not the dump's, but is read all the same
// with caps: a list file of a few MiB at most, and the whole scan bounded.
constexpr std::size_t kMaxListFiles = 20000;
constexpr std::uintmax_t kMaxListBytes = 16u << 20;

// "libc6:amd64.list" -> "libc6".
std::string package_name(const std::filesystem::path& list) {
  std::string stem = list.stem().string();
  return stem.substr(0, stem.find(':'));
}

std::string debug_package(const std::string& package) {
  // glibc ships its debug symbols as libc6-dbg in the main archive; every other package's are
  // the automatic -dbgsym packages of the debian-debug archive.
  if (package == "libc6") return "libc6-dbg";
  return package + "-dbgsym";
}

std::string build_id_path(const std::string& build_id) {
  if (build_id.size() < 3) return {};
  return "/usr/lib/debug/.build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2) + ".debug";
}

}  // namespace

std::string debian_package_of(const std::string& path, const std::string& dpkg_info_dir) {
  if (path.empty() || path.front() != '/') return {};
  std::set<std::string> wanted{path};
  if (path.starts_with("/usr/")) wanted.insert(path.substr(4));
  else wanted.insert("/usr" + path);
  namespace fs = std::filesystem;
  std::error_code ec;
  std::size_t seen = 0;
  for (fs::directory_iterator it(dpkg_info_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (++seen > kMaxListFiles) break;
    const fs::path& p = it->path();
    if (p.extension() != ".list") continue;
    std::error_code size_ec;
    auto size = fs::file_size(p, size_ec);
    if (size_ec || size > kMaxListBytes) continue;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) {
      if (wanted.count(line) != 0) return package_name(p);
    }
  }
  return {};
}

void diagnose_symbols(Report& report, const std::string& dpkg_info_dir) {
  const ThreadReport* crashed = nullptr;
  for (const auto& t : report.threads) {
    if (t.crashed) crashed = &t;
  }
  if (crashed == nullptr) return;
  // What the crashing stack needed of each module: names, and lines. A module has debug info when
  // any of its frames has a line, or its file has DWARF: a frame without one (a program's _start,
  // from crt1.o, which has no DWARF in any distribution) says nothing about the rest of the file,
  // and _start may be the executable's only frame (python3's main tail-calls into libpython).
  struct Need {
    bool unnamed = false, no_lines = true;
  };
  std::map<std::string, Need> needs;
  for (const auto& f : crashed->frames) {
    if (f.module.empty() || f.inlined) continue;
    Need& n = needs[f.module];
    n.unnamed |= f.function.empty();
    n.no_lines &= f.file.empty();
  }
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  const bool debuginfod_set = urls != nullptr && *urls != '\0';
  for (auto& m : report.modules) {
    auto it = needs.find(m.path);
    if (it == needs.end() || m.path == "[vdso]") continue;
    const Need& need = it->second;
    const bool no_file = m.symbols == SymbolSource::none || m.symbols == SymbolSource::mismatch;
    if (no_file) m.symbols_problem = m.symbols == SymbolSource::none ? "missing" : "mismatched-build-id";
    else if (need.unnamed && m.debug_file.empty()) m.symbols_problem = "stripped";
    else if (need.no_lines && m.debug_file.empty() && !has_own_dwarf(m.file)) m.symbols_problem = "no-debug-info";
    else continue;
    const std::string id = m.build_id.empty() ? std::string("(no build-id in the core)") : m.build_id;
    std::string package = m.is_main_executable ? std::string() : debian_package_of(m.path, dpkg_info_dir);
    if (no_file && m.is_main_executable) {
      m.symbols_fix = "--exe FILE, FILE being the build with build-id " + id +
                      " (or DEBUGINFOD_URLS naming a server that has it)";
    } else if (no_file) {
      // A library missing or another build here: the crashed machine's copy is the one to give.
      m.symbols_fix = "--sysroot DIR, DIR holding the crashed machine's files (" +
                      (package.empty() ? std::string() : "package " + package + ", ") + "build-id " + id + ")";
    } else if (!package.empty()) {
      m.symbols_fix = "apt-get install " + debug_package(package);
    } else if (!debuginfod_set && !m.build_id.empty() && !m.is_main_executable &&
               (m.path.starts_with("/usr/") || m.path.starts_with("/lib"))) {
      // A distribution's file this machine has no package of: its debuginfod server has it.
      m.symbols_fix = "DEBUGINFOD_URLS=https://debuginfod.debian.net corelens analyze CORE, or put the unstripped file at " +
                      build_id_path(m.build_id);
    } else if (!m.build_id.empty()) {
      m.symbols_fix = "put the unstripped file (build-id " + id + ") at " + build_id_path(m.build_id) +
                      " (or at the same path under --debug-dir DIR)";
    } else {
      m.symbols_fix = "give the unstripped file with " + std::string(m.is_main_executable ? "--exe" : "--sysroot");
    }
  }
}

}  // namespace corelens
