// Unit tests of pointer_origin.cpp on hand-assembled functions: the base register of a faulting
// access is followed back through loads, moves, lea and add to the place a (fake) DWARF
// resolver names, only on the straight-line path, and only when the dump's memory agrees.
#include <gtest/gtest.h>


#include "core/analysis/pointer_origin.hpp"
#include "core/model/strings.hpp"
#include "tests/analysis/fake_memory.hpp"

namespace corelens {
namespace {

// A function at 0x1000, padded with int3 to the fake resolver's range.
class CodeMemory final : public MemorySource {
 public:
  void code(std::vector<unsigned char> bytes) {
    bytes.resize(0x100, 0xcc);
    mem.put(0x1000, bytes);
  }
  void put(std::uint64_t addr, const std::vector<unsigned char>& bytes) { mem.put(addr, bytes); }
  void put64(std::uint64_t addr, std::uint64_t v) { mem.put64(addr, v); }
  Result<void> read(std::uint64_t addr, std::span<std::byte> out) const override { return mem.read(addr, out); }
  testing::FakeMemory mem;
};

// Names only the roots it was told about; says what it was asked in the name, so the tests can
// check the chain of offsets: pointer "root[d1,d2]", member "offset".
class FakeVariables final : public VariableResolver {
 public:
  std::pair<std::uint64_t, std::uint64_t> range{0x1000, 0x1100};
  std::optional<std::uint64_t> named_address;
  std::string named_register;
  std::uint64_t named_register_pc = 0;
  mutable int queries = 0;

  std::optional<std::pair<std::uint64_t, std::uint64_t>> function_range(std::uint64_t) const override { return range; }
  std::optional<NamedAccess> name_access(const PointerOrigin& o, std::optional<std::int64_t> offset) const override {
    ++queries;
    std::string root;
    if (o.address && named_address && *o.address == *named_address) root = "slot";
    if (!o.reg.empty() && o.reg == named_register && o.pc == named_register_pc) root = o.reg;
    if (root.empty()) return std::nullopt;
    std::string chain;
    for (auto d : o.derefs) chain += (chain.empty() ? "" : ",") + std::to_string(d);
    NamedAccess n;
    n.pointer = root + "[" + chain + "]";
    n.member = offset ? std::to_string(*offset) : "none";
    return n;
  }
};

Register reg(const char* name, std::uint64_t v) { return Register{name, v}; }

struct Bench {
  CodeMemory memory;
  FakeVariables variables;
  std::vector<Register> regs;
  std::unique_ptr<Disassembler> dis = std::move(*make_disassembler(Arch::x86_64));
  std::optional<PointerName> run(std::uint64_t pc, const char* base, std::optional<std::int64_t> disp) {
    return name_pointer(pc, base, disp, regs, memory, *dis, variables);
  }
};

// mov rax, [rbp-0x18]; mov rax, [rax+8]; mov eax, [rax+4] (faults): pkt->hdr->len at -O0.
void chain_through_slot(Bench& s) {
  s.memory.code({0x48, 0x8b, 0x45, 0xe8, 0x48, 0x8b, 0x40, 0x08, 0x8b, 0x40, 0x04, 0xc3});
  s.regs = {reg("rax", 0), reg("rbp", 0x7000), reg("rip", 0x1008)};
  s.memory.put64(0x7000 - 0x18, 0x5000);  // the variable: a pointer to a struct at 0x5000
  s.memory.put64(0x5008, 0);              // its member at +8: the NULL that was loaded into rax
  s.variables.named_address = 0x7000 - 0x18;
}

TEST(PointerOrigin, FollowsLoadsBackToAStackSlot) {
  Bench s;
  chain_through_slot(s);
  auto n = s.run(0x1008, "rax", 4);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->variable, "slot[8]");
  EXPECT_EQ(n->member, "slot[8]->4");
  EXPECT_TRUE(n->traced);
}

TEST(PointerOrigin, NothingWhenTheDumpDisagrees) {
  Bench s;
  chain_through_slot(s);
  s.memory.put64(0x5008, 0x1234);  // the member no longer holds what rax holds
  EXPECT_FALSE(s.run(0x1008, "rax", 4).has_value());
}

TEST(PointerOrigin, NothingWhenABranchLandsInBetween) {
  Bench s;
  // je 0x1006; mov rax, [rbp-0x18]; mov eax, [rax+4]: the fault is also reached from the je.
  s.memory.code({0x74, 0x04, 0x48, 0x8b, 0x45, 0xe8, 0x8b, 0x40, 0x04, 0xc3});
  s.regs = {reg("rax", 0), reg("rbp", 0x7000)};
  s.memory.put64(0x7000 - 0x18, 0);
  s.variables.named_address = 0x7000 - 0x18;
  EXPECT_FALSE(s.run(0x1006, "rax", 4).has_value());
  s.memory.put(0x1000, {0x66, 0x90});  // the same with a nop in place of the je
  auto n = s.run(0x1006, "rax", 4);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->member, "slot[]->4");
}

