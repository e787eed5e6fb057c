#include "parsers/compressed.hpp"

#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace corelens {
namespace {

constexpr unsigned char kZstdMagic[] = {0x28, 0xb5, 0x2f, 0xfd};
constexpr unsigned char kXzMagic[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
constexpr unsigned char kLz4FrameMagic[] = {0x04, 0x22, 0x4d, 0x18};
constexpr unsigned char kLz4LegacyMagic[] = {0x02, 0x21, 0x4c, 0x18};

constexpr std::size_t kChunk = std::size_t{1} << 20;  // output buffer; a multiple of the page size
constexpr std::size_t kPage = 4096;

bool starts_with(std::span<const std::byte> bytes, const unsigned char* magic, std::size_t size) {
  return bytes.size() >= size && std::memcmp(bytes.data(), magic, size) == 0;
}

std::string temp_directory(const DecompressOptions& options) {
  if (!options.temp_dir.empty()) return options.temp_dir;
  const char* env = std::getenv("TMPDIR");
  return env != nullptr && *env != '\0' ? env : "/tmp";
}

// An unlinked file, so nothing is left behind whatever happens to the process.
Result<int> open_temp(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string tmpl = dir + "/corelens-core-XXXXXX";
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd >= 0) {
    ::unlink(tmpl.c_str());
    return fd;
  }
  int e = errno;
  fd = ::memfd_create("corelens-decompressed-core", MFD_CLOEXEC);
  if (fd >= 0) return fd;
  return fail(ErrorCode::io, "cannot create a temporary file in " + dir + " for the decompressed core: " +
                                 std::strerror(e));
}

// Collects decompressed bytes in one reused buffer and writes them to the temporary file, leaving
// holes for pages of zeros.
class Output {
 public:
  Output(int fd, std::uint64_t cap, std::string name, std::string dir)
      : fd_(fd), cap_(cap), name_(std::move(name)), dir_(std::move(dir)), buffer_(kChunk) {}

  std::byte* free_begin() { return buffer_.data() + fill_; }
  std::size_t free_size() const { return buffer_.size() - fill_; }
  std::uint64_t total() const { return written_ + fill_; }

  // The decompressor added N bytes at free_begin().
  Result<void> produced(std::size_t n) {
    fill_ += n;
    if (written_ + fill_ > cap_) {
      return fail(ErrorCode::malformed, name_ + ": decompresses to more than " + std::to_string(cap_) +
                                            " bytes, the limit (raise it with --max-decompressed-size)");
    }
    if (fill_ == buffer_.size()) return flush();
    return {};
  }

  Result<void> finish() {
    if (auto r = flush(); !r) return r;
    if (::ftruncate(fd_, static_cast<off_t>(written_)) != 0) return io_error();
    return {};
  }

 private:
  Result<void> flush() {
    // written_ is a multiple of kChunk here (only the last flush is partial), so pages line up.
    for (std::size_t off = 0; off < fill_; off += kPage) {
      std::size_t n = std::min(kPage, fill_ - off);
      const std::byte* p = buffer_.data() + off;
      if (std::all_of(p, p + n, [](std::byte b) { return b == std::byte{0}; })) continue;
      std::size_t done = 0;
      while (done < n) {
        ssize_t w = ::pwrite(fd_, p + done, n - done, static_cast<off_t>(written_ + off + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return io_error();
        done += static_cast<std::size_t>(w);
      }
    }
    written_ += fill_;
    fill_ = 0;
    return {};
  }

  unexpected<Error> io_error() const {
    int e = errno;
    return fail(ErrorCode::io, name_ + ": cannot write the decompressed core to " + dir_ + " after " +
                                   std::to_string(written_) + " bytes: " + std::strerror(e) +
                                   (e == ENOSPC ? " (set TMPDIR to a larger filesystem)" : ""));
  }

  int fd_;
  std::uint64_t cap_;
  std::string name_, dir_;
  std::vector<std::byte> buffer_;
  std::size_t fill_ = 0;
  std::uint64_t written_ = 0;
};

std::string after(std::uint64_t consumed, const Output& out) {
  return " after " + std::to_string(consumed) + " compressed bytes (" + std::to_string(out.total()) +
         " bytes decompressed)";
}

Result<void> inflate_zstd(std::span<const std::byte> in_bytes, Output& out, const std::string& name) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return fail(ErrorCode::internal, "zstd: cannot create a decompression context");
  ZSTD_inBuffer in{in_bytes.data(), in_bytes.size(), 0};
  std::size_t remaining = 0;  // 0: the last frame is complete
  while (true) {
    ZSTD_outBuffer o{out.free_begin(), out.free_size(), 0};
    std::size_t before = in.pos;
    std::size_t r = ZSTD_decompressStream(ctx.get(), &o, &in);
    if (ZSTD_isError(r)) {
      return fail(ErrorCode::malformed, name + ": the zstd stream is corrupt: " + ZSTD_getErrorName(r) +
                                            after(in.pos, out), in.pos);
    }
    remaining = r;
    if (auto p = out.produced(o.pos); !p) return unexpected(p.error());
    bool output_full = o.pos == o.size;
    if (in.pos == in.size && !output_full) break;
    if (in.pos == before && o.pos == 0) {
      return fail(ErrorCode::malformed, name + ": the zstd stream makes no progress" + after(in.pos, out), in.pos);
    }
  }
  if (remaining != 0) {
    return fail(ErrorCode::truncated, name + ": the zstd stream is truncated: it ends inside a frame" +
                                          after(in.size, out), in.size);
  }
  return {};
}

Result<void> inflate_xz(std::span<const std::byte> in_bytes, Output& out, const std::string& name,
                        std::uint64_t memory_limit) {
  lzma_stream s = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&s, memory_limit, LZMA_CONCATENATED) != LZMA_OK) {
    return fail(ErrorCode::internal, "xz: cannot create a decoder");
  }
  std::unique_ptr<lzma_stream, decltype(&lzma_end)> guard(&s, lzma_end);
  s.next_in = reinterpret_cast<const std::uint8_t*>(in_bytes.data());
  s.avail_in = in_bytes.size();
  while (true) {
    s.next_out = reinterpret_cast<std::uint8_t*>(out.free_begin());
    std::size_t room = out.free_size();
    s.avail_out = room;
    lzma_ret ret = lzma_code(&s, LZMA_FINISH);
    if (auto p = out.produced(room - s.avail_out); !p) return unexpected(p.error());
    if (ret == LZMA_STREAM_END) return {};
    std::uint64_t at = s.total_in;
    switch (ret) {
      case LZMA_OK: continue;
      case LZMA_BUF_ERROR:
        return fail(ErrorCode::truncated, name + ": the xz stream is truncated" + after(at, out), at);
      case LZMA_DATA_ERROR:
        return fail(ErrorCode::malformed, name + ": the xz stream is corrupt (bad data or checksum)" + after(at, out), at);
      case LZMA_FORMAT_ERROR:
        return fail(ErrorCode::malformed, name + ": not a valid xz stream" + after(at, out), at);
      case LZMA_OPTIONS_ERROR:
        return fail(ErrorCode::unsupported, name + ": the xz stream uses options this liblzma does not support", at);
      case LZMA_MEMLIMIT_ERROR:
        return fail(ErrorCode::malformed, name + ": the xz stream needs more than " + std::to_string(memory_limit) +
                                              " bytes of decoder memory", at);
      default:
        return fail(ErrorCode::internal, name + ": xz decoder error " + std::to_string(static_cast<int>(ret)) +
                                             after(at, out), at);
    }
  }
}

