// AddressSpace: reads the dumped process's memory at a virtual address.
//
// Built from the dump's PT_LOAD segments. Bytes the dump saved are served from the mapped file;
// an address inside a segment whose bytes were not saved (p_filesz < p_memsz, or the file was
// truncated) is a fault with ErrorCode::not_saved, and an address outside every segment is
// ErrorCode::not_mapped. Never silent zeros: a caller must know a value is unknown.
//
// Ownership: holds a shared_ptr to the MappedFile; spans returned by read_view() are views into
// it and live as long as this AddressSpace.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/file/mapped_file.hpp"
#include "core/model/error.hpp"

namespace corelens {

struct MemorySegment {
  std::uint64_t start = 0;        // virtual address
  std::uint64_t size = 0;         // bytes of address space (p_memsz)
  std::uint64_t file_offset = 0;  // where its saved bytes begin in the dump file
  std::uint64_t saved = 0;        // bytes actually present in the file (<= size)
  std::uint64_t end() const { return start + size; }
};

class AddressSpace {
 public:
  AddressSpace() = default;
  // Segments must not wrap; the constructor sorts them and clamps `saved` to what the file holds.
  AddressSpace(std::shared_ptr<const MappedFile> file, std::vector<MemorySegment> segments);

  // Copies SIZE bytes at ADDR into OUT (which must have room). Reads may span adjacent segments.
  Result<void> read(std::uint64_t addr, std::span<std::byte> out) const;
  // A view into the file, only when [addr, addr+size) is saved within one segment.
  Result<std::span<const std::byte>> read_view(std::uint64_t addr, std::uint64_t size) const;
  Result<std::uint64_t> read_u64(std::uint64_t addr) const;
  Result<std::uint32_t> read_u32(std::uint64_t addr) const;
  // A NUL-terminated string of at most MAX bytes (without the NUL).
  Result<std::string> read_string(std::uint64_t addr, std::size_t max) const;

  // Advice that [ADDR, ADDR + SIZE) will be read soon (a thread's stack above its stack pointer):
  // the saved bytes of that range, holes left out, are read in ahead, all threads' at once,
  // instead of one page fault at a time during the walk. Advice only: nothing fails.
  void prefetch(std::uint64_t addr, std::uint64_t size) const;

  // The segment containing ADDR, or nullptr.
  const MemorySegment* find(std::uint64_t addr) const;
  bool is_saved(std::uint64_t addr) const;
  const std::vector<MemorySegment>& segments() const { return segments_; }

 private:
  std::shared_ptr<const MappedFile> file_;
  std::vector<MemorySegment> segments_;
  std::vector<std::uint64_t> max_end_;  // max_end_[i]: the highest end among segments_[0..i]
};

}  // namespace corelens
