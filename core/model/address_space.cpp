#include "core/model/address_space.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/model/strings.hpp"

namespace corelens {

AddressSpace::AddressSpace(std::shared_ptr<const MappedFile> file,
                           std::vector<MemorySegment> segments)
    : file_(std::move(file)), segments_(std::move(segments)) {
  std::uint64_t file_size = file_ ? file_->size() : 0;
  for (auto& s : segments_) {
    s.saved = std::min(s.saved, s.size);
    // Only what the file really holds is saved: a truncated dump loses the tail.
    if (s.file_offset >= file_size) {
      s.saved = 0;
    } else {
      s.saved = std::min(s.saved, file_size - s.file_offset);
    }
  }
  std::stable_sort(segments_.begin(), segments_.end(),
                   [](const MemorySegment& a, const MemorySegment& b) { return a.start < b.start; });
  max_end_.reserve(segments_.size());
  std::uint64_t max_end = 0;
  for (const auto& seg : segments_) {
    std::uint64_t end = 0;
    if (__builtin_add_overflow(seg.start, seg.size, &end)) end = UINT64_MAX;  // ends at 2^64
    max_end = std::max(max_end, end);
    max_end_.push_back(max_end);
  }
}

const MemorySegment* AddressSpace::find(std::uint64_t addr) const {
  // The last segment whose start is <= addr; real cores never overlap, but a damaged one may,
  // so look further back while an earlier segment still reaches past addr.
  auto it = std::upper_bound(segments_.begin(), segments_.end(), addr,
                             [](std::uint64_t a, const MemorySegment& s) { return a < s.start; });
  auto i = static_cast<std::size_t>(it - segments_.begin());
  while (i > 0 && max_end_[i - 1] > addr) {
    --i;
    if (addr - segments_[i].start < segments_[i].size) return &segments_[i];
  }
  return nullptr;
}

bool AddressSpace::is_saved(std::uint64_t addr) const {
  const MemorySegment* s = find(addr);
  return s != nullptr && addr - s->start < s->saved;
}

Result<std::span<const std::byte>> AddressSpace::read_view(std::uint64_t addr,
                                                           std::uint64_t size) const {
  const MemorySegment* s = find(addr);
  if (s == nullptr) return fail(ErrorCode::not_mapped, "address " + hex(addr) + " is not mapped", addr);
  std::uint64_t rel = addr - s->start;
  if (rel >= s->saved) {
    return fail(ErrorCode::not_saved, "memory at " + hex(addr) + " was not saved in the dump", addr);
  }
  if (size > s->saved - rel) {
    std::uint64_t first_missing = s->start + s->saved;
    if (s->saved == s->size) {
      // The range goes on in the next segment, or past every mapping: read() tells which.
      std::byte probe;
      if (read(first_missing, std::span(&probe, 1))) {
        return fail(ErrorCode::unsupported, "the range at " + hex(addr) + " crosses into another segment; "
                                            "read() copies across segments", first_missing);
      }
      return fail(ErrorCode::not_mapped, "address " + hex(first_missing) + " is not mapped", first_missing);
    }
    return fail(ErrorCode::not_saved,
                "memory at " + hex(first_missing) + " was not saved in the dump", first_missing);
  }
  return file_->bytes().subspan(s->file_offset + rel, size);
}

void AddressSpace::prefetch(std::uint64_t addr, std::uint64_t size) const {
  if (!file_) return;
  const MemorySegment* s = find(addr);
  if (s == nullptr) return;
  std::uint64_t rel = addr - s->start;
  if (rel >= s->saved) return;
  std::uint64_t begin = s->file_offset + rel;
  std::uint64_t end = begin + std::min(size, s->saved - rel);
  const auto& extents = file_->data_extents();
  auto it = std::upper_bound(extents.begin(), extents.end(), begin,
                             [](std::uint64_t o, const MappedFile::Extent& e) { return o < e.end; });
  for (; it != extents.end() && it->begin < end; ++it) {
    std::uint64_t b = std::max(begin, it->begin);
    file_->will_need(b, std::min(end, it->end) - b);
  }
}

Result<void> AddressSpace::read(std::uint64_t addr, std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    std::uint64_t cur = addr + done;
    if (cur < addr) return fail(ErrorCode::not_mapped, "address range wraps around", addr);
    const MemorySegment* s = find(cur);
    if (s == nullptr) return fail(ErrorCode::not_mapped, "address " + hex(cur) + " is not mapped", cur);
    std::uint64_t rel = cur - s->start;
    if (rel >= s->saved) {
      return fail(ErrorCode::not_saved, "memory at " + hex(cur) + " was not saved in the dump", cur);
    }
    std::uint64_t chunk = std::min<std::uint64_t>(out.size() - done, s->saved - rel);
    file_->copy(s->file_offset + rel, out.subspan(done, static_cast<std::size_t>(chunk)));
    done += chunk;
  }
  return {};
}

Result<std::uint64_t> AddressSpace::read_u64(std::uint64_t addr) const {
  std::uint64_t v = 0;
  auto r = read(addr, std::as_writable_bytes(std::span(&v, 1)));
  if (!r) return unexpected(r.error());
  return v;  // x86_64 and every little-endian target we read natively
}

Result<std::uint32_t> AddressSpace::read_u32(std::uint64_t addr) const {
  std::uint32_t v = 0;
  auto r = read(addr, std::as_writable_bytes(std::span(&v, 1)));
  if (!r) return unexpected(r.error());
  return v;
}

Result<std::string> AddressSpace::read_string(std::uint64_t addr, std::size_t max) const {
  std::string out;
  while (out.size() < max) {
    const MemorySegment* s = find(addr + out.size());
    std::uint64_t cur = addr + out.size();
    if (s == nullptr) return fail(ErrorCode::not_mapped, "address " + hex(cur) + " is not mapped", cur);
    std::uint64_t rel = cur - s->start;
    if (rel >= s->saved) {
      return fail(ErrorCode::not_saved, "memory at " + hex(cur) + " was not saved in the dump", cur);
    }
    // In small chunks through copy(): a string in a hole is empty without touching the file.
    std::array<char, 256> chunk{};
    auto avail = static_cast<std::size_t>(
        std::min<std::uint64_t>({s->saved - rel, max - out.size(), chunk.size()}));
    file_->copy(s->file_offset + rel, std::as_writable_bytes(std::span(chunk.data(), avail)));
    std::size_t n = strnlen(chunk.data(), avail);
    out.append(chunk.data(), n);
    if (n < avail) return out;
  }
  return out;
}

}  // namespace corelens
