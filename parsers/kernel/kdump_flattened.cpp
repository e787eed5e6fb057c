#include "parsers/kernel/kdump_flattened.hpp"

#include <bit>
#include <cstring>
#include <vector>

#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kHeaderSize = 4096;
constexpr std::uint64_t kRecordHeader = 16;

}  // namespace

Result<std::shared_ptr<const MappedFile>> unflatten_kdump(const MappedFile& file, const FlattenedLimits& limits) {
  ByteReader f(file.bytes(), 0, std::endian::big);
  if (f.size() < 12 || std::memcmp(f.bytes().data(), "makedumpfile", 12) != 0) {
    return fail(ErrorCode::not_a_dump, "not a flattened kdump (no \"makedumpfile\" signature)");
  }
  if (f.size() < kHeaderSize) return fail(ErrorCode::truncated, "the flattened header is cut off", 0);
  // Pass 1: validate the records and find the size of the rebuilt file.
  struct Record {
    std::uint64_t to, from, size;
  };
  std::vector<Record> records;
  std::uint64_t pos = kHeaderSize, out_size = 0;
  bool ended = false;
  std::string damage;
  while (pos < f.size()) {
    if (records.size() >= limits.max_records) {
      damage = "more than " + std::to_string(limits.max_records) + " records";
      break;
    }
    auto off = f.read<std::int64_t>(pos);
    auto size = f.read<std::int64_t>(pos + 8);
    if (!off || !size) {
      damage = "a record header at " + hex(pos) + " is cut off";
      break;
    }
    if (*off == -1) {
      ended = true;
      break;
    }
    std::uint64_t end = 0;
    if (*off < 0 || *size < 0 || add_overflows(static_cast<std::uint64_t>(*off), static_cast<std::uint64_t>(*size), &end)) {
      return fail(ErrorCode::malformed, "flattened record at " + hex(pos) + " has offset " + std::to_string(*off) +
                                            " and size " + std::to_string(*size), pos);
    }
    if (!f.has(pos + kRecordHeader, static_cast<std::uint64_t>(*size))) {
      damage = "the record at " + hex(pos) + " claims " + std::to_string(*size) + " bytes past the end of the file";
      break;
    }
    records.push_back({static_cast<std::uint64_t>(*off), pos + kRecordHeader, static_cast<std::uint64_t>(*size)});
    out_size = std::max(out_size, end);
    pos += kRecordHeader + static_cast<std::uint64_t>(*size);
  }
  if (records.empty()) return fail(ErrorCode::malformed, "the flattened dump has no data records" + (damage.empty() ? "" : ": " + damage));
  if (out_size > f.size() + limits.max_growth) {
    return fail(ErrorCode::malformed, "the flattened records describe a " + std::to_string(out_size) +
                                          "-byte file from " + std::to_string(f.size()) + " bytes of input: holes too large");
  }
  std::vector<std::byte> out(static_cast<std::size_t>(out_size));
  for (const Record& r : records) {
    // A zero-size record copies nothing (and OUT may have no storage at all to copy to).
    if (r.size != 0) std::memcpy(out.data() + r.to, file.bytes().data() + r.from, static_cast<std::size_t>(r.size));
  }
  std::string name = file.path();
  (void)ended;  // a stream without its end marker is still usable; the diskdump parser sees what is missing
  return MappedFile::from_memory(name, std::move(out));
}

}  // namespace corelens
