// MemorySource: "read the crashed process's memory at this address", behind a small interface so
// the analysis (fault explanation, disassembly, hex views) can be tested alone and can see bytes
// that the dump itself did not save (code, read-only data) through the module files.
#pragma once

#include <cstdint>
#include <span>

#include "core/model/address_space.hpp"
#include "core/model/error.hpp"

namespace corelens {

class MemorySource {
 public:
  virtual ~MemorySource() = default;
  // Fills OUT or fails with the first address that could not be read.
  virtual Result<void> read(std::uint64_t addr, std::span<std::byte> out) const = 0;
};

// The dump's own memory only.
class AddressSpaceSource final : public MemorySource {
 public:
  explicit AddressSpaceSource(const AddressSpace& memory) : memory_(memory) {}
  Result<void> read(std::uint64_t addr, std::span<std::byte> out) const override { return memory_.read(addr, out); }

 private:
  const AddressSpace& memory_;
};

}  // namespace corelens
