// arm64 pieces on synthetic inputs written byte by byte here: page tables of 4 KiB granules (four
// levels for 48-bit VAs, five with LPA2 for 52-bit ones, 2 MiB blocks), the linear map, and where
// a function's caller is while its prologue or epilogue runs.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "core/model/kernel/kernel_memory_aarch64.hpp"
#include "unwinder/kernel/prologue_aarch64.hpp"

namespace corelens {
namespace {

// Physical memory of 4 KiB pages, zero where written nothing; a page never written is not in
// the dump.
class Pages final : public PhysicalMemory {
 public:
  void put64(std::uint64_t paddr, std::uint64_t v) {
    auto& page = pages_[paddr & ~0xfffull];
    page.resize(4096);
    std::memcpy(page.data() + (paddr & 0xfff), &v, 8);
  }
  Result<void> read(std::uint64_t paddr, std::span<std::byte> out) const override {
    for (std::size_t i = 0; i < out.size(); ++i) {
      auto it = pages_.find((paddr + i) & ~0xfffull);
      if (it == pages_.end()) return fail(ErrorCode::not_saved, "not saved", paddr + i);
      out[i] = it->second[(paddr + i) & 0xfff];
    }
    return {};
  }
  std::vector<PhysicalRange> ranges() const override { return {}; }

 private:
  std::map<std::uint64_t, std::vector<std::byte>> pages_;
};

constexpr std::uint64_t kTable = 3, kPage = 3, kBlock = 1;

std::uint64_t index(std::uint64_t va, unsigned shift, unsigned bits = 9) { return (va >> shift) & ((1ull << bits) - 1); }

TEST(KernelArm64PageTables, FourLevelsForFortyEightBitVas) {
  Pages p;
  Aarch64Layout l;
  l.va_bits = l.va_bits_actual = 48;
  l.pgd_paddr = 0x10000;
  const std::uint64_t va = 0xffff800008123456ull;  // vmalloc: not the linear map
  p.put64(0x10000 + 8 * index(va, 39), 0x11000 | kTable);
  p.put64(0x11000 + 8 * index(va, 30), 0x12000 | kTable);
  p.put64(0x12000 + 8 * index(va, 21), 0x13000 | kTable);
  // A page descriptor: attribute bits around the output address must not leak into it.
  p.put64(0x13000 + 8 * index(va, 12), 0x00600000abcde000ull | 0x700 | kPage);
  Aarch64PageTables t(l);
  auto pa = t.translate(va, p);
  ASSERT_TRUE(pa) << pa.error().message;
  EXPECT_EQ(*pa, 0xabcde456u);
  EXPECT_TRUE(t.cacheable(va));
  // An address of user space (TTBR0) is none of the kernel's.
  EXPECT_FALSE(t.translate(0x0000800008123456ull, p));
}

TEST(KernelArm64PageTables, TwoMegabyteBlocks) {
  Pages p;
  Aarch64Layout l;
  l.pgd_paddr = 0x10000;
  const std::uint64_t va = 0xffffa9a546634567ull;  // the kernel image
  p.put64(0x10000 + 8 * index(va, 39), 0x11000 | kTable);
  p.put64(0x11000 + 8 * index(va, 30), 0x12000 | kTable);
  p.put64(0x12000 + 8 * index(va, 21), 0x40200000ull | 0x711 | kBlock);
  auto pa = Aarch64PageTables(l).translate(va, p);
  ASSERT_TRUE(pa) << pa.error().message;
  EXPECT_EQ(*pa, 0x40200000u + (va & 0x1fffff));
}

TEST(KernelArm64PageTables, FiveLevelsWithLpa2ForFiftyTwoBitVas) {
  Pages p;
  Aarch64Layout l;
  l.va_bits = l.va_bits_actual = 52;
  l.pgd_paddr = 0x20000;
  const std::uint64_t va = 0xfff8100080123456ull;
  p.put64(0x20000 + 8 * index(va, 48, 4), 0x21000 | kTable);  // level -1: 16 entries
  p.put64(0x21000 + 8 * index(va, 39), 0x22000 | kTable);
  p.put64(0x22000 + 8 * index(va, 30), 0x23000 | kTable);
  p.put64(0x23000 + 8 * index(va, 21), 0x24000 | kTable);
  // LPA2: output address bits 51:50 in descriptor bits 9:8.
  p.put64(0x24000 + 8 * index(va, 12), 0x0000000123456000ull | (1ull << 8) | kPage);
  auto pa = Aarch64PageTables(l).translate(va, p);
  ASSERT_TRUE(pa) << pa.error().message;
  EXPECT_EQ(*pa, (1ull << 50) | 0x123456456ull);
}

TEST(KernelArm64PageTables, AFiftyTwoBitKernelOnFortyEightBitHardwareWalksFourLevels) {
  Pages p;
  Aarch64Layout l;
  l.va_bits = 52;         // VMCOREINFO's VA_BITS: what the kernel was built for
  l.va_bits_actual = 48;  // TCR_EL1.T1SZ 16: what the MMU does
  l.pgd_paddr = 0x10000;
  const std::uint64_t va = 0xffff800080123456ull;
  p.put64(0x10000 + 8 * index(va, 39), 0x11000 | kTable);
  p.put64(0x11000 + 8 * index(va, 30), 0x12000 | kTable);
  p.put64(0x12000 + 8 * index(va, 21), 0x13000 | kTable);
  p.put64(0x13000 + 8 * index(va, 12), 0x0000000055555000ull | 0x300 | kPage);  // SH bits, not OA
  auto pa = Aarch64PageTables(l).translate(va, p);
  ASSERT_TRUE(pa) << pa.error().message;
  EXPECT_EQ(*pa, 0x55555456u);
}

TEST(KernelArm64PageTables, LinearMapByPhysOffsetEvenWhenKaslrMovedIt) {
  Pages p;
  Aarch64Layout l;
  l.va_bits = l.va_bits_actual = 48;
  l.has_linear = true;
  l.phys_offset = 0xfffffc6780000000ull;  // a randomized linear map: memstart_addr "negative"
  Aarch64PageTables t(l);
  // 0xffff0398dfecf380 (mem_section in a real dump) is physical 0x5fecf380.
  auto pa = t.translate(0xffff0398dfecf380ull, p);
  ASSERT_TRUE(pa);
  EXPECT_EQ(*pa, 0x5fecf380u);
  EXPECT_FALSE(t.cacheable(0xffff0398dfecf380ull));
}

TEST(KernelArm64PageTables, InvalidAndUnsavedTablesAreErrors) {
  Pages p;
  Aarch64Layout l;
  l.pgd_paddr = 0x10000;
  const std::uint64_t va = 0xffff800008123456ull;
  p.put64(0x10000 + 8 * index(va, 39), 0x11000 | kTable);
  Aarch64PageTables t(l);
  auto missing = t.translate(va, p);  // the level-1 table is not in the dump
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("page table at physical 0x11000"), std::string::npos) << missing.error().message;
  p.put64(0x11000 + 8 * index(va, 30), 0);  // an invalid descriptor
  auto invalid = t.translate(va, p);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::not_mapped);
  Aarch64Layout none;  // no swapper_pg_dir
  EXPECT_FALSE(Aarch64PageTables(none).translate(va, p));
}

