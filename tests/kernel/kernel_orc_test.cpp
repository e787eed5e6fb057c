// The ORC unwinder on synthetic tables (from the test-only ORC builder, not the unwinder's own
// structs) and stacks written here: the entry decoder in both layouts, the table search, and every stop
// rule of the walk; the prologue reader for frame 0 without ORC. No dump needed.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "core/model/strings.hpp"
#include "tests/support/kernel/orc_builder.hpp"
#include "unwinder/kernel/orc.hpp"
#include "unwinder/kernel/prologue.hpp"
#include "unwinder/kernel/tasks.hpp"

namespace corelens {
namespace {

using Bytes = std::vector<std::byte>;

// Sparse memory: a few regions at fixed addresses; anything else is a fault.
class MapMemory final : public MemorySource {
 public:
  void put(std::uint64_t addr, const void* src, std::size_t n) {
    auto& r = region(addr, n);
    std::memcpy(r.second.data() + (addr - r.first), src, n);
  }
  void put64(std::uint64_t addr, std::uint64_t v) { put(addr, &v, 8); }
  void put32(std::uint64_t addr, std::uint32_t v) { put(addr, &v, 4); }
  void map(std::uint64_t addr, std::size_t size) { regions_[addr] = Bytes(size); }
  Result<void> read(std::uint64_t addr, std::span<std::byte> out) const override {
    auto it = regions_.upper_bound(addr);
    if (it == regions_.begin()) return fail(ErrorCode::not_mapped, "unmapped", addr);
    --it;
    if (addr - it->first > it->second.size() || it->second.size() - (addr - it->first) < out.size()) {
      return fail(ErrorCode::not_mapped, "unmapped", addr);
    }
    std::memcpy(out.data(), it->second.data() + (addr - it->first), out.size());
    return {};
  }

 private:
  std::pair<const std::uint64_t, Bytes>& region(std::uint64_t addr, std::size_t n) {
    auto it = regions_.upper_bound(addr);
    if (it == regions_.begin()) throw std::runtime_error("test writes outside its regions");
    --it;
    if (addr + n > it->first + it->second.size()) throw std::runtime_error("test writes past a region");
    return *it;
  }
  std::map<std::uint64_t, Bytes> regions_;
};

namespace orc = corelens::testing::orc;

std::array<std::byte, 6> as_bytes(const orc::Entry& e) {
  std::array<std::byte, 6> b{};
  std::memcpy(b.data(), e.data(), e.size());
  return b;
}
// One orc_entry in the 6.1 layout.
std::array<std::byte, 6> entry61(std::int16_t sp_offset, std::uint8_t sp_reg, std::uint8_t type, bool end = false,
                                 std::int16_t bp_offset = 0, std::uint8_t bp_reg = 0) {
  return as_bytes(orc::end_bit_entry(sp_offset, sp_reg, type, end, bp_offset, bp_reg));
}
constexpr std::uint8_t kSp = orc::kRegSp, kUndef = orc::kRegUndefined, kSpIndirect = orc::kRegSpIndirect,
                        kR10 = orc::kRegR10, kPrevSp = orc::kRegPrevSp;
constexpr std::uint8_t kCall = orc::kTypeCall, kRegs = orc::kTypeRegs, kRegsPartial = orc::kTypeRegsPartial;

constexpr std::uint64_t kText = 0xffffffff81000000;
constexpr std::uint64_t kIpTable = 0xffffffff82000000, kEntries = 0xffffffff82100000;
constexpr std::uint64_t kTask = 0xffffc90000010000;  // task stack [kTask, kTask + 16K)
constexpr std::uint64_t kIrq = 0xffffc90000100000;   // IRQ stack [kIrq, kIrq + 16K)

// A table in the kernel's format: s32 offsets from each slot to its address, then the entries.
OrcTable write_table(MapMemory& m, const std::vector<std::pair<std::uint64_t, std::array<std::byte, 6>>>& rows) {
  std::vector<std::pair<std::uint64_t, orc::Entry>> entries;
  for (const auto& [ip, e] : rows) {
    orc::Entry raw{};
    std::memcpy(raw.data(), e.data(), e.size());
    entries.emplace_back(ip, raw);
  }
  orc::Table t = orc::table(kIpTable, entries);
  m.map(kIpTable, t.ips.size());
  m.map(kEntries, t.entries.size());
  if (!t.ips.empty()) m.put(kIpTable, t.ips.data(), t.ips.size());
  if (!t.entries.empty()) m.put(kEntries, t.entries.data(), t.entries.size());
  return OrcTable({kIpTable, kEntries, rows.size()}, OrcFlavor{});
}

class TableFinder final : public OrcFinder {
 public:
  TableFinder(const MemorySource& m, OrcTable t) : m_(m), t_(t) {}
  std::optional<OrcEntry> find(std::uint64_t ip) const override { return t_.find(m_, ip); }
  OrcFlavor flavor() const override { return t_.flavor(); }

