#include "unwinder/module_memory.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"
#include "parsers/elf_image.hpp"

namespace corelens {

ModuleBackedMemory::ModuleBackedMemory(std::shared_ptr<const ProcessDump> dump,
                                       const std::vector<LocatedModule>& located)
    : dump_(std::move(dump)) {
  for (std::size_t i = 0; i < located.size() && i < dump_->modules.size(); ++i) {
    const LocatedModule& l = located[i];
    // Only files whose build-id matched (or could not be checked) stand in for missing bytes.
    if (l.file.empty() || l.source == SymbolSource::mismatch || l.source == SymbolSource::debug_file) continue;
    auto info = read_elf_file(l.file);
    auto file = MappedFile::open(l.file);
    if (!info || !file) continue;
    for (const auto& p : info->phdrs) {
      if (p.type != PT_LOAD || p.filesz == 0) continue;
      std::uint64_t start = 0, end = 0;
      if (add_overflows(l.load_bias, p.vaddr, &start) || add_overflows(start, p.filesz, &end)) continue;
      if (p.offset > (*file)->size() || p.filesz > (*file)->size() - p.offset) continue;
      segments_.push_back(FileSegment{start, end, p.offset, *file});
    }
  }
  std::sort(segments_.begin(), segments_.end(), [](const FileSegment& a, const FileSegment& b) { return a.start < b.start; });
}

Result<void> ModuleBackedMemory::read_one(std::uint64_t addr, std::span<std::byte> out) const {
  auto from_core = dump_->memory.read(addr, out);
  if (from_core) return from_core;
  auto it = std::upper_bound(segments_.begin(), segments_.end(), addr,
                             [](std::uint64_t a, const FileSegment& s) { return a < s.start; });
  if (it == segments_.begin()) return from_core;
  --it;
  if (addr >= it->end || out.size() > it->end - addr) return from_core;
  std::memcpy(out.data(), it->file->bytes().data() + it->file_offset + (addr - it->start), out.size());
  return {};
}

Result<void> ModuleBackedMemory::read(std::uint64_t addr, std::span<std::byte> out) const {
  // Byte ranges may straddle a saved and an unsaved page: read page by page.
  std::size_t done = 0;
  while (done < out.size()) {
    std::uint64_t cur = addr + done;
    if (cur < addr) return fail(ErrorCode::not_mapped, "address range wraps around", addr);
    std::size_t chunk = std::min<std::size_t>(out.size() - done, 4096 - (cur & 4095));
    auto r = read_one(cur, out.subspan(done, chunk));
    if (!r) return r;
    done += chunk;
  }
  return {};
}

}  // namespace corelens
