// The pieces of the fault classes that real cores cannot corner: the runtime checks' names in
// every spelling, a PLT call resolved through a synthetic module's dynamic relocations (and the
// same module damaged), and the tainted-value rule on hand-assembled x86_64 code.
#include <gtest/gtest.h>

#include "core/analysis/control_flow.hpp"
#include "core/analysis/plt_calls.hpp"
#include "core/analysis/runtime_checks.hpp"
#include "tests/analysis/fake_memory.hpp"

namespace corelens::testing {
namespace {

TEST(RuntimeCheckNames, EverySpellingOfEachCheck) {
  EXPECT_EQ(runtime_check_of("__stack_chk_fail"), RuntimeCheck::stack_protector);
  EXPECT_EQ(runtime_check_of("__stack_chk_fail_local"), RuntimeCheck::stack_protector);
  EXPECT_EQ(runtime_check_of("__stack_chk_fail@plt"), RuntimeCheck::stack_protector);
  EXPECT_EQ(runtime_check_of("__strcpy_chk"), RuntimeCheck::fortify);
  EXPECT_EQ(runtime_check_of("__memcpy_chk@@GLIBC_2.3.4"), RuntimeCheck::fortify);
  EXPECT_EQ(runtime_check_of("__longjmp_chk"), RuntimeCheck::fortify);
  EXPECT_EQ(runtime_check_of("__chk_fail"), RuntimeCheck::fortify);
  EXPECT_EQ(runtime_check_of("__fortify_fail"), RuntimeCheck::fortify);
  EXPECT_EQ(runtime_check_of("__assert_fail"), RuntimeCheck::assertion);
  EXPECT_EQ(runtime_check_of("__GI___assert_fail"), RuntimeCheck::assertion);
  EXPECT_EQ(runtime_check_of("free"), RuntimeCheck::heap);
  EXPECT_EQ(runtime_check_of("__libc_free"), RuntimeCheck::heap);
  EXPECT_EQ(runtime_check_of("__GI___libc_free"), RuntimeCheck::heap);
  EXPECT_EQ(runtime_check_of("__GI_abort"), RuntimeCheck::abort);
  EXPECT_EQ(runtime_check_of("malloc_printerr"), RuntimeCheck::heap);
  EXPECT_EQ(runtime_check_of("_ZdlPvm"), RuntimeCheck::heap);
  EXPECT_EQ(runtime_check_of("operator delete(void*, unsigned long)"), RuntimeCheck::heap);
  EXPECT_EQ(runtime_check_of("abort"), RuntimeCheck::abort);
  EXPECT_EQ(runtime_check_of("abort@plt"), RuntimeCheck::abort);
  // Near misses are not checks.
  EXPECT_EQ(runtime_check_of("__stack_chk_guard"), RuntimeCheck::none);
  EXPECT_EQ(runtime_check_of("my_chk"), RuntimeCheck::none);
  EXPECT_EQ(runtime_check_of("__chk"), RuntimeCheck::none);
  EXPECT_EQ(runtime_check_of("free_list"), RuntimeCheck::none);
  EXPECT_EQ(runtime_check_of(""), RuntimeCheck::none);
}

// A little x86_64 executable at 0x400000 (load bias 0): ELF and one program header (PT_DYNAMIC),
// .dynamic at 0x403000, .dynsym at 0x401000, .dynstr at 0x402000, .rela.plt at 0x401800 with one
// JUMP_SLOT for __stack_chk_fail at GOT slot 0x404018, its PLT entry at 0x400100 (jmp [rip+..])
// and a call to it at 0x400200.
constexpr std::uint64_t kBase = 0x400000, kDynamic = 0x403000, kSymtab = 0x401000, kStrtab = 0x402000,
                        kRela = 0x401800, kSlot = 0x404018, kPlt = 0x400100, kCall = 0x400200;

struct Synthetic {
  FakeMemory memory;
  ProcessDump dump;
};

Synthetic synthetic_module() {
  Synthetic s;
  s.dump.arch = Arch::x86_64;
  Module m;
  m.path = "/synthetic/prog";
  m.start = kBase;
  m.end = 0x405000;
  m.is_main_executable = true;
  s.dump.modules.push_back(m);
  FakeMemory& mem = s.memory;
  mem.zero(kBase, 0x40);
  mem.put(kBase, {0x7f, 'E', 'L', 'F', 2, 1, 1});
  mem.put64(kBase + 0x20, 0x40);             // e_phoff
  mem.put(kBase + 0x36, {56, 0, 1, 0});      // e_phentsize 56, e_phnum 1
  mem.zero(kBase + 0x40, 56);
  mem.put32(kBase + 0x40, 2);                // PT_DYNAMIC
  mem.put64(kBase + 0x40 + 0x10, kDynamic);  // p_vaddr
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> dyn = {
      {6, kSymtab}, {5, kStrtab}, {10, 32}, {23, kRela}, {2, 24}, {20, 7}, {0, 0}};
  for (std::size_t i = 0; i < dyn.size(); ++i) {
    mem.put64(kDynamic + 16 * i, dyn[i].first);
    mem.put64(kDynamic + 16 * i + 8, dyn[i].second);
  }
  mem.zero(kSymtab, 48);
  mem.put32(kSymtab + 24, 1);  // symbol 1's st_name
  mem.put(kStrtab, {0});
  mem.put_string(kStrtab + 1, "__stack_chk_fail");
  mem.put64(kRela, kSlot);
  mem.put64(kRela + 8, (std::uint64_t{1} << 32) | 7);  // R_X86_64_JUMP_SLOT, symbol 1
  mem.put64(kRela + 16, 0);
  // jmp qword ptr [rip + (kSlot - (kPlt + 6))]; push 0; jmp PLT0
  std::uint32_t disp = static_cast<std::uint32_t>(kSlot - (kPlt + 6));
  mem.put(kPlt, {0xff, 0x25});
  mem.put32(kPlt + 2, disp);
  mem.put(kPlt + 6, {0x68, 0, 0, 0, 0, 0xe9, 0, 0, 0, 0});
  // call kPlt, then a nop where the caller would go on.
  std::uint32_t rel = static_cast<std::uint32_t>(kPlt - (kCall + 5));
  mem.put(kCall - 16, std::vector<unsigned char>(16, 0x90));
  mem.put(kCall, {0xe8});
  mem.put32(kCall + 1, rel);
  mem.put(kCall + 5, {0x90, 0x90, 0x90, 0x90});
  return s;
}

TEST(PltCalls, NamesTheImportACallerCalledThroughItsPlt) {
  Synthetic s = synthetic_module();
  auto dis = make_disassembler(Arch::x86_64);
  ASSERT_TRUE(dis);
  auto import = import_called_before(s.memory, s.dump, **dis, kCall + 5);
  ASSERT_TRUE(import.has_value());
  EXPECT_EQ(import->name, "__stack_chk_fail");
  EXPECT_EQ(import->call_site, kCall);
  EXPECT_EQ(import->slot, kSlot);
  // A return address that follows no call names nothing.
  EXPECT_FALSE(import_called_before(s.memory, s.dump, **dis, kCall + 7).has_value());
}

TEST(PltCalls, DamagedTablesNameNothingAndStayBounded) {
  auto dis = make_disassembler(Arch::x86_64);
  ASSERT_TRUE(dis);
  {
    Synthetic s = synthetic_module();
    s.memory.put64(kRela + 8, (std::uint64_t{0xffffff} << 32) | 7);  // a symbol index far past .dynsym
    EXPECT_FALSE(import_called_before(s.memory, s.dump, **dis, kCall + 5).has_value());
  }
  {
    Synthetic s = synthetic_module();
    s.memory.put32(kSymtab + 24, 1000);  // st_name past DT_STRSZ
    EXPECT_FALSE(import_called_before(s.memory, s.dump, **dis, kCall + 5).has_value());
  }
  {
    Synthetic s = synthetic_module();
    // DT_PLTRELSZ: all of memory, and the slot in none of the entries there are: the search
    // stops at the first unreadable entry.
    s.memory.put64(kDynamic + 16 * 4 + 8, ~std::uint64_t{0});
    s.memory.put64(kRela, kSlot + 8);
    EXPECT_FALSE(import_called_before(s.memory, s.dump, **dis, kCall + 5).has_value());
  }
  {
    Synthetic s = synthetic_module();
    s.memory.put(kBase, {0x7f, 'E', 'L', 'G'});  // not an ELF header
    EXPECT_FALSE(import_called_before(s.memory, s.dump, **dis, kCall + 5).has_value());
  }
}

DecodedInstruction decode_first(const Disassembler& dis, const FakeMemory& mem, std::uint64_t at) {
  std::vector<std::byte> code(4);
  EXPECT_TRUE(mem.read(at, code));
  auto insn = dis.decode(code, at);
  EXPECT_TRUE(insn.has_value());
  return insn ? *insn : DecodedInstruction{};
}

TEST(TaintedRead, FollowsTheLoadedRegisterToACall) {
  auto dis = make_disassembler(Arch::x86_64);
  ASSERT_TRUE(dis);
  FakeMemory mem;
  // mov rdx, [rdx + rax]; mov eax, [rbp - 0xc]; mov edi, eax; call rdx  (gcc -O0)
  mem.put(0x1000, {0x48, 0x8b, 0x14, 0x02, 0x8b, 0x45, 0xf4, 0x89, 0xc7, 0xff, 0xd2, 0x90, 0x90, 0x90, 0x90, 0x90,
                   0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90});
  auto flow = classify_tainted_read(mem, **dis, decode_first(**dis, mem, 0x1000));
  ASSERT_TRUE(flow.has_value());
  EXPECT_EQ(flow->kind, FlowClass::tainted_call);
}

TEST(TaintedRead, AValueOverwrittenBeforeItsUseIsNotTainted) {
  auto dis = make_disassembler(Arch::x86_64);
  ASSERT_TRUE(dis);
  FakeMemory mem;
  // mov rdx, [rdx + rax]; mov edx, 5; call rdx
  mem.put(0x1000, {0x48, 0x8b, 0x14, 0x02, 0xba, 0x05, 0x00, 0x00, 0x00, 0xff, 0xd2, 0x90, 0x90, 0x90, 0x90, 0x90,
                   0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90});
  EXPECT_FALSE(classify_tainted_read(mem, **dis, decode_first(**dis, mem, 0x1000)).has_value());
}

TEST(TaintedRead, FollowsACopyToAWriteAddress) {
  auto dis = make_disassembler(Arch::x86_64);
  ASSERT_TRUE(dis);
  FakeMemory mem;
  // mov rax, [rdx + rax]; mov rcx, rax; mov qword ptr [rcx + 8], rdx
  mem.put(0x1000, {0x48, 0x8b, 0x04, 0x02, 0x48, 0x89, 0xc1, 0x48, 0x89, 0x51, 0x08, 0x90, 0x90, 0x90, 0x90, 0x90,
                   0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90});
  auto flow = classify_tainted_read(mem, **dis, decode_first(**dis, mem, 0x1000));
  ASSERT_TRUE(flow.has_value());
  EXPECT_EQ(flow->kind, FlowClass::tainted_write);
}

}  // namespace
}  // namespace corelens::testing
