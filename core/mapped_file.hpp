// MappedFile: a read-only, private mmap of a whole file. A 4 GiB core is never read whole:
// pages are touched only when a parser or the unwinder asks for their bytes.
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

#include "core/error.hpp"

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

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const { return {data_, size_}; }
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
};

}  // namespace corelens
