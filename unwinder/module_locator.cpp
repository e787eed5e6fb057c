#include "unwinder/module_locator.hpp"

#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "parsers/elf_image.hpp"

namespace corelens {
namespace {

// The vDSO is at most a few pages; a larger claim comes from a damaged dump.
constexpr std::uint64_t kMaxVdsoSize = 1u << 20;

struct Candidate {
  std::string path;
  SymbolSource source;
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
std::string debuginfod_fetch(const std::string& build_id, DebuginfodFile what) {
  void* lib = dlopen("libdebuginfod.so.1", RTLD_LAZY | RTLD_LOCAL);
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
  dlclose(lib);
  return out;
}

std::string path_in_sysroot(const std::string& sysroot, const std::string& path) {
  if (sysroot.empty()) return path;
  std::filesystem::path rel = std::filesystem::path(path).relative_path().lexically_normal();
  if (!rel.empty() && *rel.begin() == "..") return {};
  return (std::filesystem::path(sysroot) / rel).string();
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
  }
  for (auto& c : build_id_candidates(module.build_id, options)) candidates.push_back(std::move(c));

  std::string mismatch_note;
  std::vector<std::string> missing;
  for (const auto& c : candidates) {
    auto info = read_elf_file(c.path);
    if (!info) {
      if (c.source == SymbolSource::file && c.path.find("/.build-id/") == std::string::npos) {
        missing.push_back(c.path + ": " + info.error().message);
      }
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
    if (!module.headers_in_core && info->has_load) out.load_bias = module.start - info->first_load_vaddr;
    if (module.build_id.empty()) out.note = "build-id not in the core: the file could not be verified";
    else if (deleted) out.note = "the file was deleted after it was mapped; using " + c.path;
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
  } else {
    out.note = "no file found";
  }
  return out;
}

}  // namespace corelens
