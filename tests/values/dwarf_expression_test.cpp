// DWARF location expressions and location lists, on bytes written by hand: every operation the
// compilers emit, and damaged input (truncated operands, stack underflow, endless branches,
// unknown opcodes) that must end as an error, never a crash or a hang.
#include <dwarf.h>
#include <gtest/gtest.h>

#include "tests/values/fake_values.hpp"
#include "unwinder/values/dwarf_expression.hpp"
#include "unwinder/values/location_lists.hpp"

namespace corelens::values::testing {
namespace {

class Expressions : public ::testing::Test {
 protected:
  FakeMemory memory;
  FakeFrame frame{memory};
  ExpressionFormat format;

  Known<Location> eval(std::initializer_list<int> ops) { return evaluate_location(bytes(ops), format, frame); }
  LocationPiece only(const Known<Location>& l) {
    EXPECT_TRUE(l.has_value()) << (l ? "" : l.error().describe());
    if (!l || l->pieces.size() != 1) {
      ADD_FAILURE() << "not one piece";
      return {};
    }
    return l->pieces.front();
  }
};

TEST_F(Expressions, RegisterAndRegisterPlusOffset) {
  frame.registers[5] = 0x1000;
  auto r = only(eval({DW_OP_reg5}));
  EXPECT_EQ(r.kind, LocationPiece::Kind::reg);
  EXPECT_EQ(r.regno, 5u);
  auto m = only(eval({DW_OP_breg5, 0x10}));  // rdi + 16
  EXPECT_EQ(m.kind, LocationPiece::Kind::memory);
  EXPECT_EQ(m.address, 0x1010u);
  auto neg = only(eval({DW_OP_bregx, 5, 0x70}));  // rdi - 16 (sleb 0x70 = -16)
  EXPECT_EQ(neg.address, 0x0ff0u);
}

TEST_F(Expressions, AMissingRegisterSaysWhich) {
  auto l = eval({DW_OP_breg3, 0});
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().why, Unavailable::Why::register_not_recovered);
  EXPECT_EQ(l.error().describe(), "register not recovered (r3)");
}

TEST_F(Expressions, FrameBaseAndCfa) {
  frame.base = 0x7000;
  frame.call_frame_address = 0x8000;
  EXPECT_EQ(only(eval({DW_OP_fbreg, 0x6c})).address, 0x7000u - 20);  // sleb -20
  EXPECT_EQ(only(eval({DW_OP_call_frame_cfa})).address, 0x8000u);
}

TEST_F(Expressions, AddressesAreRelocated) {
  frame.load_bias = 0x555500000000;
  EXPECT_EQ(only(eval({DW_OP_addr, 0x10, 0x40, 0, 0, 0, 0, 0, 0})).address, 0x555500004010u);
  frame.addresses = {0x2000, 0x3000};
  EXPECT_EQ(only(eval({DW_OP_addrx, 1})).address, 0x555500003000u);
}

TEST_F(Expressions, StackValuesAndArithmetic) {
  frame.registers[0] = 7;
  auto v = only(eval({DW_OP_breg0, 0, DW_OP_lit3, DW_OP_mul, DW_OP_lit1, DW_OP_minus, DW_OP_stack_value}));
  EXPECT_EQ(v.kind, LocationPiece::Kind::value);
  EXPECT_EQ(v.value, 20u);
  EXPECT_EQ(only(eval({DW_OP_const1s, 0xfe, DW_OP_neg, DW_OP_stack_value})).value, 2u);
  EXPECT_EQ(only(eval({DW_OP_lit5, DW_OP_lit2, DW_OP_shl, DW_OP_lit3, DW_OP_xor, DW_OP_stack_value})).value, 23u);
  EXPECT_EQ(only(eval({DW_OP_const1s, 0xf0, DW_OP_lit2, DW_OP_shra, DW_OP_stack_value})).value, static_cast<std::uint64_t>(-4));
  EXPECT_EQ(only(eval({DW_OP_const1s, 0xf9, DW_OP_lit2, DW_OP_div, DW_OP_stack_value})).value, static_cast<std::uint64_t>(-3));
}

TEST_F(Expressions, DivisionByZeroIsAnError) {
  auto l = eval({DW_OP_lit1, DW_OP_lit0, DW_OP_div, DW_OP_stack_value});
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().why, Unavailable::Why::error);
}

