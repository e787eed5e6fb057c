#include "unwinder/debug_file_cache.hpp"

#include <fcntl.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace corelens {
namespace {

namespace fs = std::filesystem;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

struct ElfHandle {
  Elf* elf = nullptr;
  explicit ElfHandle(Elf* e) : elf(e) {}
  ~ElfHandle() {
    if (elf != nullptr) elf_end(elf);
  }
  ElfHandle(const ElfHandle&) = delete;
  ElfHandle& operator=(const ElfHandle&) = delete;
};

// The sum of the uncompressed sizes of ELF's SHF_COMPRESSED sections; nullopt when there is
// none, or when a compression header cannot be read (a damaged file is left to libdw as it is).
std::optional<std::uint64_t> compressed_payload(Elf* elf) {
  std::uint64_t total = 0;
  bool any = false;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) return std::nullopt;
    if ((shdr.sh_flags & SHF_COMPRESSED) == 0) continue;
    GElf_Chdr chdr;
    if (gelf_getchdr(scn, &chdr) == nullptr) return std::nullopt;
    if (chdr.ch_size > (std::uint64_t{1} << 62) - total) return std::nullopt;
    total += chdr.ch_size;
    any = true;
  }
  if (!any) return std::nullopt;
  return total;
}

bool copy_file(int from, int to) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(to, buf + off, static_cast<std::size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      off += w;
    }
  }
}

// Writes the uncompressed copy of SRC (open, read-only) as TMP (created empty); true on success.
bool write_uncompressed(int src, int tmp) {
  if (::lseek(src, 0, SEEK_SET) != 0 || !copy_file(src, tmp)) return false;
  ElfHandle out(elf_begin(tmp, ELF_C_RDWR, nullptr));
  if (out.elf == nullptr || elf_kind(out.elf) != ELF_K_ELF) return false;
  for (Elf_Scn* scn = elf_nextscn(out.elf, nullptr); scn != nullptr; scn = elf_nextscn(out.elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) return false;
    if ((shdr.sh_flags & SHF_COMPRESSED) != 0 && elf_compress(scn, 0, 0) < 0) return false;
  }
  // libelf lays the sections out anew (they grew); the file is exactly what elf_update wrote.
  off_t size = elf_update(out.elf, ELF_C_WRITE);
  return size > 0 && ::ftruncate(tmp, size) == 0;
}

// Removes the least recently used copies until the directory fits the cap.
void evict(const fs::path& dir, std::uint64_t max_total) {
  struct Entry {
    fs::path path;
    std::uint64_t size;
    fs::file_time_type used;
  };
  std::vector<Entry> entries;
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".debug" || !e.is_regular_file(ec)) continue;
    std::uint64_t size = e.file_size(ec);
    if (ec) continue;
    entries.push_back({e.path(), size, e.last_write_time(ec)});
    total += size;
  }
  if (total <= max_total) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  for (const auto& e : entries) {
    if (total <= max_total) break;
    if (fs::remove(e.path, ec)) total -= e.size;
  }
}

}  // namespace

std::optional<DebugFileCacheOptions> debug_file_cache_from_environment() {
  const char* off = std::getenv("CORELENS_DEBUG_CACHE");
  if (off != nullptr && (std::string_view(off) == "off" || std::string_view(off) == "0")) return std::nullopt;
  DebugFileCacheOptions o;
  if (const char* d = std::getenv("CORELENS_CACHE_DIR"); d != nullptr && *d == '/') {
    o.directory = std::string(d) + "/debug";
  } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x == '/') {
    o.directory = std::string(x) + "/corelens/debug";
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h == '/') {
    o.directory = std::string(h) + "/.cache/corelens/debug";
  } else {
    return std::nullopt;
  }
  return o;
}

std::optional<std::string> uncompressed_debug_file(const std::string& path, const DebugFileCacheOptions& options) {
  if (options.directory.empty() || elf_version(EV_CURRENT) == EV_NONE) return std::nullopt;
  Fd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (src.fd < 0 || ::fstat(src.fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;

  // The source's identity: a rebuilt or reinstalled file gets a new copy.
  char key[128];
  std::snprintf(key, sizeof key, "%llx-%llx-%llx-%llx.%09ld.debug", static_cast<unsigned long long>(st.st_dev),
                static_cast<unsigned long long>(st.st_ino), static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_mtim.tv_sec), st.st_mtim.tv_nsec);
  fs::path dir = options.directory;
  fs::path copy = dir / key;
  std::error_code ec;
  if (fs::is_regular_file(copy, ec)) {
    fs::last_write_time(copy, fs::file_time_type::clock::now(), ec);  // recently used, for evict()
    return copy.string();
  }

  {
    ElfHandle in(elf_begin(src.fd, ELF_C_READ_MMAP, nullptr));
    if (in.elf == nullptr || elf_kind(in.elf) != ELF_K_ELF) return std::nullopt;
    auto payload = compressed_payload(in.elf);
    if (!payload || *payload + static_cast<std::uint64_t>(st.st_size) > options.max_file_bytes) return std::nullopt;
  }
  fs::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);  // debug files can be private; so are copies of them
  std::string tmpl = (dir / ".partial-XXXXXX").string();
  Fd tmp(::mkstemp(tmpl.data()));
  if (tmp.fd < 0) return std::nullopt;
  if (!write_uncompressed(src.fd, tmp.fd) || ::rename(tmpl.c_str(), copy.c_str()) != 0) {
    ::unlink(tmpl.c_str());
    return std::nullopt;
  }
  evict(dir, options.max_total_bytes);
  if (!fs::is_regular_file(copy, ec)) return std::nullopt;  // evicted at once: the cap is too small
  return copy.string();
}

int open_debug_file(const std::string& path) {
  static const std::optional<DebugFileCacheOptions> options = debug_file_cache_from_environment();
  if (options) {
    if (auto copy = uncompressed_debug_file(path, *options)) {
      int fd = ::open(copy->c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) return fd;
    }
  }
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
}

int find_debuginfo_cached(Dwfl_Module* mod, void** userdata, const char* modname, std::uint64_t base,
                          const char* file_name, const char* debuglink_file, std::uint32_t debuglink_crc,
                          char** debuginfo_file_name) {
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  int len = dwfl_module_build_id(mod, &bits, &vaddr);
  const auto* dirs = userdata != nullptr ? static_cast<const DebugDirs*>(*userdata) : nullptr;
  if (dirs != nullptr && len >= 2 && len <= 64) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (int i = 0; i < len; ++i) {
      hex += kHex[bits[i] >> 4];
      hex += kHex[bits[i] & 15];
    }
    for (const auto& dir : dirs->dirs) {
      std::string path = dir + "/.build-id/" + hex.substr(0, 2) + "/" + hex.substr(2) + ".debug";
      if (::access(path.c_str(), R_OK) != 0) continue;
      int fd = open_debug_file(path);
      if (fd < 0) continue;
      *debuginfo_file_name = ::strdup(path.c_str());  // libdwfl checks its build-id and frees the name
      if (*debuginfo_file_name == nullptr) {
        ::close(fd);
        break;
      }
      return fd;
    }
  }
  return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file, debuglink_crc,
                                      debuginfo_file_name);
}

}  // namespace corelens
