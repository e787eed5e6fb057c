// MappedFile: a read-only, private mmap of a whole file. A 4 GiB core is never read whole:
// pages are touched only when a parser or the unwinder asks for their bytes.
//
// A core is read cold more often than warm (it is analysed once, right after it was written or
// copied) and is mostly holes: a thread's untouched stack pages are never written. So the mapping
// is advised MADV_RANDOM (the kernel's readahead would zero-fill megabytes of holes around each
// small read and leave them in the page cache), and the file's holes are listed once, at open,
// with SEEK_DATA/SEEK_HOLE: copy() answers a hole with zeros without touching the page cache.
//
// Ownership: the MappedFile owns the mapping; every span handed out is a view that lives as long
// as the MappedFile (Dump objects keep it in a shared_ptr for that reason).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/model/error.hpp"

namespace corelens {

class MappedFile {
 public:
  // Opens PATH read-only. Fails with ErrorCode::io for a missing file, a directory, a device or
  // anything mmap refuses; an empty file maps to an empty span (the parser reports it).
  static Result<std::shared_ptr<const MappedFile>> open(const std::string& path);
  // Bytes already in memory (a decompressed core, a fuzzer's input), owned by the MappedFile.
  // NAME stands in for the path in messages.
  static std::shared_ptr<const MappedFile> from_memory(std::string name, std::vector<std::byte> bytes);
  // Maps the first SIZE bytes of the open file FD read-only (a decompressed core in an unlinked
  // temporary file or a memfd). The caller keeps FD and may close it once this returns: the
  // mapping keeps the file alive. NAME stands in for the path in messages.
  static Result<std::shared_ptr<const MappedFile>> map_fd(int fd, std::uint64_t size, std::string name);
  // At most this many data extents are listed; past that, the rest of the file counts as data
  // (correct, only slower): a hostile file with millions of one-block holes costs no more memory.
  static constexpr std::size_t kMaxExtents = 1 << 20;

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // The whole file. Touching a page of a hole through it costs a zero-filled page-cache page;
  // readers of large, sparse regions (process memory) use copy() instead.
  std::span<const std::byte> bytes() const { return {data_, size_}; }
  // Copies OUT.size() bytes at file offset OFFSET into OUT, answering the parts that fall in a
  // hole of the file with zeros without reading them. OFFSET + OUT.size() must be <= size().
  void copy(std::uint64_t offset, std::span<std::byte> out) const;
  // The caller is about to read [OFFSET, OFFSET + SIZE) whole (a core's notes): starts reading it
  // in at once, in large requests, instead of a page fault at a time. Advice only.
  void will_need(std::uint64_t offset, std::uint64_t size) const;
  // Whether [OFFSET, OFFSET + SIZE) lies wholly in one hole of the file (reads as zeros).
  bool is_hole(std::uint64_t offset, std::uint64_t size) const;
  // The file's data extents as SEEK_DATA/SEEK_HOLE reported them at open: [begin, end) pairs,
  // sorted. One extent covering the file where the file system reports no holes.
  struct Extent {
    std::uint64_t begin = 0, end = 0;
  };
  const std::vector<Extent>& data_extents() const { return extents_; }
  std::uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Lets go of the pages of the mapping this process has touched (they stay in the page cache,
  // and the bytes read the same when touched again): a pass over a thousand threads' stacks
  // need not keep each one resident once it is unwound. Nothing for bytes held in memory.
  void release_resident_pages() const;

 private:
  MappedFile(std::string path, const std::byte* data, std::size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = true;                 // false: data_ points into owned_
  std::vector<std::byte> owned_;
  std::vector<Extent> extents_;  // sorted, disjoint; empty only for an empty file
};

}  // namespace corelens