Result<void> inflate_lz4(std::span<const std::byte> in_bytes, Output& out, const std::string& name) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return fail(ErrorCode::internal, "lz4: cannot create a decompression context");
  }
  std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> ctx(raw, LZ4F_freeDecompressionContext);
  std::size_t pos = 0;
  std::size_t hint = 0;  // 0: the last frame is complete
  while (true) {
    std::size_t dst = out.free_size();
    std::size_t room = dst;
    std::size_t src = in_bytes.size() - pos;
    hint = LZ4F_decompress(ctx.get(), out.free_begin(), &dst, in_bytes.data() + pos, &src, nullptr);
    if (LZ4F_isError(hint)) {
      return fail(ErrorCode::malformed, name + ": the lz4 stream is corrupt: " + LZ4F_getErrorName(hint) +
                                            after(pos, out), pos);
    }
    pos += src;
    if (auto p = out.produced(dst); !p) return unexpected(p.error());
    bool output_full = dst == room;
    if (pos == in_bytes.size() && !output_full) break;
    if (src == 0 && dst == 0) {
      return fail(ErrorCode::malformed, name + ": the lz4 stream makes no progress" + after(pos, out), pos);
    }
  }
  if (hint != 0) {
    return fail(ErrorCode::truncated, name + ": the lz4 stream is truncated: it ends inside a frame" +
                                          after(pos, out), pos);
  }
  return {};
}

}  // namespace

std::string_view to_string(Compression compression) {
  switch (compression) {
    case Compression::zstd: return "zstd";
    case Compression::xz: return "xz";
    case Compression::lz4: return "lz4";
    case Compression::none: break;
  }
  return "none";
}

Compression detect_compression(std::span<const std::byte> bytes) {
  if (starts_with(bytes, kZstdMagic, sizeof kZstdMagic)) return Compression::zstd;
  if (starts_with(bytes, kXzMagic, sizeof kXzMagic)) return Compression::xz;
  if (starts_with(bytes, kLz4FrameMagic, sizeof kLz4FrameMagic)) return Compression::lz4;
  return Compression::none;
}

Result<std::shared_ptr<const MappedFile>> decompress(const MappedFile& input, const DecompressOptions& options) {
  const std::string& name = input.path();
  Compression kind = detect_compression(input.bytes());
  if (kind == Compression::none) {
    if (starts_with(input.bytes(), kLz4LegacyMagic, sizeof kLz4LegacyMagic)) {
      return fail(ErrorCode::unsupported, name + ": lz4's legacy format (lz4 -l) is not supported; "
                                                 "recompress with plain lz4 (the frame format)");
    }
    return fail(ErrorCode::unsupported, name + ": not a zstd, xz or lz4 stream");
  }
  std::string dir = temp_directory(options);
  auto fd = open_temp(dir);
  if (!fd) return unexpected(fd.error());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{*fd};

  std::uint64_t cap = options.max_output != 0 ? options.max_output : kDefaultMaxDecompressed;
  Output out(*fd, cap, name, dir);
  Result<void> r;
  switch (kind) {
    case Compression::zstd: r = inflate_zstd(input.bytes(), out, name); break;
    case Compression::xz: r = inflate_xz(input.bytes(), out, name, options.xz_memory_limit); break;
    case Compression::lz4: r = inflate_lz4(input.bytes(), out, name); break;
    case Compression::none: break;
  }
  if (!r) return unexpected(r.error());
  if (auto f = out.finish(); !f) return unexpected(f.error());
  return MappedFile::map_fd(*fd, out.total(), name);
}

}  // namespace corelens
