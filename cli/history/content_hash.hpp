// What identifies a dump in the crash history: a SHA-256 of the file's bytes as stored (a
// compressed core hashes as its compressed bytes). Two workers that see the same file, a file seen
// again in a later run, and a copy under another name all count once.
//
// Not one SHA-256 over the whole file but over its 1 MiB pieces: the key is the SHA-256 of the
// file's size and its pieces' SHA-256s, and a piece that lies wholly in a hole of a sparse file
// (a core of many threads is mostly holes: 8 GB apparent, 20 MB on disk) is known to be zeros
// without reading it. So hashing costs what the file holds, not its apparent size, reads no hole
// into the page cache, and a copy that wrote the zeros out hashes the same.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/model/error.hpp"

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

inline constexpr std::size_t kContentPiece = 1 << 20;

// The content key of the file at PATH, 64 lowercase hex digits: SHA-256 over the file's size
// (8 bytes, big-endian) followed by the SHA-256 of each kContentPiece piece in order (the last
// one shorter).
Result<std::string> content_key(const std::string& path);
// A plain SHA-256 of the whole file, as sha256sum computes it (for tests).
Result<std::string> file_sha256(const std::string& path);
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace corelens::cli::history
