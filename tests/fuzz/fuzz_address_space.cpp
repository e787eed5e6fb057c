// Fuzz target: AddressSpace reads. The input's first part declares up to 16 segments (start,
// size, file offset, saved bytes), the rest is the "file"; then reads at addresses the input names.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/file/byte_reader.hpp"
#include "core/model/address_space.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  corelens::ByteReader in(std::span(reinterpret_cast<const std::byte*>(data), size));
  std::uint8_t count = in.u8(0).value_or(0) % 17;
  std::vector<corelens::MemorySegment> segments;
  std::uint64_t pos = 1;
  for (std::uint8_t i = 0; i < count && in.has(pos, 32); ++i, pos += 32) {
    corelens::MemorySegment s;
    s.start = *in.u64(pos);
    s.size = *in.u64(pos + 8);
    s.file_offset = *in.u64(pos + 16) % (size + 1);
    s.saved = *in.u64(pos + 24);
    std::uint64_t end = 0;
    if (corelens::add_overflows(s.start, s.size, &end)) continue;  // the parser rejects these
    segments.push_back(s);
  }
  std::vector<std::byte> file(size);
  if (size != 0) std::memcpy(file.data(), data, size);
  auto mapped = corelens::MappedFile::from_memory("fuzz", std::move(file));
  corelens::AddressSpace space(mapped, segments);
  std::byte buf[64];
  for (std::uint64_t q = pos; in.has(q, 9); q += 9) {
    std::uint64_t addr = *in.u64(q);
    std::size_t len = *in.u8(q + 8) % sizeof buf;
    (void)space.read(addr, std::span(buf, len));
    (void)space.read_string(addr, len);
    (void)space.read_view(addr, len);
  }
  return 0;
}
