// What identifies a dump in the crash history: the SHA-256 of the file's bytes as stored (a
// compressed core hashes as its compressed bytes). Two workers that see the same file, a file seen
// again in a later run, and a copy under another name all count once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/error.hpp"

namespace corelens::cli::history {

// FIPS 180-4 SHA-256, incremental. Ours rather than a crypto library's: it is the only hash we
// need, and the tests compare it with sha256sum on real cores.
class Sha256 {
 public:
  Sha256();
  void update(std::span<const std::byte> bytes);
  std::array<std::uint8_t, 32> finish();  // the object is spent afterwards

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  // bytes hashed so far
};

// The file's SHA-256 as 64 lowercase hex digits, read in pieces (a core may be gigabytes).
Result<std::string> file_sha256(const std::string& path);
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace corelens::cli::history