 private:
  const MemorySource& m_;
  OrcTable t_;
};

class Stacks final : public StackMap {
 public:
  std::vector<StackRegion> regions{{kTask, kTask + 16384, "task"}, {kIrq, kIrq + 16384, "IRQ"}};
  std::optional<StackRegion> region_of(std::uint64_t a) const override {
    for (const auto& r : regions) {
      if (r.contains(a)) return r;
    }
    return std::nullopt;
  }
};

RegisterSet regs(std::uint64_t rip, std::uint64_t rsp, std::uint64_t cs = 0x10) {
  RegisterSet r;
  r.general = {{"rip", rip}, {"rsp", rsp}, {"rbp", 0}, {"cs", cs}};
  return r;
}

// Three functions: A (one push: sp+16), B (sp+24), C (entry code: a pt_regs right at sp).
constexpr std::uint64_t kA = kText + 0x1000, kB = kText + 0x2000, kC = kText + 0x3000, kEnd = kText + 0x4000;

struct World {
  MapMemory mem;
  Stacks stacks;
  std::optional<TableFinder> finder;
  std::uint64_t s0 = kTask + 0x3000;  // frame 0's sp

  explicit World(std::array<std::byte, 6> c_entry = entry61(0, kSp, kRegs),
                 std::array<std::byte, 6> b_entry = entry61(24, kSp, kCall)) {
    mem.map(kTask, 16384);
    mem.map(kIrq, 16384);
    finder.emplace(mem, write_table(mem, {{kA, entry61(16, kSp, kCall)},
                                          {kB, b_entry},
                                          {kC, c_entry},
                                          {kEnd, entry61(0, kUndef, kCall)}}));
    // A at s0: its return address into B at s0 + 8; B's frame is 24 bytes above s0 + 16.
    mem.put64(s0 + 8, kB + 0x10);
    std::uint64_t s1 = s0 + 16;
    mem.put64(s1 + 16, kC + 0x20);
    std::uint64_t s2 = s1 + 24;  // a user pt_regs: ip, cs, flags, sp, ss at 128..168
    mem.put64(s2 + 128, 0x401000);
    mem.put64(s2 + 136, 0x33);
    mem.put64(s2 + 152, 0x7ffe0000);
    mem.put64(s2 + 160, 0x2b);
  }
  OrcWalk walk(const RegisterSet& start, OrcWalkLimits limits = {}, const NoOrcFallback* fb = nullptr) {
    return orc_walk(mem, *finder, stacks, start, limits, fb);
  }
};

TEST(KernelOrcDecode, Layout61) {
  auto e = decode_orc_entry(entry61(16, kSp, kCall), OrcLayout::end_bit);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->sp_offset, 16);
  EXPECT_EQ(e->sp_reg, kSp);
  EXPECT_EQ(e->bp_reg, kUndef);
  EXPECT_EQ(e->type, OrcType::call);
  EXPECT_EQ(decode_orc_entry(entry61(0, kUndef, kCall, true), OrcLayout::end_bit)->type, OrcType::end_of_stack);
  EXPECT_EQ(decode_orc_entry(entry61(0, kUndef, kCall, false), OrcLayout::end_bit)->type, OrcType::undefined);
  EXPECT_EQ(decode_orc_entry(entry61(0, kSp, kRegs), OrcLayout::end_bit)->type, OrcType::regs);
  EXPECT_EQ(decode_orc_entry(entry61(0, kSp, kRegsPartial), OrcLayout::end_bit)->type, OrcType::regs_partial);
  auto prev = decode_orc_entry(entry61(16, kSp, kCall, false, -16, kPrevSp), OrcLayout::end_bit);
  ASSERT_TRUE(prev);
  EXPECT_EQ(prev->bp_reg, kPrevSp);
  EXPECT_EQ(prev->bp_offset, -16);
  // What no kernel writes: type 3, sp_reg 12, bp_reg 5, bits above end.
  EXPECT_FALSE(decode_orc_entry(entry61(0, kSp, 3), OrcLayout::end_bit));
  EXPECT_FALSE(decode_orc_entry(entry61(0, 12, kCall), OrcLayout::end_bit));
  EXPECT_FALSE(decode_orc_entry(entry61(0, kSp, kCall, false, 0, 5), OrcLayout::end_bit));
  auto high = entry61(8, kSp, kCall);
  high[5] = std::byte{0x08};
  EXPECT_FALSE(decode_orc_entry(high, OrcLayout::end_bit));
}

TEST(KernelOrcDecode, Layout64AndVersions) {
  // 6.4+: type:3 (UNDEFINED 0, END_OF_STACK 1, CALL 2, REGS 3, REGS_PARTIAL 4) then signal:1.
  auto b = as_bytes(orc::typed_entry(8, kSp, orc::kTypedCall));
  EXPECT_EQ(decode_orc_entry(b, OrcLayout::typed)->type, OrcType::call);
  EXPECT_EQ(decode_orc_entry(b, OrcLayout::end_bit)->type, OrcType::regs_partial);  // why layouts are checked
  b = as_bytes(orc::typed_entry(8, kSp, orc::kTypedCall, true));
  auto sig = decode_orc_entry(b, OrcLayout::typed);
  ASSERT_TRUE(sig);
  EXPECT_TRUE(sig->signal);
  b = as_bytes(orc::typed_entry(8, kSp, orc::kTypedEndOfStack));
  EXPECT_EQ(decode_orc_entry(b, OrcLayout::typed)->type, OrcType::end_of_stack);
  b = as_bytes(orc::typed_entry(8, kSp, 5));  // no such type
  EXPECT_FALSE(decode_orc_entry(b, OrcLayout::typed));
  EXPECT_EQ(orc_flavor_for_release("6.1.0-56-amd64").layout, OrcLayout::end_bit);
  EXPECT_TRUE(orc_flavor_for_release("6.1.0-56-amd64").sp_indirect_adds_after);
  EXPECT_EQ(orc_flavor_for_release("6.4.0").layout, OrcLayout::typed);
  EXPECT_EQ(orc_flavor_for_release("6.12.3+deb13-amd64").layout, OrcLayout::typed);
  EXPECT_FALSE(orc_flavor_for_release("5.10.0-30-amd64").sp_indirect_adds_after);
  EXPECT_EQ(orc_flavor_for_release("garbage").layout, OrcLayout::end_bit);
}

TEST(KernelOrcTable, RightmostEntryAtOrBelow) {
  MapMemory m;
  // A section terminator (undefined) shares its address with the real entry after it.
  OrcTable t = write_table(m, {{kA, entry61(8, kSp, kCall)},
                               {kB, entry61(0, kUndef, kCall)},
                               {kB, entry61(24, kSp, kCall)},
                               {kC, entry61(32, kSp, kCall)}});
  EXPECT_FALSE(t.find(m, kA - 1));
  EXPECT_EQ(t.find(m, kA)->sp_offset, 8);
  EXPECT_EQ(t.find(m, kB - 1)->sp_offset, 8);
  EXPECT_EQ(t.find(m, kB)->sp_offset, 24);
  EXPECT_EQ(t.find(m, kC + 0x100000)->sp_offset, 32);
  auto check = check_orc_table(m, t.ref(), OrcFlavor{}, kText, kEnd);
  EXPECT_TRUE(check.sane) << check.describe();
  EXPECT_EQ(check.sampled, 4u);
}

TEST(KernelOrcTable, LookupTableIsOnlyAHint) {
  MapMemory m;
  std::vector<std::pair<std::uint64_t, std::array<std::byte, 6>>> rows;
  for (int i = 0; i < 64; ++i) rows.push_back({kText + 0x40 * i, entry61(static_cast<std::int16_t>(8 * (i + 1)), kSp, kCall)});
  OrcTable plain = write_table(m, rows);
  // orc_lookup for 256-byte blocks of [kText, kText + 0x1000): correct, then garbage.
  constexpr std::uint64_t kLookup = 0xffffffff82200000;
  m.map(kLookup, 4 * 17);
  for (std::uint32_t b = 0; b < 17; ++b) m.put32(kLookup + 4 * b, std::min<std::uint32_t>(b * 4, 63));
  OrcTable fast(plain.ref(), OrcFlavor{}, OrcLookupRef{kLookup, 17, kText, kText + 0x1000});
  for (std::uint64_t ip = kText; ip < kText + 0x1000; ip += 0x17) {
    EXPECT_EQ(fast.find(m, ip)->sp_offset, plain.find(m, ip)->sp_offset) << std::hex << ip;
  }
  for (std::uint32_t b = 0; b < 17; ++b) m.put32(kLookup + 4 * b, (b * 7919u) % 40);  // points anywhere
  for (std::uint64_t ip = kText; ip < kText + 0x1000; ip += 0x17) {
    EXPECT_EQ(fast.find(m, ip)->sp_offset, plain.find(m, ip)->sp_offset) << std::hex << ip;
  }
  m.put32(kLookup, 0xffffffffu);  // past the table
  EXPECT_EQ(fast.find(m, kText)->sp_offset, 8);
}

TEST(KernelOrcTable, InsaneTablesAreRejected) {
  MapMemory m;
  std::vector<std::pair<std::uint64_t, std::array<std::byte, 6>>> rows;
  for (int i = 0; i < 100; ++i) rows.push_back({kText + 0x10 * i, entry61(8, kSp, kCall)});
  OrcTable t = write_table(m, rows);
  EXPECT_TRUE(check_orc_table(m, t.ref(), OrcFlavor{}, kText, kEnd).sane);
  OrcFlavor typed{OrcLayout::typed, true};
  EXPECT_FALSE(check_orc_table(m, t.ref(), typed, kText, kEnd).sane);  // all UNDEFINED in the other layout
  EXPECT_FALSE(check_orc_table(m, t.ref(), OrcFlavor{}, kText + 0x10000, kEnd + 0x10000).sane);  // not in text
  OrcTableRef unreadable = t.ref();
  unreadable.count = 1000;  // past the mapped table
  EXPECT_FALSE(check_orc_table(m, unreadable, OrcFlavor{}, kText, kEnd).sane);
  for (int i = 0; i < 100; ++i) m.put(kEntries + 6 * i, "\xff\xff\xff\xff\xff\xff", 6);
  EXPECT_FALSE(check_orc_table(m, t.ref(), OrcFlavor{}, kText, kEnd).sane);
}

TEST(KernelOrcWalk, CallFramesThenPtRegsThenUserSpace) {
  World w;
  OrcWalk walk = w.walk(regs(kA + 5, w.s0));
  ASSERT_EQ(walk.frames.size(), 4u) << describe(walk.status);
  EXPECT_TRUE(walk.status.complete());
  EXPECT_EQ(describe(walk.status), "complete: reached user space");
  EXPECT_EQ(walk.frames[0].pc, kA + 5);
  EXPECT_EQ(walk.frames[0].trust, FrameTrust::context);
  EXPECT_TRUE(walk.frames[0].exact_pc);
  EXPECT_EQ(walk.frames[1].pc, kB + 0x10);
  EXPECT_EQ(walk.frames[1].sp, w.s0 + 16);
  EXPECT_EQ(walk.frames[1].trust, FrameTrust::cfi);
  EXPECT_FALSE(walk.frames[1].exact_pc);
  EXPECT_EQ(walk.frames[1].stack, "task");
  EXPECT_EQ(walk.frames[2].pc, kC + 0x20);
  EXPECT_EQ(walk.frames[3].pc, 0x401000u);
  EXPECT_EQ(walk.frames[3].sp, 0x7ffe0000u);
  EXPECT_TRUE(walk.frames[3].user);
  EXPECT_EQ(walk.frames[3].stack, "user");
  EXPECT_EQ(walk.frames[3].registers.size(), kPtRegsCount);
}

TEST(KernelOrcWalk, EndOfStackEntry) {
  World w(entry61(0, kUndef, kCall, true));
  OrcWalk walk = w.walk(regs(kA + 5, w.s0));
  EXPECT_TRUE(walk.status.complete());
  EXPECT_EQ(describe(walk.status), "complete: the end-of-stack entry");
  EXPECT_EQ(walk.frames.size(), 3u);
}

TEST(KernelOrcWalk, UndefinedEntryStopsWithTheLastGoodSp) {
  World w(entry61(0, kUndef, kCall, false));
  OrcWalk walk = w.walk(regs(kA + 5, w.s0));
  EXPECT_FALSE(walk.status.complete());
  EXPECT_NE(describe(walk.status).find("undefined"), std::string::npos) << describe(walk.status);
  EXPECT_EQ(walk.frames.size(), 3u);
  EXPECT_EQ(walk.stop_sp, w.s0 + 16 + 24);  // where a scan continues
  EXPECT_EQ(walk.stop_region.kind, "task");
}

TEST(KernelOrcWalk, StackThatDoesNotGrowStops) {
  // B claims a frame of size 0: the caller's sp would be B's own, and the walk would go nowhere.
  World w(entry61(0, kSp, kRegs), entry61(0, kSp, kCall));
  OrcWalk walk = w.walk(regs(kA + 5, w.s0));
  EXPECT_FALSE(walk.status.complete());
  EXPECT_NE(describe(walk.status).find("does not grow"), std::string::npos) << describe(walk.status);
  EXPECT_EQ(walk.frames.size(), 2u);
  World down(entry61(0, kSp, kRegs), entry61(-8, kSp, kCall));
  walk = down.walk(regs(kA + 5, down.s0));
  EXPECT_FALSE(walk.status.complete());
  EXPECT_EQ(walk.frames.size(), 2u) << describe(walk.status);
}

TEST(KernelOrcWalk, CallFrameCannotLeaveItsStack) {
  World w(entry61(0, kSp, kRegs), entry61(0x4000, kSp, kCall));
  OrcWalk walk = w.walk(regs(kA + 5, w.s0));
  EXPECT_FALSE(walk.status.complete());
  EXPECT_EQ(walk.frames.size(), 2u);
  EXPECT_NE(describe(walk.status).find("cannot read the return address"), std::string::npos) << describe(walk.status);
}

TEST(KernelOrcWalk, SelfReferentialStackIsCapped) {
  // Every word of the stack returns into A, whose frame is 16 bytes: the walk could climb all
  // 1,024 frames of the stack; the frame cap stops it first.
  World w;
  for (std::uint64_t a = kTask; a < kTask + 16384; a += 8) w.mem.put64(a, kA + 1);
  OrcWalk walk = w.walk(regs(kA + 5, kTask), OrcWalkLimits{100, 6, {}});
  EXPECT_EQ(walk.frames.size(), 100u);
  EXPECT_FALSE(walk.status.complete());
  EXPECT_EQ(describe(walk.status), "stopped after 100 frames");
  walk = w.walk(regs(kA + 5, kTask));  // the default cap, 256: the stack's own end comes later
  EXPECT_EQ(walk.frames.size(), 256u);
}

TEST(KernelOrcWalk, CancelledWalkStopsAtItsStart) {
  // The front end's cancel question is asked once as the walk starts: no caller is looked for.
  World w;
  int asked = 0;
  OrcWalk walk = w.walk(regs(kA + 5, w.s0), OrcWalkLimits{256, 6, [&] { return ++asked, false; }});
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(walk.status.reason, StopReason::cancelled);
  EXPECT_EQ(describe(walk.status), "cancelled");
  ASSERT_EQ(walk.frames.size(), 1u);
  EXPECT_EQ(walk.frames[0].pc, kA + 5);
  // Going on, the walk is the one nobody asked about.
  walk = w.walk(regs(kA + 5, w.s0), OrcWalkLimits{256, 6, [] { return true; }});
  EXPECT_EQ(describe(walk.status), "complete: reached user space");
  EXPECT_EQ(walk.frames.size(), 4u);
}

TEST(KernelOrcWalk, IrqStackToTaskStackOnce) {
  // A runs on the IRQ stack, called through call_on_stack(): the task sp saved at the IRQ stack's
  // top. A's entry: sp_reg SP_INDIRECT, offset 8 (6.1: caller sp = *(sp) + 8).
  World w;
  w.finder.emplace(w.mem, write_table(w.mem, {{kA, entry61(8, kSpIndirect, kCall)},
                                              {kB, entry61(24, kSp, kCall)},
                                              {kC, entry61(0, kSp, kRegs)},
                                              {kEnd, entry61(0, kUndef, kCall)}}));
  std::uint64_t irq_sp = kIrq + 16384 - 8;
  w.mem.put64(irq_sp, w.s0 + 8);  // the saved task sp: A's "caller sp" is then s0 + 16
  OrcWalk walk = w.walk(regs(kA + 5, irq_sp));
  ASSERT_GE(walk.frames.size(), 3u) << describe(walk.status);
  EXPECT_EQ(walk.frames[0].stack, "IRQ");
  EXPECT_EQ(walk.frames[1].stack, "task");
  EXPECT_EQ(walk.frames[1].pc, kB + 0x10);
  EXPECT_TRUE(walk.status.complete()) << describe(walk.status);
  // The same switch back to a stack already left is refused.
  w.mem.put64(w.s0 + 8, kA + 1);
  w.mem.put64(w.s0 + 16, kIrq + 0x100);  // A's indirect slot now sends the walk back to the IRQ stack
  walk = w.walk(regs(kA + 5, irq_sp));
  EXPECT_FALSE(walk.status.complete());
  EXPECT_NE(describe(walk.status).find("already left"), std::string::npos) << describe(walk.status);
}

TEST(KernelOrcWalk, IretFrameGivesAnExactPc) {
  // C's entry is an iret frame (REGS_PARTIAL) into kernel code at exactly kB: the next lookup must
  // use kB itself, not kB - 1 (which is A's range and says "undefined" here).
  World w(entry61(0, kSp, kRegsPartial));
  w.finder.emplace(w.mem, write_table(w.mem, {{kA, entry61(16, kSp, kCall)},
                                              {kA + 0x10, entry61(0, kUndef, kCall)},
                                              {kB, entry61(24, kSp, kCall)},
                                              {kC, entry61(0, kSp, kRegsPartial)},
                                              {kEnd, entry61(0, kUndef, kCall, true)}}));
  std::uint64_t s2 = w.s0 + 16 + 24;
  w.mem.put64(s2, kB);         // iret frame: ip
  w.mem.put64(s2 + 8, 0x10);   // cs: kernel
  w.mem.put64(s2 + 24, s2 + 0x100);  // sp
  w.mem.put64(s2 + 0x100 + 16, kEnd + 8);  // B's return address from there, into the end entry
  OrcWalk walk = w.walk(regs(kA + 5, w.s0));
  ASSERT_GE(walk.frames.size(), 4u) << describe(walk.status);
  EXPECT_EQ(walk.frames[3].pc, kB);
  EXPECT_TRUE(walk.frames[3].exact_pc);
  EXPECT_EQ(walk.frames[3].registers.size(), 5u);  // only the iret frame is known
  EXPECT_EQ(walk.frames[4].pc, kEnd + 8);
  EXPECT_TRUE(walk.status.complete()) << describe(walk.status);
}

TEST(KernelOrcWalk, RegisterBasedSpNeedsFullRegs) {
  World w(entry61(0, kR10, kCall));
  OrcWalk walk = w.walk(regs(kA + 5, w.s0));
  EXPECT_FALSE(walk.status.complete());
  EXPECT_NE(describe(walk.status).find("needs r10"), std::string::npos) << describe(walk.status);
}

TEST(KernelOrcWalk, FrameZeroEdgeCases) {
  World w;
  // A call through NULL: the kernel's null entry (return address at sp).
  w.mem.put64(w.s0, kB + 0x10);
  OrcWalk walk = w.walk(regs(0, w.s0));
  ASSERT_GE(walk.frames.size(), 2u) << describe(walk.status);
  EXPECT_EQ(walk.frames[1].pc, kB + 0x10);
  // A CPU in user space: one frame, complete.
  walk = w.walk(regs(0x401000, 0x7ffe0000, 0x33));
  EXPECT_EQ(walk.frames.size(), 1u);
  EXPECT_TRUE(walk.status.complete());
  EXPECT_TRUE(walk.frames[0].user);
  // No registers: nothing.
  walk = w.walk(RegisterSet{});
  EXPECT_TRUE(walk.frames.empty());
  EXPECT_FALSE(walk.status.complete());
  // An sp on no known stack: its 16 KiB neighbourhood, called "unknown".
  walk = w.walk(regs(kA + 5, 0xffffc90000200000 + 0x100));
  EXPECT_EQ(walk.frames.at(0).stack, "unknown");
}

// The ORC tables of a World and a stand-in for the vmlinux's DWARF CFI: ENTRY for B's code.
class CfiFinder final : public OrcFinder {
 public:
  CfiFinder(const OrcFinder& orc, OrcEntry entry, bool first) : orc_(orc), entry_(entry), first_(first) {}
  std::optional<OrcEntry> find(std::uint64_t ip) const override { return orc_.find(ip); }
  OrcFlavor flavor() const override { return orc_.flavor(); }
  std::optional<OrcEntry> cfi(std::uint64_t ip) const override {
    return ip >= kB && ip < kC ? std::optional(entry_) : std::nullopt;
  }
  bool cfi_first() const override { return first_; }