// ---- a function's prologue and epilogue ---------------------------------------------------------

std::vector<std::uint8_t> code(std::initializer_list<std::uint32_t> insns) {
  std::vector<std::uint8_t> out;
  for (std::uint32_t i : insns) {
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<std::uint8_t>(i >> (8 * b)));
  }
  return out;
}

constexpr std::uint32_t kPaciasp = 0xd503233f, kBtiC = 0xd503245f, kMovFpSp = 0x910003fd, kRet = 0xd65f03c0;
constexpr std::uint32_t kStpPre48 = 0xa9bd7bfd;    // stp x29, x30, [sp, #-48]!
constexpr std::uint32_t kLdpPost48 = 0xa8c37bfd;   // ldp x29, x30, [sp], #48
constexpr std::uint32_t kSubSp64 = 0xd10103ff;     // sub sp, sp, #64
constexpr std::uint32_t kStpOff48 = 0xa9037bfd;    // stp x29, x30, [sp, #48]
constexpr std::uint32_t kAddFp48 = 0x9100c3fd;     // add x29, sp, #48
constexpr std::uint32_t kNop = 0xd503201f;

TEST(KernelArm64Prologue, BeforeTheRecordTheCallerIsInTheRegisters) {
  auto c = code({kPaciasp, kStpPre48, kMovFpSp, kNop, kNop, kLdpPost48, kRet});
  const std::uint64_t f = 0x1000;
  auto at = [&](std::uint64_t pc) {
    std::uint32_t before = 0, here = 0;
    std::memcpy(&before, c.data() + (pc - f - 4), 4);
    std::memcpy(&here, c.data() + (pc - f), 4);
    return aarch64_frame_at(c, f, pc, pc > f ? before : 0, here);
  };
  EXPECT_FALSE(aarch64_frame_at(c, f, f, 0, kPaciasp).record);  // at the entry
  EXPECT_FALSE(at(f + 4).record);                             // before the stp
  auto stored = at(f + 8);                                    // stored, x29 not yet moved
  EXPECT_FALSE(stored.record);
  EXPECT_EQ(stored.sp_adjust, 48u);
  EXPECT_TRUE(at(f + 12).record);                             // the body
  EXPECT_TRUE(at(f + 20).record);                             // at the ldp
  auto after = at(f + 24);                                    // reloaded, at the ret
  EXPECT_FALSE(after.record);
  EXPECT_EQ(after.sp_adjust, 0u);
}

TEST(KernelArm64Prologue, ALargeFrameAllocatesFirst) {
  auto c = code({kBtiC, kSubSp64, kStpOff48, kAddFp48, kNop});
  EXPECT_EQ(aarch64_frame_at(c, 0, 8, kSubSp64, kStpOff48).sp_adjust, 64u);
  EXPECT_FALSE(aarch64_frame_at(c, 0, 12, kStpOff48, kAddFp48).record);
  EXPECT_TRUE(aarch64_frame_at(c, 0, 16, kAddFp48, kNop).record);
}

TEST(KernelArm64Prologue, ALeafFunctionNeverStoresARecord) {
  auto c = code({kNop, kNop, kNop, kNop, kRet});
  EXPECT_FALSE(aarch64_frame_at(c, 0, 12, kNop, kNop).record);
  // Not an instruction of the function: the frame record is trusted, as the kernel trusts it.
  EXPECT_TRUE(aarch64_frame_at(c, 0x100, 0x10, 0, 0).record);
  EXPECT_TRUE(aarch64_frame_at(c, 0, 6, 0, 0).record);
}

}  // namespace
}  // namespace corelens
