#include "core/analysis/memory_read.hpp"

#include <array>
#include <cstring>
#include <vector>

#include "core/file/byte_reader.hpp"

namespace corelens {

std::optional<std::uint64_t> read_u64(const MemorySource& m, std::uint64_t addr) {
  std::array<std::byte, 8> b{};
  if (!m.read(addr, b)) return std::nullopt;
  std::uint64_t v = 0;
  std::memcpy(&v, b.data(), 8);  // little-endian hosts read little-endian dumps (x86_64, aarch64)
  return v;
}

std::optional<std::uint32_t> read_u32(const MemorySource& m, std::uint64_t addr) {
  std::array<std::byte, 4> b{};
  if (!m.read(addr, b)) return std::nullopt;
  std::uint32_t v = 0;
  std::memcpy(&v, b.data(), 4);
  return v;
}

std::optional<std::uint64_t> read_pointer(const MemorySource& m, std::uint64_t addr, Arch arch) {
  const unsigned size = pointer_size(arch);
  std::array<std::byte, 8> b{};
  if (!m.read(addr, std::span(b.data(), size))) return std::nullopt;
  ByteReader r(std::span<const std::byte>(b.data(), size), 0, byte_order(arch));
  if (size == 4) return std::uint64_t{*r.u32(0)};
  return *r.u64(0);
}

std::optional<std::uint32_t> read_uint(const MemorySource& m, std::uint64_t addr, Arch arch) {
  std::array<std::byte, 4> b{};
  if (!m.read(addr, b)) return std::nullopt;
  return *ByteReader(b, 0, byte_order(arch)).u32(0);
}

std::optional<std::string> read_cstring(const MemorySource& m, std::uint64_t addr, std::size_t max) {
  std::string out;
  std::array<std::byte, 64> chunk{};
  while (out.size() < max) {
    std::size_t want = std::min(chunk.size(), max - out.size());
    std::size_t got = want;
    // Read a byte at a time only at the end of what is readable.
    while (got > 0 && !m.read(addr + out.size(), std::span<std::byte>(chunk.data(), got))) got /= 2;
    if (got == 0) return out.empty() ? std::nullopt : std::optional<std::string>(out);
    for (std::size_t i = 0; i < got; ++i) {
      if (chunk[i] == std::byte{0}) return out;
      out.push_back(static_cast<char>(chunk[i]));
    }
  }
  return out;
}

std::optional<std::string> read_string(const MemorySource& m, std::uint64_t addr, std::uint64_t size,
                                       std::size_t max) {
  if (size > max) return std::nullopt;
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  if (!m.read(addr, bytes)) return std::nullopt;
  std::string out;
  out.reserve(bytes.size());
  for (std::byte b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

}  // namespace corelens