 private:
  const OrcFinder& orc_;
  OrcEntry entry_;
  bool first_;
};
OrcEntry cfi_call(std::int16_t sp_offset) {
  return OrcEntry{sp_offset, 0, orc_reg::sp, orc_reg::undefined, OrcType::call, false};
}

TEST(KernelOrcWalk, TheVmlinuxCfiIsTheStrategyAfterOrc) {
  // B's ORC entry sends the walk off its stack: the CFI's (B's real frame, 24 bytes) takes over
  // from the same frame, and ORC goes on from there.
  World w(entry61(0, kSp, kRegs), entry61(0x4000, kSp, kCall));
  CfiFinder tables(*w.finder, cfi_call(24), false);
  OrcWalk walk = orc_walk(w.mem, tables, w.stacks, regs(kA + 5, w.s0));
  ASSERT_EQ(walk.frames.size(), 4u) << describe(walk.status);
  EXPECT_EQ(describe(walk.status), "complete: reached user space");
  EXPECT_EQ(walk.frames[0].origin, FrameOrigin::context);
  EXPECT_EQ(walk.frames[1].origin, FrameOrigin::orc);
  EXPECT_EQ(walk.frames[2].origin, FrameOrigin::vmlinux_cfi);  // C, found by B's CFI
  EXPECT_EQ(walk.frames[2].pc, kC + 0x20);
  EXPECT_EQ(walk.frames[2].trust, FrameTrust::cfi);
  EXPECT_EQ(walk.frames[3].origin, FrameOrigin::orc);
  EXPECT_TRUE(walk.used_dwarf_cfi);
  // Both wrong: the walk stops where they failed, saying why each did.
  CfiFinder wrong(*w.finder, cfi_call(0x4008), false);
  walk = orc_walk(w.mem, wrong, w.stacks, regs(kA + 5, w.s0));
  EXPECT_EQ(walk.frames.size(), 2u);
  EXPECT_EQ(walk.status.reason, StopReason::missing_memory);
  EXPECT_EQ(describe(walk.status), "cannot read the return address at " + hex(w.s0 + 16 + 0x4000 - 8) +
                                       "; cannot read the return address at " + hex(w.s0 + 16 + 0x4008 - 8));
  EXPECT_EQ(walk.stop_sp, w.s0 + 16);  // the failed steps moved nothing
}

TEST(KernelOrcWalk, CfiFirstAsksTheCfiBeforeOrc) {
  World w;
  CfiFinder tables(*w.finder, cfi_call(24), true);
  OrcWalk walk = orc_walk(w.mem, tables, w.stacks, regs(kA + 5, w.s0));
  ASSERT_EQ(walk.frames.size(), 4u) << describe(walk.status);
  EXPECT_EQ(walk.frames[1].origin, FrameOrigin::orc);          // A: no CFI, ORC's
  EXPECT_EQ(walk.frames[2].origin, FrameOrigin::vmlinux_cfi);  // B: the CFI's, though ORC has one
  // A wrong CFI first: ORC's entry from the same frame.
  CfiFinder wrong(*w.finder, cfi_call(0x4000), true);
  walk = orc_walk(w.mem, wrong, w.stacks, regs(kA + 5, w.s0));
  ASSERT_EQ(walk.frames.size(), 4u) << describe(walk.status);
  EXPECT_EQ(walk.frames[2].origin, FrameOrigin::orc);
  EXPECT_FALSE(walk.used_dwarf_cfi);
}

class FakeFallback final : public NoOrcFallback {
 public:
  std::uint64_t depth = 0x10;
  bool verified = true;
  std::optional<NoOrcFrame> caller_of(std::uint64_t, std::uint64_t sp) const override {
    return NoOrcFrame{sp + depth + 8, std::nullopt};
  }
  bool returns_from(std::uint64_t, std::uint64_t) const override { return verified; }
};

TEST(KernelOrcWalk, FrameZeroWithoutOrcUsesTheFallbackOnlyWithEvidence) {
  World w;
  constexpr std::uint64_t kNoOrc = kEnd + 0x100;  // after the terminator: "undefined"
  std::uint64_t sp = w.s0 - 0x18;  // 0x10 pushed, return address into A at s0 - 8
  w.mem.put64(sp + 0x10, kA + 0x8);
  FakeFallback fb;
  OrcWalk walk = w.walk(regs(kNoOrc, sp), {}, &fb);
  ASSERT_GE(walk.frames.size(), 2u) << describe(walk.status);
  EXPECT_TRUE(walk.frame0_without_orc);
  EXPECT_EQ(walk.frames[1].pc, kA + 0x8);
  EXPECT_EQ(walk.frames[1].sp, w.s0);
  EXPECT_TRUE(walk.status.complete()) << describe(walk.status);
  fb.verified = false;
  walk = w.walk(regs(kNoOrc, sp), {}, &fb);
  EXPECT_EQ(walk.frames.size(), 1u);
  EXPECT_NE(describe(walk.status).find("no return address that calls it"), std::string::npos) << describe(walk.status);
  walk = w.walk(regs(kNoOrc, sp));  // no fallback at all
  EXPECT_EQ(walk.frames.size(), 1u);
}

std::vector<std::uint8_t> code(std::initializer_list<std::uint8_t> b) { return b; }

TEST(KernelPrologue, DepthFromPushesAndSubs) {
  // push rbx; sub rsp,0xb0; lea rax,[rip]: the shape of __crash_kexec at crash_setup_regs.
  auto c = code({0x53, 0x48, 0x81, 0xec, 0xb0, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00, 0x90});
  auto d = stack_depth_at(c, 0x1000, 0x1000 + 15);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->depth, 0xb8u);
  EXPECT_FALSE(d->rbp_saved);
  EXPECT_EQ(stack_depth_at(c, 0x1000, 0x1000)->depth, 0u);
  EXPECT_EQ(stack_depth_at(c, 0x1000, 0x1001)->depth, 8u);
  EXPECT_FALSE(stack_depth_at(c, 0x1000, 0x1003));  // inside the sub
}

