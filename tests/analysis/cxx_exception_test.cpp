// Unit tests of cxx_exception.cpp on a hand-built exception in fake memory: the libstdc++ header,
// type_info objects (single and multiple inheritance), vtables, and symbols for them, as the
// real samples cannot cover every kind of what().
#include <gtest/gtest.h>

#include <map>

#include "core/analysis/cxx_exception.hpp"
#include "tests/analysis/fake_memory.hpp"

namespace corelens {
namespace {

class FakeSymbols final : public SymbolLookup {
 public:
  std::map<std::uint64_t, std::string> names;
  std::optional<std::uint64_t> address_of(std::string_view) const override { return std::nullopt; }
  std::optional<std::string> name_at(std::uint64_t addr) const override {
    auto it = names.find(addr);
    if (it == names.end()) return std::nullopt;
    return it->second;
  }
};

constexpr std::uint64_t kSp = 0x107000, kUnwind = 0x109050, kObject = kUnwind + 32;
constexpr std::uint64_t kVmiVtable = 0x10b010, kSiVtable = 0x10b110, kClassVtable = 0x10b210, kFundamentalVtable = 0x10b310;

struct Bench {
  testing::FakeMemory memory;
  FakeSymbols symbols;
  ThreadReport thread;
  std::uint64_t next_string = 0x10c000;

