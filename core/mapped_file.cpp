#include "core/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace corelens {

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::string& path) {
  // A path inside a hostile dump may name a device, a FIFO or a terminal. Opening one can act
  // (opening /dev/watchdog starts the watchdog), so what is not a regular file is refused before
  // it is opened; O_NOCTTY|O_NONBLOCK cover a file swapped in between, and fstat checks again.
  struct stat before {};
  if (::stat(path.c_str(), &before) == 0 && !S_ISREG(before.st_mode)) {
    return fail(ErrorCode::io, path + (S_ISDIR(before.st_mode) ? ": is a directory" : ": not a regular file"));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return fail(ErrorCode::io, path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return fail(ErrorCode::io, path + ": " + std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::io, path + ": is a directory");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::io, path + ": not a regular file");
  }
  auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return std::shared_ptr<const MappedFile>(new MappedFile(path, nullptr, 0));
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int e = errno;
  ::close(fd);
  if (p == MAP_FAILED) return fail(ErrorCode::io, path + ": mmap: " + std::strerror(e));
  return std::shared_ptr<const MappedFile>(
      new MappedFile(path, static_cast<const std::byte*>(p), size));
}

void MappedFile::release_resident_pages() const {
  if (mapped_ && data_ != nullptr && size_ != 0) {
    ::madvise(const_cast<std::byte*>(data_), size_, MADV_DONTNEED);  // read-only mapping: never dirty
  }
}

std::shared_ptr<const MappedFile> MappedFile::from_memory(std::string name, std::vector<std::byte> bytes) {
  auto* f = new MappedFile(std::move(name), nullptr, 0);
  f->owned_ = std::move(bytes);
  f->data_ = f->owned_.data();
  f->size_ = f->owned_.size();
  f->mapped_ = false;
  return std::shared_ptr<const MappedFile>(f);
}

Result<std::shared_ptr<const MappedFile>> MappedFile::map_fd(int fd, std::uint64_t size, std::string name) {
  if (size == 0) return std::shared_ptr<const MappedFile>(new MappedFile(std::move(name), nullptr, 0));
  if (size > SIZE_MAX) return fail(ErrorCode::io, name + ": too large to map");
  void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail(ErrorCode::io, name + ": mmap: " + std::strerror(errno));
  return std::shared_ptr<const MappedFile>(
      new MappedFile(std::move(name), static_cast<const std::byte*>(p), static_cast<std::size_t>(size)));
}

MappedFile::~MappedFile() {
  if (mapped_ && data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
}

}  // namespace corelens