TEST_F(Expressions, DerefReadsMemoryAndSaysWhereItFailed) {
  memory.put_value<std::uint64_t>(0x5000, 0x6000);
  frame.registers[7] = 0x5000;
  EXPECT_EQ(only(eval({DW_OP_breg7, 0, DW_OP_deref})).address, 0x6000u);
  memory.not_saved(0x9000, 0xa000);
  frame.registers[7] = 0x9000;
  auto l = eval({DW_OP_breg7, 0, DW_OP_deref});
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().why, Unavailable::Why::not_in_core);
  EXPECT_EQ(l.error().describe(), "not saved in the core (0x9000)");
}

TEST_F(Expressions, PiecesKeepTheirOrderAndHoles) {
  frame.registers[3] = 1;
  auto l = eval({DW_OP_reg3, DW_OP_piece, 4, DW_OP_piece, 4, DW_OP_lit7, DW_OP_stack_value, DW_OP_piece, 8});
  ASSERT_TRUE(l.has_value()) << l.error().describe();
  ASSERT_EQ(l->pieces.size(), 3u);
  EXPECT_EQ(l->pieces[0].kind, LocationPiece::Kind::reg);
  EXPECT_EQ(l->pieces[0].size_bits, 32u);
  EXPECT_EQ(l->pieces[1].kind, LocationPiece::Kind::optimized_out);
  EXPECT_EQ(l->pieces[2].kind, LocationPiece::Kind::value);
  EXPECT_EQ(l->pieces[2].value, 7u);
  auto bits = eval({DW_OP_reg3, DW_OP_bit_piece, 3, 5});
  ASSERT_TRUE(bits.has_value());
  EXPECT_EQ(bits->pieces[0].size_bits, 3u);
  EXPECT_EQ(bits->pieces[0].place_bit_offset, 5u);
}

TEST_F(Expressions, ImplicitValuesAndPointers) {
  auto v = only(eval({DW_OP_implicit_value, 4, 1, 2, 3, 4}));
  EXPECT_EQ(v.kind, LocationPiece::Kind::implicit);
  EXPECT_EQ(v.bytes.size(), 4u);
  format.offset_size = 4;
  auto p = only(eval({DW_OP_implicit_pointer, 0x34, 0x12, 0, 0, 8}));
  EXPECT_EQ(p.kind, LocationPiece::Kind::implicit_pointer);
  EXPECT_EQ(p.die, 0x1234u);
  EXPECT_EQ(p.offset, 8);
}

TEST_F(Expressions, EntryValuesComeFromTheFrame) {
  frame.entry = 41;
  auto l = eval({DW_OP_entry_value, 1, DW_OP_reg5, DW_OP_stack_value});
  ASSERT_TRUE(l.has_value());
  EXPECT_TRUE(l->used_entry_value);
  EXPECT_EQ(l->pieces[0].value, 41u);
  frame.entry.reset();
  auto lost = eval({DW_OP_entry_value, 1, DW_OP_reg5, DW_OP_stack_value});
  ASSERT_FALSE(lost.has_value());
  EXPECT_EQ(lost.error().why, Unavailable::Why::optimized_out);
}

TEST_F(Expressions, EmptyIsOptimizedOut) {
  auto p = only(eval({}));
  EXPECT_EQ(p.kind, LocationPiece::Kind::optimized_out);
}

TEST_F(Expressions, BranchesWork) {
  // if (1) push 10 else push 20
  // 0 lit1, 1 bra +4 (to 8), 4 lit20, 5 skip +1 (to 9), 8 lit10, 9 stack_value
  auto l = eval({DW_OP_lit1, DW_OP_bra, 4, 0, DW_OP_lit20, DW_OP_skip, 1, 0, DW_OP_lit10, DW_OP_stack_value});
  ASSERT_TRUE(l.has_value()) << l.error().describe();
  EXPECT_EQ(l->pieces[0].value, 10u);
}

TEST_F(Expressions, DamagedExpressionsAreErrors) {
  for (auto ops : std::vector<std::vector<int>>{
           {DW_OP_skip, 0xfd, 0xff},               // a branch to itself: loops until the step cap
           {DW_OP_plus},                           // stack underflow
           {DW_OP_const4u, 1, 2},                  // an operand past the end
           {0xee},                                 // an opcode nobody defines
           {DW_OP_reg1, DW_OP_lit1},               // a register location that does not end there
           {DW_OP_skip, 0x10, 0},                  // a branch past the end
           {DW_OP_pick, 9},                        // picking below the stack
           {DW_OP_implicit_value, 0x80, 0x80, 1},  // a block longer than the expression
           {DW_OP_GNU_push_tls_address},           // thread-local storage
       }) {
    std::vector<std::byte> b;
    for (int v : ops) b.push_back(static_cast<std::byte>(v));
    auto l = evaluate_location(b, format, frame);
    EXPECT_FALSE(l.has_value()) << opcode_name(static_cast<std::uint8_t>(ops[0]));
    if (!l) {
      EXPECT_EQ(l.error().why, Unavailable::Why::error);
    }
  }
}

