// Fuzz target: the zstd, xz and lz4 decompressors behind compressed cores (parsers/compressed).
// The output cap is small so a stream that claims gigabytes is refused quickly, as it must be.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/file/mapped_file.hpp"
#include "parsers/compressed.hpp"
#include "parsers/detect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size != 0) std::memcpy(bytes.data(), data, size);
  auto input = corelens::MappedFile::from_memory("fuzz", std::move(bytes));
  corelens::DecompressOptions options;
  options.max_output = std::uint64_t{64} << 20;
  options.xz_memory_limit = std::uint64_t{64} << 20;
  auto out = corelens::decompress(*input, options);
  if (out) (void)corelens::detect_format((*out)->bytes());
  return 0;
}
