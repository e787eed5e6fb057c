#include "parsers/kernel/page_compression.hpp"

#include <zlib.h>

#if CORELENS_HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#if CORELENS_HAVE_SNAPPY
#include <snappy-c.h>
#endif
#if CORELENS_HAVE_ZSTD
#include <zstd.h>
#endif

namespace corelens {
namespace {

Result<void> not_built(PageCompression c) {
  return fail(ErrorCode::unsupported, std::string("page compressed with ") + to_string(c) +
                                          ", which this build of corelens cannot decompress (it reads " +
                                          supported_page_compressions() + ")");
}

Result<void> bad(PageCompression c, const std::string& why) {
  return fail(ErrorCode::malformed, std::string("corrupt ") + to_string(c) + " page: " + why);
}

}  // namespace

const char* to_string(PageCompression c) {
  switch (c) {
    case PageCompression::zlib: return "zlib";
    case PageCompression::lzo: return "lzo";
    case PageCompression::snappy: return "snappy";
    case PageCompression::zstd: return "zstd";
  }
  return "?";
}

std::string supported_page_compressions() {
  std::string s = "zlib";
#if CORELENS_HAVE_LZO
  s += ", lzo";
#endif
#if CORELENS_HAVE_SNAPPY
  s += ", snappy";
#endif
#if CORELENS_HAVE_ZSTD
  s += ", zstd";
#endif
  return s;
}

Result<void> decompress_page(PageCompression method, std::span<const std::byte> in, std::span<std::byte> out) {
  switch (method) {
    case PageCompression::zlib: {
      uLongf len = static_cast<uLongf>(out.size());
      int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(in.data()),
                          static_cast<uLong>(in.size()));
      if (rc != Z_OK) return bad(method, "zlib error " + std::to_string(rc));
      if (len != out.size()) return bad(method, "decompressed to " + std::to_string(len) + " bytes");
      return {};
    }
    case PageCompression::lzo: {
#if CORELENS_HAVE_LZO
      static const int init = lzo_init();
      if (init != LZO_E_OK) return fail(ErrorCode::internal, "lzo_init failed");
      lzo_uint len = out.size();
      int rc = lzo1x_decompress_safe(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                     reinterpret_cast<unsigned char*>(out.data()), &len, nullptr);
      if (rc != LZO_E_OK) return bad(method, "lzo error " + std::to_string(rc));
      if (len != out.size()) return bad(method, "decompressed to " + std::to_string(len) + " bytes");
      return {};
#else
      return not_built(method);
#endif
    }
    case PageCompression::snappy: {
#if CORELENS_HAVE_SNAPPY
      std::size_t len = 0;
      const char* src = reinterpret_cast<const char*>(in.data());
      if (snappy_uncompressed_length(src, in.size(), &len) != SNAPPY_OK || len != out.size()) {
        return bad(method, "wrong uncompressed length");
      }
      if (snappy_uncompress(src, in.size(), reinterpret_cast<char*>(out.data()), &len) != SNAPPY_OK) {
        return bad(method, "snappy_uncompress failed");
      }
      return {};
#else
      return not_built(method);
#endif
    }
    case PageCompression::zstd: {
#if CORELENS_HAVE_ZSTD
      std::size_t rc = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
      if (ZSTD_isError(rc)) return bad(method, ZSTD_getErrorName(rc));
      if (rc != out.size()) return bad(method, "decompressed to " + std::to_string(rc) + " bytes");
      return {};
#else
      return not_built(method);
#endif
    }
  }
  return not_built(method);
}

}  // namespace corelens