TEST_F(Expressions, TheStackIsCapped) {
  std::vector<std::byte> b(1000, static_cast<std::byte>(DW_OP_lit1));
  auto l = evaluate_location(b, format, frame);
  ASSERT_FALSE(l.has_value());
  EXPECT_NE(l.error().detail.find("stack"), std::string::npos);
}

TEST_F(Expressions, ValuesOfFrameBaseExpressions) {
  frame.registers[6] = 0x7ff0;
  auto v = evaluate_value(bytes({DW_OP_reg6}), format, frame);  // clang's DW_AT_frame_base
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, 0x7ff0u);
}

// ---- location lists ------------------------------------------------------------------------

TEST(LocationLists, Dwarf4ListsWithABaseAddressSelection) {
  LocationListFormat f;
  f.version = 4;
  f.base_address = 0x1000;
  auto list = bytes({0x10, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 1, 0, DW_OP_reg5,  // [0x1010, 0x1020)
                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x20, 0, 0, 0, 0, 0, 0,  // base 0x2000
                     0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 1, 0, DW_OP_reg3,     // [0x2000, 0x2010)
                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  auto at = [&](std::uint64_t pc) { return find_in_location_list(list, 0, pc, f); };
  ASSERT_TRUE(at(0x1015).has_value());
  ASSERT_TRUE(at(0x1015)->has_value());
  EXPECT_EQ(std::to_integer<int>((**at(0x1015))[0]), DW_OP_reg5);
  EXPECT_EQ(std::to_integer<int>((**at(0x2004))[0]), DW_OP_reg3);
  EXPECT_FALSE(at(0x1020)->has_value());  // between the ranges: optimized out
}

TEST(LocationLists, Dwarf5EntriesWithIndexesAndViews) {
  LocationListFormat f;
  f.version = 5;
  f.addr_base = 8;
  auto debug_addr = bytes({0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0x00, 0x30, 0, 0, 0, 0, 0, 0});
  f.debug_addr = debug_addr;
  auto list = bytes({DW_LLE_GNU_view_pair, 0, 0,
                     DW_LLE_base_addressx, 0, DW_LLE_offset_pair, 0x10, 0x20, 1, DW_OP_reg1,  // [0x1010, 0x1020)
                     DW_LLE_startx_length, 1, 0x08, 1, DW_OP_reg2,                            // [0x3000, 0x3008)
                     DW_LLE_default_location, 1, DW_OP_reg7, DW_LLE_end_of_list});
  auto reg_at = [&](std::uint64_t pc) -> int {
    auto r = find_in_location_list(list, 0, pc, f);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error());
    return r && *r ? std::to_integer<int>((**r)[0]) : -1;
  };
  EXPECT_EQ(reg_at(0x1018), DW_OP_reg1);
  EXPECT_EQ(reg_at(0x3004), DW_OP_reg2);
  EXPECT_EQ(reg_at(0x5000), DW_OP_reg7);  // the default location
}

TEST(LocationLists, DamagedListsAreErrors) {
  LocationListFormat f;
  auto truncated = bytes({DW_LLE_offset_pair, 0x10});
  EXPECT_FALSE(find_in_location_list(truncated, 0, 0x10, f).has_value());
  auto unknown = bytes({0x42});
  EXPECT_FALSE(find_in_location_list(unknown, 0, 0x10, f).has_value());
  auto no_base = bytes({DW_LLE_startx_length, 3, 1, 0});
  EXPECT_FALSE(find_in_location_list(no_base, 0, 0x10, f).has_value());
  EXPECT_FALSE(find_in_location_list(truncated, 100, 0x10, f).has_value());  // offset past the section
  // A list of views that never ends stops at the entry cap.
  std::vector<std::byte> endless;
  for (std::size_t i = 0; i < kMaxLocationListEntries + 10; ++i) {
    endless.push_back(static_cast<std::byte>(DW_LLE_GNU_view_pair));
    endless.push_back(std::byte{0});
    endless.push_back(std::byte{0});
  }
  EXPECT_FALSE(find_in_location_list(endless, 0, 0x10, f).has_value());
  EXPECT_FALSE(loclistx_offset(truncated, 12, 1u << 30, 4).has_value());
  EXPECT_FALSE(debug_addr_entry(truncated, 0, ~std::uint64_t{0}, 8).has_value());
}

}  // namespace
}  // namespace corelens::values::testing
