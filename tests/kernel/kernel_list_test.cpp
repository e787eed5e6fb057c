// The bounded list_head walker the module and task readers share, on synthetic rings: a ring that
// closes, one that loops without coming back to its head, one that breaks off, one too long.
#include <gtest/gtest.h>

#include <map>

#include "unwinder/kernel/list_walk.hpp"

namespace corelens {
namespace {

// Memory holding only list_heads: NEXT[a] is the next pointer stored at address a.
class Ring final : public MemorySource {
 public:
  std::map<std::uint64_t, std::uint64_t> next;
  Result<void> read(std::uint64_t addr, std::span<std::byte> out) const override {
    auto it = next.find(addr);
    if (it == next.end() || out.size() != 8) return fail(ErrorCode::not_saved, "not in the dump", addr);
    for (std::size_t i = 0; i < 8; ++i) out[i] = std::byte(static_cast<unsigned char>(it->second >> (8 * i)));
    return {};
  }
};

std::vector<std::uint64_t> visit_all(const Ring& r, std::uint64_t head, std::size_t max, ListWalk* walk) {
  std::vector<std::uint64_t> seen;
  *walk = walk_kernel_list(r, head, max, [&](std::uint64_t n) {
    seen.push_back(n);
    return true;
  });
  return seen;
}

TEST(KernelList, ClosedRingVisitsEveryNodeOnce) {
  Ring r;
  r.next = {{0x1000, 0x2000}, {0x2000, 0x3000}, {0x3000, 0x1000}};
  ListWalk w;
  EXPECT_EQ(visit_all(r, 0x1000, 10, &w), (std::vector<std::uint64_t>{0x2000, 0x3000}));
  EXPECT_EQ(w.end, ListWalk::End::closed);
  EXPECT_EQ(w.nodes, 2u);
  EXPECT_TRUE(w.describe(10).empty());
  // An empty list: the head points at itself.
  r.next = {{0x1000, 0x1000}};
  EXPECT_TRUE(visit_all(r, 0x1000, 10, &w).empty());
  EXPECT_EQ(w.end, ListWalk::End::closed);
}

TEST(KernelList, LoopThatMissesTheHeadStopsAtTheRepeat) {
  Ring r;
  r.next = {{0x1000, 0x2000}, {0x2000, 0x3000}, {0x3000, 0x2000}};  // 0x3000 -> 0x2000, never 0x1000
  ListWalk w;
  EXPECT_EQ(visit_all(r, 0x1000, 1000, &w), (std::vector<std::uint64_t>{0x2000, 0x3000}));
  EXPECT_EQ(w.end, ListWalk::End::loop);
  EXPECT_EQ(w.at, 0x2000u);
  EXPECT_NE(w.describe(1000).find("loops back to 0x2000"), std::string::npos) << w.describe(1000);
}

TEST(KernelList, NextPointerIntoNothingBreaksOff) {
  Ring r;
  r.next = {{0x1000, 0x2000}, {0x2000, 0xdead000000000000}};
  ListWalk w;
  EXPECT_EQ(visit_all(r, 0x1000, 10, &w), (std::vector<std::uint64_t>{0x2000, 0xdead000000000000}));
  EXPECT_EQ(w.end, ListWalk::End::unreadable);
  EXPECT_EQ(w.at, 0xdead000000000000u);
  EXPECT_NE(w.describe(10).find("not in the dump"), std::string::npos);
  // Not even the head.
  visit_all(r, 0x5000, 10, &w);
  EXPECT_EQ(w.end, ListWalk::End::unreadable);
  EXPECT_EQ(w.nodes, 0u);
}

TEST(KernelList, CapAndStop) {
  Ring r;
  for (std::uint64_t i = 0; i < 100; ++i) r.next[0x1000 + 16 * i] = 0x1000 + 16 * ((i + 1) % 100);
  ListWalk w;
  EXPECT_EQ(visit_all(r, 0x1000, 10, &w).size(), 10u);
  EXPECT_EQ(w.end, ListWalk::End::too_long);
  EXPECT_NE(w.describe(10).find("more than 10 nodes"), std::string::npos);
  std::size_t calls = 0;
  w = walk_kernel_list(r, 0x1000, 1000, [&](std::uint64_t) { return ++calls < 3; });
  EXPECT_EQ(w.end, ListWalk::End::stopped);
  EXPECT_EQ(calls, 3u);
}

}  // namespace
}  // namespace corelens
