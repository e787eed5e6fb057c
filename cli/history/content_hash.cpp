// SHA-256 (FIPS 180-4), and the content key built from it that makes each dump count once in the
// history (content_hash.hpp).
#include "cli/history/content_hash.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace corelens::cli::history {
namespace {

constexpr std::array<std::uint32_t, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

}  // namespace

Sha256::Sha256()
    : h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::block(const std::uint8_t* p) {
  std::array<std::uint32_t, 64> w{};
  for (int i = 0; i < 16; ++i) {  // big-endian words
    w[i] = std::uint32_t{p[4 * i]} << 24 | std::uint32_t{p[4 * i + 1]} << 16 | std::uint32_t{p[4 * i + 2]} << 8 |
           std::uint32_t{p[4 * i + 3]};
  }
  for (int i = 16; i < 64; ++i) {
    std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
  for (int i = 0; i < 64; ++i) {
    std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[i] + w[i];
    std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d, h_[4] += e, h_[5] += f, h_[6] += g, h_[7] += h;
}

void Sha256::update(std::span<const std::byte> bytes) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  std::size_t n = bytes.size();
  length_ += n;
  if (buffered_ > 0) {
    std::size_t take = std::min(n, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, p, take);
    buffered_ += take, p += take, n -= take;
    if (buffered_ < buffer_.size()) return;
    block(buffer_.data());
    buffered_ = 0;
  }
  for (; n >= 64; p += 64, n -= 64) block(p);
  std::memcpy(buffer_.data(), p, n);
  buffered_ = n;
}

std::array<std::uint8_t, 32> Sha256::finish() {
  std::uint64_t bits = length_ * 8;
  std::array<std::byte, 72> pad{};
  pad[0] = std::byte{0x80};
  // Pad to 56 bytes past a block boundary, then the length in bits, big-endian.
  std::size_t zeros = (buffered_ < 56 ? 56 - buffered_ : 120 - buffered_) - 1;
  for (int i = 0; i < 8; ++i) pad[1 + zeros + i] = std::byte(bits >> (56 - 8 * i));
  std::uint64_t keep = length_;
  update(std::span<const std::byte>(pad.data(), 1 + zeros + 8));
  length_ = keep;
  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 8; ++i) {
    for (int k = 0; k < 4; ++k) out[4 * i + k] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * k));
  }
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) s += digits[b >> 4], s += digits[b & 15];
  return s;
}

namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& other) noexcept : fd(other.fd) { other.fd = -1; }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads exactly N bytes at OFFSET (fewer only at the end of the file).
Result<std::size_t> read_at(int fd, std::byte* buf, std::size_t n, off_t offset, const std::string& path) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, buf + got, n - got, offset + static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail(ErrorCode::io, path + ": cannot read: " + std::strerror(errno));
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

Result<Fd> open_regular(const std::string& path, off_t& size) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) return fail(ErrorCode::io, path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) return fail(ErrorCode::io, path + ": not a regular file");
  size = st.st_size;
  return f;
}

}  // namespace

Result<std::string> content_key(const std::string& path) {
  off_t size = 0;
  auto f = open_regular(path, size);
  if (!f) return unexpected(f.error());
  static const std::array<std::uint8_t, 32> zero_piece = [] {
    Sha256 z;
    std::vector<std::byte> zeros(kContentPiece);
    z.update(zeros);
    return z.finish();
  }();
  Sha256 key;
  std::array<std::byte, 8> size_be{};
  for (int i = 0; i < 8; ++i) size_be[i] = std::byte(static_cast<std::uint64_t>(size) >> (56 - 8 * i));
  key.update(size_be);
  std::vector<std::byte> piece(kContentPiece);
  off_t next_data = 0;  // no data before this offset (SEEK_DATA's answer, or 0 when unknown)
  for (off_t at = 0; at < size; at += static_cast<off_t>(kContentPiece)) {
    std::size_t want = static_cast<std::size_t>(std::min<off_t>(static_cast<off_t>(kContentPiece), size - at));
    if (next_data < at) {
      off_t d = ::lseek(f->fd, at, SEEK_DATA);
      // ENXIO: no data from here to the end. Any other failure (a file system without hole
      // reporting): read everything.
      next_data = d >= 0 ? d : errno == ENXIO ? size : at;
    }
    if (want == kContentPiece && next_data >= at + static_cast<off_t>(kContentPiece)) {
      key.update(std::as_bytes(std::span(zero_piece)));  // wholly in a hole: zeros, unread
      continue;
    }
    auto got = read_at(f->fd, piece.data(), want, at, path);
    if (!got) return unexpected(got.error());
    if (*got != want) return fail(ErrorCode::io, path + ": the file shrank while it was hashed");
    Sha256 p;
    p.update(std::span<const std::byte>(piece.data(), want));
    auto digest = p.finish();
    key.update(std::as_bytes(std::span(digest)));
  }
  auto digest = key.finish();
  return to_hex(digest);
}

Result<std::string> file_sha256(const std::string& path) {
  off_t size = 0;
  auto f = open_regular(path, size);
  if (!f) return unexpected(f.error());
  Sha256 sha;
  std::vector<std::byte> chunk(kContentPiece);
  for (off_t at = 0;; at += static_cast<off_t>(chunk.size())) {
    auto got = read_at(f->fd, chunk.data(), chunk.size(), at, path);
    if (!got) return unexpected(got.error());
    sha.update(std::span<const std::byte>(chunk.data(), *got));
    if (*got < chunk.size()) break;
  }
  auto digest = sha.finish();
  return to_hex(digest);
}

}  // namespace corelens::cli::history
