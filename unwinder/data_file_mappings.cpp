#include "unwinder/data_file_mappings.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <unordered_set>

namespace corelens {
namespace {

// Whether PATH is there and holds no ELF object. A device or a FIFO named by a hostile core is
// data and never opened (opening a device can act); O_NONBLOCK covers one swapped in since.
bool is_data_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;  // not there: nothing tells
  if (!S_ISREG(st.st_mode)) return true;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return false;
  unsigned char magic[SELFMAG] = {};
  ssize_t n = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  return n >= 0 && (n < static_cast<ssize_t>(SELFMAG) || std::memcmp(magic, ELFMAG, SELFMAG) != 0);
}

}  // namespace

void drop_data_file_modules(ProcessDump& dump, const LocatorOptions& options) {
  // Once, not per module: a hostile core can have tens of thousands of both.
  std::unordered_set<std::string> executable;
  for (const auto& m : dump.mappings) {
    if ((m.flags & kExec) != 0 && !m.path.empty()) executable.insert(m.path);
  }
  std::erase_if(dump.modules, [&](const Module& m) {
    // What the core itself shows to be an object, and the program itself, stay whatever the file.
    if (m.is_vdso || m.is_main_executable || m.headers_in_core || m.from_link_map) return false;
    // A file deleted or replaced since: its path names another file, or none.
    if (m.path.empty() || m.path.front() != '/' || m.path.ends_with(" (deleted)")) return false;
    if (executable.count(m.path) != 0) return false;
    std::string file = path_in_sysroot(options.sysroot, m.path);
    return !file.empty() && is_data_file(file);
  });
}

}  // namespace corelens