  Bench() {
    thread.registers = {Register{"rsp", kSp}};
    memory.zero(kSp, 4096);
    memory.put64(kSp + 0x40, kUnwind);                // a spilled pointer to the _Unwind_Exception
    memory.put64(kUnwind, 0x474e5543432b2b00ull);     // "GNUCC++\0"
    symbols.names[kVmiVtable] = "vtable for __cxxabiv1::__vmi_class_type_info";
    symbols.names[kSiVtable] = "vtable for __cxxabiv1::__si_class_type_info";
    symbols.names[kClassVtable] = "vtable for __cxxabiv1::__class_type_info";
    symbols.names[kFundamentalVtable] = "vtable for __cxxabiv1::__fundamental_type_info";
  }
  std::uint64_t string(const std::string& s) {
    std::uint64_t at = next_string;
    memory.put_string(at, s);
    next_string += (s.size() + 16) & ~7ull;
    return at;
  }
  // A type_info at AT: its vtable (the kind) and its mangled name.
  void type_info(std::uint64_t at, std::uint64_t vtable, const std::string& mangled) {
    memory.put64(at, vtable);
    memory.put64(at + 8, string(mangled));
  }
  void thrown(std::uint64_t tinfo) { memory.put64(kUnwind - 80, tinfo); }
  // std::logic_error's chain: out_of_range -> logic_error -> exception.
  void logic_error_chain(std::uint64_t out_of_range) {
    type_info(out_of_range, kSiVtable, "St12out_of_range");
    memory.put64(out_of_range + 16, 0x10a300);
    type_info(0x10a300, kSiVtable, "St11logic_error");
    memory.put64(0x10a300 + 16, 0x10a400);
    type_info(0x10a400, kClassVtable, "St9exception");
  }
  // The vtable of the std::exception subobject at OFFSET, whose what() slot is WHAT, and the
  // logic_error message after its vptr.
  void subobject(std::uint64_t offset, const std::string& what, const std::string& message) {
    memory.put64(kObject + offset, 0x10d000);
    memory.put64(0x10d000 + 16, 0x10e000);
    symbols.names[0x10e000] = what;
    memory.put64(kObject + offset + 8, string(message));
  }
  std::optional<RecoveredException> run(bool with_symbols = true) {
    return find_inflight_exception(thread, memory, with_symbols ? &symbols : nullptr, Arch::x86_64);
  }
};

// class ParseError : public SourceLocated, public std::out_of_range: the std::exception part is
// at offset 16, reached through __vmi_class_type_info.
void parse_error(Bench& b, const std::string& what_function) {
  b.type_info(0x10a000, kVmiVtable, "10ParseError");
  b.memory.put32(0x10a000 + 16, 0);  // flags
  b.memory.put32(0x10a000 + 20, 2);  // two bases
  b.type_info(0x10a100, kClassVtable, "13SourceLocated");
  b.memory.put64(0x10a000 + 24, 0x10a100);
  b.memory.put64(0x10a000 + 32, (0 << 8) | 2);   // public, at 0
  b.memory.put64(0x10a000 + 40, 0x10a200);
  b.memory.put64(0x10a000 + 48, (16 << 8) | 2);  // public, at 16
  b.logic_error_chain(0x10a200);
  b.subobject(16, what_function, "unexpected '}' at offset 17");
  b.thrown(0x10a000);
}

TEST(CxxException, WhatOfADerivedClassThroughMultipleInheritance) {
  Bench b;
  parse_error(b, "std::logic_error::what() const");
  auto ex = b.run();
  ASSERT_TRUE(ex.has_value());
  EXPECT_EQ(ex->type, "ParseError");
  EXPECT_EQ(ex->what, "unexpected '}' at offset 17");
  EXPECT_EQ(ex->note, "");
}

TEST(CxxException, AnOverriddenWhatIsNamedNotRun) {
  Bench b;
  parse_error(b, "non-virtual thunk to ParseError::what() const");
  auto ex = b.run();
  ASSERT_TRUE(ex.has_value());
  EXPECT_EQ(ex->what, "");
  EXPECT_NE(ex->note.find("ParseError::what()"), std::string::npos) << ex->note;
  EXPECT_NE(ex->note.find("std::logic_error base: \"unexpected '}' at offset 17\""), std::string::npos) << ex->note;
}

TEST(CxxException, WithoutSymbolsOnlyTheTypeOfADerivedClass) {
  Bench b;
  parse_error(b, "std::logic_error::what() const");
  auto ex = b.run(false);
  ASSERT_TRUE(ex.has_value());
  EXPECT_EQ(ex->type, "ParseError");
  EXPECT_EQ(ex->what, "");
  EXPECT_FALSE(ex->note.empty());
}

TEST(CxxException, ConstantWhatOfStandardClasses) {
  Bench b;
  b.type_info(0x10a000, kSiVtable, "St9bad_alloc");
  b.memory.put64(0x10a000 + 16, 0x10a400);
  b.type_info(0x10a400, kClassVtable, "St9exception");
  b.memory.put64(kObject, 0x10d000);
  b.memory.put64(0x10d000 + 16, 0x10e000);
  b.symbols.names[0x10e000] = "std::bad_alloc::what() const";
  b.thrown(0x10a000);
  auto ex = b.run();
  ASSERT_TRUE(ex.has_value());
  EXPECT_EQ(ex->type, "std::bad_alloc");
  EXPECT_EQ(ex->what, "std::bad_alloc");
}

TEST(CxxException, ValuesThatAreNotClasses) {
  Bench b;
  b.type_info(0x10a000, kFundamentalVtable, "i");
  b.thrown(0x10a000);
  b.memory.put64(kObject, 0xffffffd6);  // -42 as an int
  auto ex = b.run();
  ASSERT_TRUE(ex.has_value());
  EXPECT_EQ(ex->type, "int");
  EXPECT_EQ(ex->what, "-42");

  b.type_info(0x10a000, kFundamentalVtable, "PKc");
  b.memory.put64(kObject, b.string("thrown text"));
  ex = b.run();
  ASSERT_TRUE(ex.has_value());
  EXPECT_EQ(ex->type, "char const*");
  EXPECT_EQ(ex->what, "thrown text");
}

TEST(CxxException, NotDerivedFromStdException) {
  Bench b;
  b.type_info(0x10a000, kClassVtable, "6NotExc");
  b.thrown(0x10a000);
  auto ex = b.run();
  ASSERT_TRUE(ex.has_value());
  EXPECT_EQ(ex->type, "NotExc");
  EXPECT_EQ(ex->what, "");
  EXPECT_NE(ex->note.find("not derived from std::exception"), std::string::npos);
}

TEST(CxxException, NothingWithoutTheExceptionClassMarker) {
  Bench b;
  parse_error(b, "std::logic_error::what() const");
  b.memory.put64(kUnwind, 0x1234);
  EXPECT_FALSE(b.run().has_value());
}

}  // namespace
}  // namespace corelens
