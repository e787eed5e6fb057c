// The fallback rules of every backend (unwinder/unwind_rules.hpp) and arm's EHABI interpreter
// (unwinder/arm_exidx.hpp) on a fake Target: bytes at addresses, some of them executable code
// with real call instructions, so that each rule and each refusal is exercised alone,
// including tables and chains a damaged or hostile dump would hold.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <utility>

#include "tests/support/elf_writer.hpp"
#include "unwinder/arm_exidx.hpp"
#include "unwinder/call_site_check.hpp"
#include "unwinder/unwind_rules.hpp"

namespace corelens {
namespace {

// Memory as a few byte ranges; the ones marked code are executable.
class FakeTarget final : public Target {
 public:
  explicit FakeTarget(Arch arch) : arch_(arch) {}
  void put(std::uint64_t addr, std::vector<std::uint8_t> bytes, bool code = false) {
    ranges_[addr] = Range{std::move(bytes), code};
  }
  void word(std::uint64_t addr, std::uint64_t v) {
    unsigned n = pointer_size(arch_);
    std::vector<std::uint8_t> b(n);
    for (unsigned i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
    auto it = find(addr, n);
    if (it != nullptr) {
      std::memcpy(it->bytes.data() + (addr - start_of(addr)), b.data(), n);
    } else {
      put(addr, b);
    }
  }
  Arch arch() const override { return arch_; }
  Result<void> read_memory(std::uint64_t addr, std::span<std::byte> out) const override {
    const Range* r = find(addr, out.size());
    if (r == nullptr) return fail(ErrorCode::not_mapped, "not mapped", addr);
    std::memcpy(out.data(), r->bytes.data() + (addr - start_of(addr)), out.size());
    return {};
  }
  std::size_t thread_count() const override { return 0; }
  std::int32_t thread_id(std::size_t) const override { return 0; }
  const RegisterSet& initial_registers(std::size_t) const override { return none_; }
  const std::vector<Module>& modules() const override { return modules_; }
  bool is_executable(std::uint64_t addr) const override {
    const Range* r = find(addr, 1);
    return r != nullptr && r->code;
  }
  std::optional<std::uint64_t> entry_point() const override { return entry; }
  // Code the dump did not save: executable, but its bytes cannot be read.
  Result<void> read_code(std::uint64_t addr, std::span<std::byte> out) const override {
    if (unsaved_code && addr >= unsaved_code->first && addr < unsaved_code->second) return fail(ErrorCode::not_mapped, "not saved", addr);
    return read_memory(addr, out);
  }
  std::vector<Module> modules_;
  std::optional<std::uint64_t> entry;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> unsaved_code;

 private:
  struct Range {
    std::vector<std::uint8_t> bytes;
    bool code = false;
  };
  std::uint64_t start_of(std::uint64_t addr) const { return std::prev(ranges_.upper_bound(addr))->first; }
  const Range* find(std::uint64_t addr, std::size_t n) const {
    auto it = ranges_.upper_bound(addr);
    if (it == ranges_.begin()) return nullptr;
    --it;
    if (addr - it->first + n > it->second.bytes.size()) return nullptr;
    return &it->second;
  }
  Range* find(std::uint64_t addr, std::size_t n) { return const_cast<Range*>(std::as_const(*this).find(addr, n)); }
  Arch arch_;
  std::map<std::uint64_t, Range> ranges_;
  RegisterSet none_;
};

std::vector<std::uint8_t> le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}
// aarch64 "bl" from AT to TARGET; "nop" elsewhere.
std::uint32_t a64_bl(std::uint64_t at, std::uint64_t target) {
  return 0x94000000u | (static_cast<std::uint32_t>((target - at) >> 2) & 0x03ffffffu);
}
constexpr std::uint32_t kA64Nop = 0xd503201f;

RawFrame frame0(std::uint64_t pc, std::uint64_t sp) {
  RawFrame f;
  f.pc = pc;
  f.sp = sp;
  f.is_activation = true;
  return f;
}

// aarch64 code: caller at 0x1000 calls the leaf at 0x2000 (bl at 0x1008, returning to 0x100c);
// an outer function at 0x3000 calls the caller (bl at 0x3010, returning to 0x3014).
FakeTarget aarch64_code() {
  FakeTarget t(Arch::aarch64);
  std::vector<std::uint8_t> code;
  for (std::uint64_t a = 0x1000; a < 0x4000; a += 4) {
    std::uint32_t insn = kA64Nop;
    if (a == 0x1008) insn = a64_bl(a, 0x2000);
    if (a == 0x3010) insn = a64_bl(a, 0x1000);
    auto w = le32(insn);
    code.insert(code.end(), w.begin(), w.end());
  }
  t.put(0x1000, code, true);
  t.put(0x80000, std::vector<std::uint8_t>(0x1000, 0));  // the stack
  return t;
}

TEST(UnwindRules, Aarch64LeafCallerIsTheLinkRegisterWhenItsCallCallsTheLeaf) {
  FakeTarget t = aarch64_code();
  CallSiteCheck check(Arch::aarch64);
  FallbackRegisters regs;
  regs.lr = 0x100c;
  regs.function_start = [](std::uint64_t pc) -> std::optional<std::uint64_t> { return pc & ~std::uint64_t{0xfff}; };
  FallbackResult r = recover_caller(t, check, frame0(0x2010, 0x80100), regs, false);
  ASSERT_TRUE(r.caller);
  EXPECT_EQ(r.caller->pc, 0x100cu);
  EXPECT_EQ(r.caller->trust, FrameTrust::frame_pointer);
  EXPECT_FALSE(r.exact_sp);  // a leaf may have moved sp: CFI on top of it must be checked
  // The same lr in a function that is not the callee of that call: its own call site, no caller.
  FallbackResult own = recover_caller(t, check, frame0(0x3020, 0x80100), regs, false);
  EXPECT_FALSE(own.caller && own.caller->pc == 0x100c);
}

TEST(UnwindRules, Aarch64FrameRecordAndTheStaleRecordItRefuses) {
  FakeTarget t = aarch64_code();
  CallSiteCheck check(Arch::aarch64);
  // Frame record at 0x80100: {caller x29 = 0x80200, x30 = 0x3014}.
  t.word(0x80100, 0x80200);
  t.word(0x80108, 0x3014);
  FallbackRegisters regs;
  regs.fp = 0x80100;
  FallbackResult r = recover_caller(t, check, frame0(0x1010, 0x800f0), regs, false);
  ASSERT_TRUE(r.caller);
  EXPECT_EQ(r.caller->pc, 0x3014u);
  EXPECT_EQ(r.caller->trust, FrameTrust::frame_pointer);
  EXPECT_EQ(r.caller_fp, 0x80200u);
  // A return address below the record (the callee saved x30 without a record of its own, code
  // without frame pointers): the record belongs further up, and following it would skip a frame.
  t.word(0x800f8, 0x100c);
  FallbackResult scanned = recover_caller(t, check, frame0(0x1010, 0x800f0), regs, false);
  ASSERT_TRUE(scanned.caller);
  EXPECT_EQ(scanned.caller->pc, 0x100cu);
  EXPECT_EQ(scanned.caller->trust, FrameTrust::scan);
}

TEST(UnwindRules, BadPcCallerIsTheLinkRegisterOnAarch64AndSpOnX86) {
  FakeTarget t = aarch64_code();
  CallSiteCheck check(Arch::aarch64);
  FallbackRegisters regs;
  regs.lr = 0x100c;
  FallbackResult r = recover_caller(t, check, frame0(0, 0x80100), regs, true);
  ASSERT_TRUE(r.caller);
  EXPECT_EQ(r.caller->pc, 0x100cu);
  EXPECT_EQ(r.caller->sp, 0x80100u);  // nothing was pushed
  EXPECT_EQ(r.caller->trust, FrameTrust::cfi);

  FakeTarget x(Arch::x86_64);
  // call rel32 at 0x1000 (5 bytes) returning to 0x1005, after nops (the check decodes up to 8
  // bytes before a return address).
  std::vector<std::uint8_t> x_code(16, 0x90);
  for (int b : {0xe8, 0x00, 0x10, 0x00, 0x00, 0x90, 0x90, 0x90}) x_code.push_back(static_cast<std::uint8_t>(b));
  x.put(0xff0, x_code, true);
  x.put(0x80000, std::vector<std::uint8_t>(0x100, 0));
  x.word(0x80010, 0x1005);
  CallSiteCheck x_check(Arch::x86_64);
  FallbackResult xr = recover_caller(x, x_check, frame0(0, 0x80010), FallbackRegisters{}, true);
  ASSERT_TRUE(xr.caller);
  EXPECT_EQ(xr.caller->pc, 0x1005u);
  EXPECT_EQ(xr.caller->sp, 0x80018u);
  EXPECT_EQ(xr.caller->origin, FrameOrigin::call_site);
  EXPECT_EQ(xr.caller->trust, FrameTrust::cfi);
  // The code before the return address was not saved: the same caller, found by the same
  // strategy, trusted no more than a scan.
  x.unsaved_code = std::pair<std::uint64_t, std::uint64_t>{0xff0, 0x1008};
  FallbackResult unsaved = recover_caller(x, x_check, frame0(0, 0x80010), FallbackRegisters{}, true);
  ASSERT_TRUE(unsaved.caller);
  EXPECT_EQ(unsaved.caller->pc, 0x1005u);
  EXPECT_TRUE(unsaved.caller->unverified);
  EXPECT_EQ(unsaved.caller->origin, FrameOrigin::call_site);
  EXPECT_EQ(unsaved.caller->trust, FrameTrust::scan);
}

TEST(UnwindRules, TheFallbacksInTheirOrder) {
  // The strategies of the user walk after its CFI engine (caller_strategy.hpp), each setting the
  // origin and trust of the callers it finds.
  std::vector<std::pair<FrameOrigin, FrameTrust>> order;
  for (const Fallback& f : fallbacks()) order.emplace_back(f.origin, f.trust);
  std::vector<std::pair<FrameOrigin, FrameTrust>> want = {
      {FrameOrigin::call_site, FrameTrust::cfi},          {FrameOrigin::exidx, FrameTrust::cfi},
      {FrameOrigin::prologue, FrameTrust::frame_pointer}, {FrameOrigin::link_register, FrameTrust::frame_pointer},
      {FrameOrigin::frame_pointer, FrameTrust::frame_pointer}, {FrameOrigin::scan, FrameTrust::scan}};
  EXPECT_EQ(order, want);
}

TEST(UnwindRules, Ppc64BackChainAndS390xScan) {
  // ppc64le: "bl" is 0x48000001 | offset; code at 0x1000 calls 0x2000 from 0x1008.
  FakeTarget p(Arch::ppc64le);
  std::vector<std::uint8_t> code;
  for (std::uint64_t a = 0x1000; a < 0x3000; a += 4) {
    std::uint32_t insn = 0x60000000;  // nop
    if (a == 0x1008) insn = 0x48000001u | static_cast<std::uint32_t>((0x2000 - a) & 0x03fffffc);
    auto w = le32(insn);
    code.insert(code.end(), w.begin(), w.end());
  }
  p.put(0x1000, code, true);
  p.put(0x80000, std::vector<std::uint8_t>(0x1000, 0));
  p.word(0x80100, 0x80200);  // back chain
  p.word(0x80210, 0x100c);   // the LR save slot of the caller's frame
  CallSiteCheck check(Arch::ppc64le);
  FallbackResult r = recover_caller(p, check, frame0(0x2010, 0x80100), FallbackRegisters{}, false);
  ASSERT_TRUE(r.caller);
  EXPECT_EQ(r.caller->pc, 0x100cu);
  EXPECT_EQ(r.caller->sp, 0x80200u);
  EXPECT_EQ(r.caller->trust, FrameTrust::frame_pointer);
  // A back chain pointing down the stack (or to itself) is no chain.
  p.word(0x80100, 0x80100);
  FallbackResult bad = recover_caller(p, check, frame0(0x2010, 0x80100), FallbackRegisters{}, false);
  EXPECT_TRUE(!bad.caller || bad.caller->trust == FrameTrust::scan);

  // s390x, big-endian: "brasl %r14, target" (c0 e5 + 32-bit halfword offset) at 0x1000,
  // returning to 0x1006. No chain: the return address is found by scanning.
  FakeTarget z(Arch::s390x);
  z.put(0x1000, {0xc0, 0xe5, 0x00, 0x00, 0x08, 0x00, 0x07, 0x07, 0x07, 0x07}, true);
  std::vector<std::uint8_t> stack(0x100, 0);
  stack[0x40 + 6] = 0x10;  // 0x1006 big-endian at 0x80040
  stack[0x40 + 7] = 0x06;
  z.put(0x80000, stack);
  CallSiteCheck z_check(Arch::s390x);
  FallbackResult zr = recover_caller(z, z_check, frame0(0x2000, 0x80000), FallbackRegisters{}, false);
  ASSERT_TRUE(zr.caller);
  EXPECT_EQ(zr.caller->pc, 0x1006u);
  EXPECT_EQ(zr.caller->trust, FrameTrust::scan);
}

// ---- EHABI ----------------------------------------------------------------------------------

// A bare ELF32 EM_ARM file whose only program header is PT_ARM_EXIDX at VADDR, SIZE bytes: what
// ArmExidx reads from a module's file (the table itself it reads through the Target).
std::string exidx_file(std::uint32_t vaddr, std::uint32_t size) {
  namespace ct = corelens::testing;
  ct::ByteWriter w({false, false, ct::elfc::EM_ARM});
  const ct::ElfSizes sizes = ct::elf_sizes(w.format());
  ct::put_ehdr(w, {.type = ct::elfc::ET_DYN, .phoff = sizes.ehdr, .phnum = 1});
  ct::put_phdr(w, sizes.ehdr, {.type = ct::elfc::PT_ARM_EXIDX, .vaddr = vaddr, .filesz = size, .memsz = size});
  const ct::Bytes b = w.take();
  std::string path = ::testing::TempDir() + "/corelens-exidx-" + std::to_string(::getpid()) + ".so";
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
  return path;
}

std::uint32_t prel31(std::uint32_t from, std::uint32_t to) { return (to - from) & 0x7fffffffu; }

// A module at 0x1000-0xa000 with functions at 0x1000, 0x1100 and 0x1200; its .ARM.exidx at
// 0x9000: 0x1000 inline "pop {r4, r14}"; 0x1100 EXIDX_CANTUNWIND; 0x1200 in .ARM.extab at 0x9100,
// compact model 1: "vsp = r7; pop {r7, r14}".
struct ArmModule {
  FakeTarget target{Arch::arm};
  std::vector<LocatedModule> located;
  ArmModule() {
    std::vector<std::uint8_t> table;
    auto add = [&](std::uint32_t w) { auto b = le32(w); table.insert(table.end(), b.begin(), b.end()); };
    add(prel31(0x9000, 0x1000));
    add(0x80a8b0b0);  // inline, personality 0: 0xa8 pop {r4, r14}, finish, finish
    add(prel31(0x9008, 0x1100));
    add(0x1);  // EXIDX_CANTUNWIND
    add(prel31(0x9010, 0x1200));
    add(prel31(0x9014, 0x9100));
    target.put(0x9000, table, false);
    std::vector<std::uint8_t> extab;
    auto add_x = [&](std::uint32_t w) { auto b = le32(w); extab.insert(extab.end(), b.begin(), b.end()); };
    add_x(0x81019784);  // index 1, one more word; 0x97 vsp = r7; 0x84 ...
    add_x(0x08b0b0b0);  // ... 0x08: pop {r7, r14}; finish
    target.put(0x9100, extab, false);
    target.put(0x1000, std::vector<std::uint8_t>(0x300, 0), true);
    target.put(0x80000, std::vector<std::uint8_t>(0x200, 0));
    Module m;
    m.path = "/lib/libtest.so";
    m.start = 0x1000;
    m.end = 0xa000;
    target.modules_.push_back(m);
    LocatedModule l;
    l.file = exidx_file(0x9000, 24);
    l.source = SymbolSource::file;
    located.push_back(l);
  }
  ~ArmModule() { std::remove(located.front().file.c_str()); }
};

TEST(ArmExidx, RunsTheOpcodesOfTheEntryForThePc) {
  ArmModule mod;
  ArmExidx exidx(mod.target, mod.located);
  ASSERT_EQ(exidx.table_count(), 1u);
  mod.target.word(0x80000, 0x4444);  // saved r4
  mod.target.word(0x80004, 0x1105);  // saved lr (a Thumb return address)
  ArmExidx::Registers r{};
  r[13] = 0x80000;
  r[15] = 0x1010;
  ArmExidx::Step s = exidx.step(r, 0x1010);
  ASSERT_EQ(s.outcome, ArmExidx::Outcome::caller);
  EXPECT_EQ(s.caller[15], 0x1105u);
  EXPECT_EQ(s.caller[13], 0x80008u);
  EXPECT_EQ(s.caller[4], 0x4444u);
  EXPECT_FALSE(s.caller[0]);  // caller-saved: unknown in the caller
  EXPECT_EQ(s.function_start, 0x1000u);
  EXPECT_EQ(s.function_end, 0x1100u);

  // .ARM.extab, compact model 1: vsp from r7, then pop {r7, lr}.
  mod.target.word(0x80100, 0x7777);
  mod.target.word(0x80104, 0x1011);
  r[7] = 0x80100;
  r[15] = 0x1210;
  s = exidx.step(r, 0x1210);
  ASSERT_EQ(s.outcome, ArmExidx::Outcome::caller);
  EXPECT_EQ(s.caller[7], 0x7777u);
  EXPECT_EQ(s.caller[15], 0x1011u);
  EXPECT_EQ(s.caller[13], 0x80108u);
  // vsp = r7 with r7 unknown: no caller, not a guess.
  r[7].reset();
  EXPECT_EQ(exidx.step(r, 0x1210).outcome, ArmExidx::Outcome::failed);

  EXPECT_EQ(exidx.step(r, 0x1110).outcome, ArmExidx::Outcome::cant_unwind);
  EXPECT_EQ(exidx.step(r, 0x0ff0).outcome, ArmExidx::Outcome::no_entry);  // outside the module
}

TEST(ArmExidx, CantUnwindEndsTheStackOnlyAtTheEntryPoint) {
  ArmModule mod;
  ArmExidx exidx(mod.target, mod.located);
  CallSiteCheck check(Arch::arm);
  FallbackRegisters regs;
  regs.exidx = &exidx;
  mod.target.entry = 0x1101;  // _start, Thumb
  FallbackResult end = recover_caller(mod.target, check, frame0(0x1110, 0x80000), regs, false);
  EXPECT_TRUE(end.outermost);
  mod.target.entry = 0x2000;  // elsewhere: EXIDX_CANTUNWIND only says "no tables here"
  FallbackResult other = recover_caller(mod.target, check, frame0(0x1110, 0x80000), regs, false);
  EXPECT_FALSE(other.outermost);
}

TEST(ArmExidx, HostileTablesFailWithoutReadingPastThem) {
  ArmModule mod;
  // The extab pointer of the third entry now points to unmapped memory; the first entry's
  // inline data uses personality 3 (undefined); the table claims more entries than it holds.
  mod.target.word(0x9014, prel31(0x9014, 0x7ffff000));
  mod.target.word(0x9004, 0x83000000);
  ArmExidx exidx(mod.target, mod.located);
  ArmExidx::Registers r{};
  r[13] = 0x80000;
  EXPECT_EQ(exidx.step(r, 0x1210).outcome, ArmExidx::Outcome::failed);
  EXPECT_EQ(exidx.step(r, 0x1010).outcome, ArmExidx::Outcome::failed);
  // "Refuse to unwind" (0x80 0x00), and the reserved "vsp = r13".
  mod.target.word(0x9004, 0x808000b0);
  EXPECT_EQ(exidx.step(r, 0x1010).outcome, ArmExidx::Outcome::failed);
  mod.target.word(0x9004, 0x809db0b0);
  EXPECT_EQ(exidx.step(r, 0x1010).outcome, ArmExidx::Outcome::failed);
}

}  // namespace
}  // namespace corelens
