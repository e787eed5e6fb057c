// Memory of the crashed process as a debugger sees it: the bytes the dump saved, and where it did
// not save them (kernel cores leave out code and read-only data of mapped files by default), the
// bytes of the module file mapped there, provided that file was verified by build-id.
//
// Ownership: holds the ProcessDump and the module files it maps, shared; safe to use from any
// thread once built (reads never modify it).
#pragma once

#include <memory>
#include <vector>

#include "core/file/mapped_file.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"
#include "unwinder/module_locator.hpp"

namespace corelens {

class ModuleBackedMemory final : public MemorySource {
 public:
  ModuleBackedMemory(std::shared_ptr<const ProcessDump> dump, const std::vector<LocatedModule>& located);
  Result<void> read(std::uint64_t addr, std::span<std::byte> out) const override;

 private:
  struct FileSegment {
    std::uint64_t start = 0, end = 0;   // runtime addresses backed by the file
    std::uint64_t file_offset = 0;      // of START in the file
    std::shared_ptr<const MappedFile> file;
  };
  Result<void> read_one(std::uint64_t addr, std::span<std::byte> out) const;

  std::shared_ptr<const ProcessDump> dump_;
  std::vector<FileSegment> segments_;  // sorted by start
};

}  // namespace corelens