TEST(KernelPrologue, CodeAfterAnEpilogueIsAtTheBodysDepth) {
  // push rbx; sub rsp,0xb0; nop; add rsp,0xb0; pop rbx; ret; int3; mov [rsp+8],rbx; nop
  auto c = code({0x53, 0x48, 0x81, 0xec, 0xb0, 0x00, 0x00, 0x00, 0x90, 0x48, 0x81, 0xc4, 0xb0, 0x00, 0x00, 0x00, 0x5b,
                 0xc3, 0xcc, 0x48, 0x89, 0x5c, 0x24, 0x08, 0x90});
  auto d = stack_depth_at(c, 0x1000, 0x1000 + 24);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->depth, 0xb8u);
  // push rbp; push rbx: rbp saved at depth 8.
  auto f = code({0x55, 0x53, 0x90});
  d = stack_depth_at(f, 0x1000, 0x1002);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->depth, 16u);
  EXPECT_EQ(d->rbp_saved, 8u);
}

TEST(KernelPrologue, NoGuessWhenRspIsComputed) {
  EXPECT_FALSE(stack_depth_at(code({0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xe4, 0xf0, 0x90}), 0x1000, 0x1008));  // and rsp,-16
  EXPECT_FALSE(stack_depth_at(code({0x48, 0x89, 0xec, 0x90}), 0x1000, 0x1003));  // mov rsp,rbp
  EXPECT_FALSE(stack_depth_at(code({0x5b, 0x90}), 0x1000, 0x1001));              // pops more than pushed
  EXPECT_FALSE(stack_depth_at(code({0x90}), 0x1000, 0x1005));                    // pc past the code
}

}  // namespace
}  // namespace corelens

namespace corelens {
namespace {

TEST(KernelTaskState, PsLetters) {
  // __state bits (6.1): 0 running, 1 interruptible, 2 uninterruptible, 0x402 idle (uninterruptible
  // + noload), 4 stopped, 8 traced, 0x40 parked; exit_state 0x10 dead, 0x20 zombie.
  EXPECT_EQ(task_state_char(0, 0), 'R');
  EXPECT_EQ(task_state_char(1, 0), 'S');
  EXPECT_EQ(task_state_char(2, 0), 'D');
  EXPECT_EQ(task_state_char(0x402, 0), 'I');
  EXPECT_EQ(task_state_char(4, 0), 'T');
  EXPECT_EQ(task_state_char(8, 0), 't');
  EXPECT_EQ(task_state_char(0, 0x20), 'Z');
  EXPECT_EQ(task_state_char(0, 0x10), 'X');
  EXPECT_EQ(task_state_char(0x40, 0), 'P');
  EXPECT_EQ(task_state_char(0x1000 | 2, 0), 'D');  // waiting on an rtlock
  EXPECT_EQ(task_state_char(0xffffffffu, 0xffffffffu), 'D');  // garbage stays a letter (the rtlock bit wins)
}

}  // namespace
}  // namespace corelens
