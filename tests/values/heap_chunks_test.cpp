// glibc malloc chunk headers as the values engine reads them to know how far a pointer may be
// indexed: consistent headers give the usable size; a pointer that is not a live allocation's
// start, a header with impossible sizes or flags, a freed chunk, memory the core left out: none.
#include <gtest/gtest.h>

#include "tests/values/fake_values.hpp"
#include "unwinder/values/heap_chunks.hpp"

namespace corelens::values::testing {
namespace {

constexpr std::uint64_t kHeap = 0x555555560000;

class HeapChunks : public ::testing::Test {
 protected:
  FakeMemory memory;
  // A chunk at AT of SIZE bytes (with FLAGS), its user memory zeroed, followed by a chunk header
  // whose size word is NEXT: one range (FakeMemory's ranges must not overlap).
  void chunk(std::uint64_t at, std::uint64_t size, std::uint64_t flags, std::optional<std::uint64_t> next) {
    std::vector<std::byte> bytes(size + (next ? 16 : 0), std::byte{0});
    std::uint64_t header = size | flags;
    std::memcpy(bytes.data() + 8, &header, 8);
    if (next) std::memcpy(bytes.data() + size + 8, &*next, 8);
    memory.put(at, std::move(bytes));
  }
  std::optional<std::uint64_t> usable(std::uint64_t user) {
    return malloc_usable_size(memory, user, 8, std::endian::little);
  }
};

TEST_F(HeapChunks, AnInUseChunkLendsItsUserTheNextPrevSize) {
  chunk(kHeap, 0x30, 1, 0x20 | 1);  // malloc(40): 48-byte chunk, 40 usable
  EXPECT_EQ(usable(kHeap + 16), 40u);
  chunk(kHeap + 0x100, 0x20, 1 | 4, 0x10 | 1);  // an arena heap's chunk before its fencepost
  EXPECT_EQ(usable(kHeap + 0x110), 24u);
}

TEST_F(HeapChunks, AnMmappedChunkKeepsBothHeaderWords) {
  chunk(kHeap, 0x2000, 2, std::nullopt);
  EXPECT_EQ(usable(kHeap + 16), 0x2000u - 16);
  chunk(kHeap + 0x4000, 0x1ff0, 2, std::nullopt);  // does not end on a page
  EXPECT_FALSE(usable(kHeap + 0x4010));
}

TEST_F(HeapChunks, AnythingElseIsNoAllocation) {
  chunk(kHeap, 0x30, 1, 0x20);  // the next chunk says this one is free
  EXPECT_FALSE(usable(kHeap + 16));
  chunk(kHeap + 0x100, 0x30, 1, 0x20 | 1);
  EXPECT_FALSE(usable(kHeap + 0x118)) << "not 16-aligned: not a chunk's user pointer";
  EXPECT_FALSE(usable(kHeap + 0x120)) << "inside the allocation: the header is user data";
  chunk(kHeap + 0x200, 0x18, 1, 0x20 | 1);  // a size that is not a multiple of 16
  EXPECT_FALSE(usable(kHeap + 0x210));
  chunk(kHeap + 0x300, 0x10, 1, 0x20 | 1);  // smaller than any chunk
  EXPECT_FALSE(usable(kHeap + 0x310));
  chunk(kHeap + 0x400, 0x30, std::uint64_t{1} << 40 | 1, 0x20 | 1);  // an absurdly large size
  EXPECT_FALSE(usable(kHeap + 0x410));
  chunk(kHeap + 0x500, 0x30, 1, std::nullopt);  // the next header is not in the dump
  EXPECT_FALSE(usable(kHeap + 0x510));
  EXPECT_FALSE(usable(0x10)) << "nothing mapped";
  EXPECT_FALSE(malloc_usable_size(memory, kHeap + 16, 2, std::endian::little)) << "no such word size";
}

TEST_F(HeapChunks, ThirtyTwoBitChunksUseFourByteWords) {
  // i386: the user pointer 0x8010 is two 4-byte words past its chunk at 0x8008.
  std::vector<std::byte> bytes(0x40, std::byte{0});
  std::uint32_t header = 0x20 | 1, next = 0x10 | 1;
  std::memcpy(bytes.data() + 0xc, &header, 4);
  std::memcpy(bytes.data() + 0x2c, &next, 4);
  memory.put(0x8000, std::move(bytes));
  EXPECT_EQ(malloc_usable_size(memory, 0x8010, 4, std::endian::little), 0x20u - 4);
  EXPECT_FALSE(malloc_usable_size(memory, 0x8010, 8, std::endian::little)) << "read as 64-bit: no chunk";
}

}  // namespace
}  // namespace corelens::values::testing
