#include "unwinder/module_locator.hpp"

#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/model/strings.hpp"
#include "parsers/elf_image.hpp"

namespace corelens {
namespace {

// The architecture corelens itself runs on.
Arch host_arch() {
#if defined(__x86_64__)
  return Arch::x86_64;
#elif defined(__aarch64__)
  return Arch::aarch64;
#else
  return Arch::unknown;
#endif
}

// The vDSO is at most a few pages; a larger claim comes from a damaged dump.
constexpr std::uint64_t kMaxVdsoSize = 1u << 20;

struct Candidate {
  std::string path;
  SymbolSource source;
  std::string why = {};  // how the path was arrived at, when the report should say
};

// The kernel appends " (deleted)" to NT_FILE paths of files removed since they were mapped.
std::string strip_deleted(const std::string& path, bool* deleted) {
  static const std::string kSuffix = " (deleted)";
  *deleted = path.size() > kSuffix.size() && path.ends_with(kSuffix);
  return *deleted ? path.substr(0, path.size() - kSuffix.size()) : path;
}

std::vector<Candidate> build_id_candidates(const std::string& build_id, const LocatorOptions& options) {
  std::vector<Candidate> out;
  if (build_id.size() < 4) return out;
  std::string rel = ".build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2);
  for (const auto& dir : options.debug_dirs) {
    out.push_back({dir + "/" + rel, SymbolSource::file});
    out.push_back({dir + "/" + rel + ".debug", SymbolSource::debug_file});
  }
  return out;
}

}  // namespace

// libdebuginfod is loaded only when the user asked for it (DEBUGINFOD_URLS): linking it pulls
// curl, TLS and LDAP libraries into every run, a fixed cost the batch triage pays per dump.
// Once loaded it stays for the process's life: curl's global state, set up when the library
// loads, would otherwise be left behind unreachable at every dlclose (LeakSanitizer sees it),
// and a triage run fetching for many dumps loads it once.
std::string debuginfod_fetch(const std::string& build_id, DebuginfodFile what) {
  static void* const lib = dlopen("libdebuginfod.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (lib == nullptr) return {};
  auto begin = reinterpret_cast<decltype(&debuginfod_begin)>(dlsym(lib, "debuginfod_begin"));
  auto find = reinterpret_cast<decltype(&debuginfod_find_executable)>(
      dlsym(lib, what == DebuginfodFile::executable ? "debuginfod_find_executable" : "debuginfod_find_debuginfo"));
  auto end = reinterpret_cast<decltype(&debuginfod_end)>(dlsym(lib, "debuginfod_end"));
  std::string out;
  if (begin != nullptr && find != nullptr && end != nullptr) {
    if (debuginfod_client* client = begin()) {
      char* path = nullptr;
      int fd = find(client, reinterpret_cast<const unsigned char*>(build_id.c_str()), 0, &path);
      if (fd >= 0) {
        ::close(fd);
        if (path != nullptr) out = path;
      }
      std::free(path);
      end(client);
    }
  }
  return out;
}

std::string path_in_sysroot(const std::string& sysroot, const std::string& path) {
  if (sysroot.empty()) return path;
  namespace fs = std::filesystem;
  // A name in the dump that climbs out by itself is refused outright.
  fs::path rel = fs::path(path).relative_path().lexically_normal();
  if (!rel.empty() && *rel.begin() == "..") return {};
  fs::path lexical = fs::path(sysroot) / rel;
  // Resolved as if SYSROOT were "/" (chroot's semantics, openat2's RESOLVE_IN_ROOT): a real root
  // file system is full of absolute links (lib64/ld-linux-x86-64.so.2 -> /lib/...), which must
  // land inside it, and no link or ".." may climb out of it.
  std::vector<std::string> pending;  // components still to walk, last first
  auto push_components = [&pending](const fs::path& p) {
    std::vector<std::string> parts;
    for (const auto& c : p.relative_path()) parts.push_back(c.string());
    pending.insert(pending.end(), parts.rbegin(), parts.rend());
  };
  push_components(fs::path(path));
  std::vector<std::string> resolved;  // components below SYSROOT, all of them real directories
  int links = 0;
  while (!pending.empty()) {
    std::string c = std::move(pending.back());
    pending.pop_back();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!resolved.empty()) resolved.pop_back();  // ".." at the root stays at the root
      continue;
    }
    fs::path here = sysroot;
    for (const auto& r : resolved) here /= r;
    here /= c;
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(here, ec))) {
      resolved.push_back(std::move(c));
      continue;
    }
    if (++links > 40) return {};  // ELOOP
    fs::path target = fs::read_symlink(here, ec);
    if (ec) return {};
    if (target.is_absolute()) resolved.clear();
    push_components(target);
  }
  fs::path out = sysroot;
  for (const auto& r : resolved) out /= r;
  // Where following the links as this machine does reaches the same file, keep the name the
  // dump gave (reports show /usr/<triple>/lib64/ld64.so.2, not the file a link names).
  std::error_code ec;
  if (fs::exists(out, ec) && fs::equivalent(lexical, out, ec)) return lexical.string();
  return out.string();
}

