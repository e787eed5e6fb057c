// Compressed cores: zstd, xz and lz4 (frame format), the three ways systemd-coredump stores them
// (core.COMM.UID.BOOTID.PID.USEC.zst|.xz|.lz4).
//
// A core is decompressed once, streamed into an unlinked temporary file (under $TMPDIR, else
// /tmp; a memfd when no directory is writable) and mapped read-only from there: the compressed
// input is read through its own mapping and the output never sits in a heap buffer, so the core
// is never held twice in memory, and pages of zeros become holes (a decompressed core is as
// sparse as the kernel wrote it). The output is capped: a hostile stream of a few kilobytes can
// claim terabytes.
//
// Ownership: the returned MappedFile owns the mapping of the temporary file, which disappears
// with it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/file/mapped_file.hpp"
#include "core/model/analyze_options.hpp"
#include "core/model/error.hpp"

namespace corelens {

enum class Compression { none, zstd, xz, lz4 };
std::string_view to_string(Compression compression);

// By the magic number at the start of BYTES (never by the file's name).
Compression detect_compression(std::span<const std::byte> bytes);

// Decompresses INPUT (whose content is zstd, xz or lz4) into a new read-only mapping named after
// INPUT's path. Errors: ErrorCode::truncated for a stream that ends early, malformed for corrupt
// data or an output larger than the cap, unsupported for an unknown format, io when the
// temporary file cannot be written (disk full ...).
Result<std::shared_ptr<const MappedFile>> decompress(const MappedFile& input, const DecompressOptions& options = {});

}  // namespace corelens
