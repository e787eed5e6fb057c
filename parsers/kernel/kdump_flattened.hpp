// makedumpfile's flattened format (makedumpfile -F, and QEMU's dump-guest-memory kdump-*): a
// stream for pipes. A 4096-byte header ("makedumpfile", type, version, big-endian), then records
// {int64 offset, int64 size} (big-endian) each followed by SIZE bytes that belong at OFFSET of the
// real diskdump; an offset of -1 ends the stream.
//
// The records are replayed into memory (what `makedumpfile -R` does into a file), so a flattened
// dump costs its own size in RAM; holes between records must stay small (a cap below).
#pragma once

#include <memory>

#include "core/file/mapped_file.hpp"
#include "core/model/error.hpp"

namespace corelens {

struct FlattenedLimits {
  std::uint64_t max_records = 1u << 26;
  // The rebuilt file may exceed the input by this much (block padding, skipped regions).
  std::uint64_t max_growth = 256ull << 20;
};

// The diskdump the records describe, as a MappedFile named after the input.
Result<std::shared_ptr<const MappedFile>> unflatten_kdump(const MappedFile& file, const FlattenedLimits& limits = {});

}  // namespace corelens