LocatedModule locate_module(const Module& module, const ProcessDump& dump, const LocatorOptions& options) {
  LocatedModule out;
  out.load_bias = module.load_bias;
  if (module.is_vdso) {
    std::uint64_t size = module.end > module.start ? module.end - module.start : 0;
    if (size == 0 || size > kMaxVdsoSize) {
      out.note = "the vDSO's extent is implausible";
      return out;
    }
    out.memory_image.resize(size);
    if (!dump.memory.read(module.start, out.memory_image)) {
      out.memory_image.clear();
      out.note = "the vDSO was not saved in the core";
      return out;
    }
    out.source = SymbolSource::core_memory;
    out.file_build_id = module.build_id;
    out.note = "image read from the core";
    return out;
  }

  bool deleted = false;
  std::string recorded = strip_deleted(module.path, &deleted);
  std::vector<Candidate> candidates;
  if (module.is_main_executable && !options.executable.empty()) {
    candidates.push_back({options.executable, SymbolSource::file});
  } else {
    std::string p = path_in_sysroot(options.sysroot, recorded);
    if (!p.empty()) candidates.push_back({p, SymbolSource::file});
    // A core of another architecture than this machine's, without --sysroot: its libraries'
    // paths name files of the machine it ran on. Debian's cross packages (libc6-<arch>-cross)
    // install that architecture's libc under /usr/<triple>, where qemu-user ran it from (-L);
    // look there after the recorded path.
    std::string triple(gnu_triple(dump.arch));
    if (options.sysroot.empty() && dump.arch != host_arch() && !triple.empty() && !recorded.empty() &&
        recorded.front() == '/' && std::filesystem::is_directory("/usr/" + triple)) {
      std::string cross = path_in_sysroot("/usr/" + triple, recorded);
      if (!cross.empty()) {
        candidates.push_back({cross, SymbolSource::file, "found in Debian's cross sysroot /usr/" + triple + " (no --sysroot given)"});
      }
    }
  }
  for (auto& c : build_id_candidates(module.build_id, options)) candidates.push_back(std::move(c));

  std::string mismatch_note;
  std::vector<std::string> missing;
  for (const auto& c : candidates) {
    auto info = read_elf_file(c.path);
    if (!info) {
      if (c.source == SymbolSource::file && c.path.find("/.build-id/") == std::string::npos) {
        missing.push_back(about(c.path, info.error().message));
      }
      continue;
    }
    // An object of another machine (the host's /lib/libc.so.6 for an aarch64 core) is never it.
    if (dump.arch != Arch::unknown && info->machine != elf_machine(dump.arch)) {
      missing.push_back(c.path + ": an object for another architecture (e_machine " + std::to_string(info->machine) +
                        "), not " + std::string(to_string(dump.arch)));
      continue;
    }
    if (!module.build_id.empty() && !info->build_id.empty() && info->build_id != module.build_id) {
      if (mismatch_note.empty()) {
        mismatch_note = c.path + " has build-id " + info->build_id + " but the core has " + module.build_id +
                        " (rebuilt since the crash?)";
      }
      continue;
    }
    out.file = c.path;
    out.file_build_id = info->build_id;
    out.source = c.source;
    // A module from the link map knows its bias exactly (l_addr); the others assume the first
    // segment is mapped at the module's start.
    if (!module.headers_in_core && !module.from_link_map && info->has_load) {
      out.load_bias = module.start - info->first_load_vaddr;
    }
    if (module.build_id.empty()) out.note = "build-id not in the core: the file could not be verified";
    else if (deleted) out.note = "the file was deleted after it was mapped; using " + c.path;
    if (!c.why.empty()) out.note = c.why + (out.note.empty() ? "" : "; " + out.note);
    return out;
  }

  if (options.use_debuginfod && !module.build_id.empty()) {
    std::string path = debuginfod_fetch(module.build_id, DebuginfodFile::executable);
    if (!path.empty()) {
      out.file = path;
      out.file_build_id = module.build_id;
      out.source = SymbolSource::debuginfod;
      out.note = "downloaded by debuginfod";
      return out;
    }
  }
  if (!mismatch_note.empty()) {
    out.source = SymbolSource::mismatch;
    out.note = mismatch_note;
  } else if (!missing.empty()) {
    out.note = missing.front();
    for (std::size_t i = 1; i < missing.size(); ++i) out.note += "; " + missing[i];
  } else {
    out.note = "no file found";
  }
  return out;
}

}  // namespace corelens
