// glibc malloc's chunks (malloc/malloc.c): the user pointer is 2 * SIZE_SZ past the chunk; the
// word before it holds the chunk's size with three flags in its low bits (PREV_INUSE,
// IS_MMAPPED, NON_MAIN_ARENA). An in-use chunk lends the next chunk's prev_size word to its user,
// so its usable size is the chunk size less one word; an mmapped chunk has no next chunk and
// keeps both its header words.
#include "unwinder/values/heap_chunks.hpp"

namespace corelens::values {
namespace {

constexpr std::uint64_t kPrevInUse = 1, kIsMmapped = 2, kNonMainArena = 4, kFlags = 7;
constexpr std::uint64_t kMaxChunk = std::uint64_t{1} << 32;  // larger than any object a name indexes into
constexpr std::uint64_t kPage = 4096;

std::optional<std::uint64_t> read_word(const ValueMemory& memory, std::uint64_t address, std::size_t word,
                                       std::endian order) {
  auto bytes = memory.read(address, word);
  if (!bytes) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < word; ++i) {
    std::size_t at = order == std::endian::big ? i : word - 1 - i;
    v = (v << 8) | std::to_integer<std::uint8_t>((*bytes)[at]);
  }
  return v;
}

}  // namespace

std::optional<std::uint64_t> malloc_usable_size(const ValueMemory& memory, std::uint64_t address, std::size_t word,
                                                std::endian order) {
  if (word != 8 && word != 4) return std::nullopt;
  // MALLOC_ALIGNMENT is 16 on every 64-bit target and on i386 since glibc 2.26; MINSIZE is four words.
  const std::uint64_t alignment = 16, min_size = 4 * word;
  if (address % alignment != 0 || address < 2 * word) return std::nullopt;
  const std::uint64_t chunk = address - 2 * word;
  auto header = read_word(memory, chunk + word, word, order);
  if (!header) return std::nullopt;
  const std::uint64_t size = *header & ~kFlags;
  if (size < min_size || size % alignment != 0 || size > kMaxChunk) return std::nullopt;
  if (*header & kIsMmapped) {
    // mmap()ed alone: it ends where its pages end, and belongs to no arena.
    if ((*header & kNonMainArena) || (chunk + size) % kPage != 0) return std::nullopt;
    if (!memory.read(chunk + size - 1, 1)) return std::nullopt;
    return size - 2 * word;
  }
  if (chunk + size < chunk) return std::nullopt;
  // The next chunk (or the top chunk, or an arena heap's two-word fencepost) must be there, sized
  // sanely, and say this one is in use.
  auto next = read_word(memory, chunk + size + word, word, order);
  if (!next || !(*next & kPrevInUse) || (*next & kIsMmapped)) return std::nullopt;
  const std::uint64_t next_size = *next & ~kFlags;
  if (next_size < 2 * word || next_size % (2 * word) != 0) return std::nullopt;
  return size - word;
}

}  // namespace corelens::values
