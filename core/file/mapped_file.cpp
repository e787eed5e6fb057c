#include "core/file/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace corelens {

namespace {

// The data extents of the open file FD of SIZE bytes, by SEEK_DATA/SEEK_HOLE. A file system that
// knows no holes reports one extent (SEEK_HOLE answers the end of the file); one that does not
// support the calls at all gets the same. Past kMaxExtents the rest of the file counts as data.
std::vector<MappedFile::Extent> list_data_extents(int fd, std::uint64_t size) {
  std::vector<MappedFile::Extent> out;
  std::uint64_t pos = 0;
  while (pos < size) {
    off_t data = ::lseek(fd, static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0) {
      if (errno != ENXIO) out.push_back({pos, size});  // no SEEK_DATA here: all data
      break;                                            // ENXIO: only a hole follows
    }
    auto begin = static_cast<std::uint64_t>(data);
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (begin >= size) break;
    if (hole <= data || out.size() + 1 >= MappedFile::kMaxExtents) {
      out.push_back({begin, size});
      break;
    }
    auto end = std::min(static_cast<std::uint64_t>(hole), size);
    out.push_back({begin, end});
    pos = end;
  }
  return out;
}

// The kernel's readahead would fill megabytes of holes around each small read of a sparse core;
// reads here are small and scattered (notes, stack pages, a module's pages).
void advise_random(const void* data, std::size_t size) {
  ::madvise(const_cast<void*>(data), size, MADV_RANDOM);  // advice only: a failure changes nothing
}

}  // namespace

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
  if (p == MAP_FAILED) {
    ::close(fd);
    return fail(ErrorCode::io, path + ": mmap: " + std::strerror(e));
  }
  advise_random(p, size);
  auto* f = new MappedFile(path, static_cast<const std::byte*>(p), size);
  f->extents_ = list_data_extents(fd, size);
  ::close(fd);
  return std::shared_ptr<const MappedFile>(f);
}

void MappedFile::copy(std::uint64_t offset, std::span<std::byte> out) const {
  // The first extent that ends after OFFSET; everything before it is hole.
  auto it = std::upper_bound(extents_.begin(), extents_.end(), offset,
                             [](std::uint64_t o, const Extent& e) { return o < e.end; });
  std::uint64_t pos = offset;
  std::uint64_t end = offset + out.size();
  while (pos < end) {
    std::byte* dst = out.data() + (pos - offset);
    if (it == extents_.end() || pos < it->begin) {  // in a hole, up to the next extent
      std::uint64_t stop = it == extents_.end() ? end : std::min(end, it->begin);
      std::memset(dst, 0, static_cast<std::size_t>(stop - pos));
      pos = stop;
      continue;
    }
    std::uint64_t stop = std::min(end, it->end);
    std::memcpy(dst, data_ + pos, static_cast<std::size_t>(stop - pos));
    pos = stop;
    ++it;
  }
}

void MappedFile::will_need(std::uint64_t offset, std::uint64_t size) const {
  if (!mapped_ || data_ == nullptr || offset >= size_) return;
  size = std::min(size, size_ - offset);
  auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  std::uint64_t begin = offset / page * page;  // madvise wants a page-aligned start
  ::madvise(const_cast<std::byte*>(data_) + begin, static_cast<std::size_t>(offset + size - begin), MADV_WILLNEED);
}

bool MappedFile::is_hole(std::uint64_t offset, std::uint64_t size) const {
  auto it = std::upper_bound(extents_.begin(), extents_.end(), offset,
                             [](std::uint64_t o, const Extent& e) { return o < e.end; });
  return it == extents_.end() || offset + size <= it->begin;
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
  if (f->size_ != 0) f->extents_.push_back({0, f->size_});
  return std::shared_ptr<const MappedFile>(f);
}

Result<std::shared_ptr<const MappedFile>> MappedFile::map_fd(int fd, std::uint64_t size, std::string name) {
  if (size == 0) return std::shared_ptr<const MappedFile>(new MappedFile(std::move(name), nullptr, 0));
  if (size > SIZE_MAX) return fail(ErrorCode::io, name + ": too large to map");
  void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail(ErrorCode::io, name + ": mmap: " + std::strerror(errno));
  advise_random(p, static_cast<std::size_t>(size));
  auto* f = new MappedFile(std::move(name), static_cast<const std::byte*>(p), static_cast<std::size_t>(size));
  f->extents_ = list_data_extents(fd, size);
  return std::shared_ptr<const MappedFile>(f);
}

MappedFile::~MappedFile() {
  if (mapped_ && data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
}

}  // namespace corelens
