// Decompression of one kdump page (makedumpfile's page_desc flags): zlib always; lzo, snappy and
// zstd when corelens was built with liblzo2, libsnappy and libzstd (CMake finds them; see
// supported_page_compressions()).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/model/error.hpp"

namespace corelens {

enum class PageCompression { zlib, lzo, snappy, zstd };
const char* to_string(PageCompression c);

// Decompresses IN into OUT, which must come out exactly OUT.size() bytes (one page).
Result<void> decompress_page(PageCompression method, std::span<const std::byte> in, std::span<std::byte> out);
// "zlib, lzo, snappy, zstd": what this build can read.
std::string supported_page_compressions();

}  // namespace corelens
