// A MemorySource over a few bytes put at chosen addresses, for unit tests of the analysis: every
// other address is unreadable, as memory the dump did not save.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/model/memory_source.hpp"

namespace corelens::testing {

class FakeMemory final : public MemorySource {
 public:
  void put(std::uint64_t addr, const std::vector<unsigned char>& bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes_[addr + i] = bytes[i];
  }
  void put64(std::uint64_t addr, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes_[addr + i] = static_cast<unsigned char>(v >> (8 * i));
  }
  void put32(std::uint64_t addr, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_[addr + i] = static_cast<unsigned char>(v >> (8 * i));
  }
  void put_string(std::uint64_t addr, const std::string& s) {
    for (std::size_t i = 0; i < s.size(); ++i) bytes_[addr + i] = static_cast<unsigned char>(s[i]);
    bytes_[addr + s.size()] = 0;
  }
  void zero(std::uint64_t addr, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) bytes_[addr + i] = 0;
  }
  Result<void> read(std::uint64_t addr, std::span<std::byte> out) const override {
    for (std::size_t i = 0; i < out.size(); ++i) {
      auto it = bytes_.find(addr + i);
      if (it == bytes_.end()) return fail(ErrorCode::malformed, "not in the fake memory", addr + i);
      out[i] = std::byte{it->second};
    }
    return {};
  }

 private:
  std::map<std::uint64_t, unsigned char> bytes_;
};

}  // namespace corelens::testing