TEST(PointerOrigin, NothingAcrossACall) {
  Bench s;
  // mov rax, [rbp-0x18]; call far away; mov eax, [rax+4]: rax is the call's result.
  s.memory.code({0x48, 0x8b, 0x45, 0xe8, 0xe8, 0xf2, 0x0f, 0x00, 0x00, 0x8b, 0x40, 0x04, 0xc3});
  s.regs = {reg("rax", 0), reg("rbp", 0x7000)};
  s.memory.put64(0x7000 - 0x18, 0);
  s.variables.named_address = 0x7000 - 0x18;
  EXPECT_FALSE(s.run(0x1009, "rax", 4).has_value());
}

TEST(PointerOrigin, LeaAndAddMoveTheOffset) {
  Bench s;
  // lea rax, [rdx+0x10]; add rax, 8; mov eax, [rax+4]: rdx names the variable at 0x1000.
  s.memory.code({0x48, 0x8d, 0x42, 0x10, 0x48, 0x83, 0xc0, 0x08, 0x8b, 0x40, 0x04, 0xc3});
  s.regs = {reg("rax", 0x18), reg("rdx", 0)};
  s.variables.named_register = "rdx";
  s.variables.named_register_pc = 0x1000;
  auto n = s.run(0x1008, "rax", 4);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->variable, "rdx[]");
  EXPECT_EQ(n->member, "rdx[]->28");  // 0x10 + 8 + 4
}

TEST(PointerOrigin, GlobalThroughRipRelativeLoad) {
  Bench s;
  // mov rax, [rip+0x100]; mov eax, [rax+4]: the global is at 0x1007 + 0x100.
  s.memory.code({0x48, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00, 0x8b, 0x40, 0x04, 0xc3});
  s.memory.put64(0x1107, 0);
  s.regs = {reg("rax", 0)};
  s.variables.named_address = 0x1107;
  auto n = s.run(0x1007, "rax", 4);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->variable, "slot[]");
}

TEST(PointerOrigin, RegisterNamedAtThePcNeedsNoCode) {
  Bench s;  // no code in memory at all
  s.regs = {reg("rdi", 0)};
  s.variables.named_register = "rdi";
  s.variables.named_register_pc = 0x1234;
  auto n = s.run(0x1234, "rdi", 8);
  ASSERT_TRUE(n.has_value());
  EXPECT_FALSE(n->traced);
  EXPECT_EQ(n->member, "rdi[]->8");
}

TEST(PointerOrigin, Expressions) {
  EXPECT_EQ(member_expression("h", "len"), "h->len");
  EXPECT_EQ(member_expression("p", "[3]"), "p[3]");
  EXPECT_EQ(member_expression("p", ""), "*p");
  EXPECT_EQ(member_expression("*pp", "len"), "(*pp)->len");
  EXPECT_EQ(member_expression("h", "next", true), "h.next");
  FaultExplanation f;
  EXPECT_EQ(accessed_expression(f), "");
  f.variable = "p";
  EXPECT_EQ(accessed_expression(f), "*p");
  f.displacement = 8;
  EXPECT_EQ(accessed_expression(f), "p");
  f.member = "p->len";
  EXPECT_EQ(accessed_expression(f), "p->len");
}

}  // namespace
}  // namespace corelens
