#include "unwinder/dwfl_offline.hpp"

#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/file/mapped_file.hpp"
#include "parsers/compressed.hpp"

namespace corelens {
namespace {

int refuse_find_elf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**) { return -1; }
int refuse_find_debuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*, const char*, GElf_Word, char**) {
  return -1;
}
const Dwfl_Callbacks kCallbacks = {refuse_find_elf, refuse_find_debuginfo, dwfl_offline_section_address, nullptr};

// The largest object decompressed here: modules are a few MiB, a vmlinux with DWARF a few hundred.
constexpr std::uint64_t kMaxDecompressedObject = std::uint64_t{2} << 30;

// libdwfl decompresses gzip and xz files as it opens them, and zstd only from elfutils 0.189
// (Debian 12 has 0.188): a zstd file (Ubuntu's .ko.zst) is decompressed here, into a memfd that
// libdwfl then reads like the file. Returns FD itself for anything else.
Result<int> uncompressed_fd(int fd, const std::string& path) {
  std::byte magic[4] = {};
  if (::pread(fd, magic, sizeof magic, 0) != static_cast<ssize_t>(sizeof magic) ||
      detect_compression(magic) != Compression::zstd) {
    return fd;
  }
  ::close(fd);
  auto packed = MappedFile::open(path);
  if (!packed) return unexpected(packed.error());
  DecompressOptions limits;
  limits.max_output = kMaxDecompressedObject;
  auto plain = decompress(**packed, limits);
  if (!plain) return fail(plain.error().code, path + ": " + plain.error().message);
  int out = ::memfd_create("corelens-object", MFD_CLOEXEC);
  if (out < 0) return fail(ErrorCode::io, path + ": memfd_create: " + std::strerror(errno));
  auto bytes = (*plain)->bytes();
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(out, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(out);
      return fail(ErrorCode::io, path + ": cannot hold its decompressed bytes: " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace

Result<Dwfl_Module*> open_offline_module(const std::string& path, const char* name, Dwfl** dwfl) {
  *dwfl = dwfl_begin(&kCallbacks);
  if (*dwfl == nullptr) return fail(ErrorCode::internal, std::string("dwfl_begin: ") + dwfl_errmsg(-1));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return fail(ErrorCode::io, path + ": cannot open");
  auto readable = uncompressed_fd(fd, path);
  if (!readable) return unexpected(readable.error());
  dwfl_report_begin(*dwfl);
  Dwfl_Module* mod = dwfl_report_offline(*dwfl, name, path.c_str(), *readable);  // takes the fd, even on failure
  dwfl_report_end(*dwfl, nullptr, nullptr);
  if (mod == nullptr) return fail(ErrorCode::malformed, path + ": " + dwfl_errmsg(-1));
  return mod;
}

}  // namespace corelens
