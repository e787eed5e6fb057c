// Expressions (`corelens analyze --print`) on a scope of hand-made variables: members, pointers,
// indexes, casts, arithmetic, and gdb's words for what goes wrong.
#include <gtest/gtest.h>

#include "tests/values/fake_values.hpp"
#include "unwinder/values/expression.hpp"
#include "unwinder/values/formatter.hpp"

namespace corelens::values::testing {
namespace {

class ExpressionText : public ::testing::Test {
 protected:
  CTypes t;
  FakeMemory memory;
  FakeScope scope;
  FormatOptions options;
  TypeId record;

  void SetUp() override {
    // struct record { int id; struct record *next; int items[4]; }  at 0x1000 -> 0x2000 -> NULL
    Type r;
    r.kind = TypeKind::structure;
    r.name = "record";
    r.size = 32;
    r.sized = true;
    record = t.table.add(r);
    TypeId rp = t.pointer(record);
    const_cast<Type&>(t.table.get(record)).members = {member("id", t.int_type, 0), member("next", rp, 8),
                                                      member("items", t.array(t.int_type, 4), 16)};
    put_record(0x1000, 1, 0x2000, {10, 11, 12, 13});
    put_record(0x2000, 2, 0, {20, 21, 22, 23});
    Value head;
    head.type = rp;
    head.bytes = bytes({0x00, 0x10, 0, 0, 0, 0, 0, 0});
    head.location = "register rdi";
    scope.variables["head"] = head;
    scope.variables["first"] = Value::in_memory(record, 0x1000);
    scope.types["record"] = record;
  }
  void put_record(std::uint64_t at, int id, std::uint64_t next, std::vector<int> items) {
    std::vector<std::byte> b(32);
    std::memcpy(b.data(), &id, 4);
    std::memcpy(b.data() + 8, &next, 8);
    std::memcpy(b.data() + 16, items.data(), 16);
    memory.put(at, b);
  }
  std::string eval(const std::string& text) {
    auto v = evaluate_expression(text, scope, t.table, memory, options);
    if (!v) return "ERROR " + v.error().detail;
    Formatter f(t.table, memory, nullptr, options);
    ValueNode n = f.node(text, *v, 0);
    return n.unavailable.empty() ? n.value : "<" + n.unavailable + ">";
  }
};

TEST_F(ExpressionText, MembersPointersAndIndexes) {
  EXPECT_EQ(eval("head->id"), "1");
  EXPECT_EQ(eval("head->next->id"), "2");
  EXPECT_EQ(eval("(*head).next->items[3]"), "23");
  EXPECT_EQ(eval("first.items"), "{10, 11, 12, 13}");
  EXPECT_EQ(eval("first.items[1] + 1"), "12");
  EXPECT_EQ(eval("head[1].id"), "<cannot access memory at 0x1020>");  // past the object, into nothing
}

TEST_F(ExpressionText, AddressesCastsAndArithmetic) {
  EXPECT_EQ(eval("&first"), "0x1000");
  EXPECT_EQ(eval("&first.items[2]"), "0x1018");
  EXPECT_EQ(eval("(struct record *)0x2000"), "0x2000");
  EXPECT_EQ(eval("((struct record *)0x2000)->items[0]"), "20");
  EXPECT_EQ(eval("*(int *)0x1010"), "10");
  EXPECT_EQ(eval("(unsigned char)300"), "44 ','");
  EXPECT_EQ(eval("-7 / 2"), "-3");
  EXPECT_EQ(eval("7 % 3 == 1"), "1");
  EXPECT_EQ(eval("sizeof(struct record)"), "32");
  EXPECT_EQ(eval("sizeof first.items"), "16");
  EXPECT_EQ(eval("0xffffffffffffffff"), "18446744073709551615");
  EXPECT_EQ(eval("'A' + 1"), "66");
  EXPECT_EQ(eval("head->next - head"), "128");  // (0x2000 - 0x1000) / 32-byte records
}

TEST_F(ExpressionText, ErrorsSayWhatGdbSays) {
  EXPECT_EQ(eval("nosuch"), "ERROR No symbol \"nosuch\" in current context.");
  EXPECT_EQ(eval("first.nosuch"), "ERROR There is no member named nosuch.");
  EXPECT_EQ(eval("first->id").substr(0, 10), "ERROR The ");
  EXPECT_EQ(eval("*first.id"), "ERROR Attempt to take contents of a non-pointer value.");
  EXPECT_EQ(eval("&head"), "ERROR Attempt to take address of value not located in memory.");
  EXPECT_EQ(eval("1 / 0"), "ERROR Division by zero");
  EXPECT_EQ(eval("head->next->next->id"), "<cannot access memory at 0x0>");
  EXPECT_EQ(eval("(").substr(0, 23), "ERROR A syntax error in");
  EXPECT_EQ(eval("first.items[").substr(0, 6), "ERROR ");
  EXPECT_EQ(eval("0x"), "ERROR Invalid number \"0x\".");
  EXPECT_EQ(eval("99999999999999999999"), "ERROR Numeric constant too large.");
  EXPECT_EQ(eval("$rip"), "ERROR Invalid character '$' in expression.");
}

TEST_F(ExpressionText, HostileTextIsCapped) {
  EXPECT_EQ(eval(std::string(5000, '(')).substr(0, 6), "ERROR ");
  EXPECT_EQ(eval(std::string(3000, '*') + "head").substr(0, 6), "ERROR ");
  EXPECT_EQ(eval(std::string(200, '(') + "1" + std::string(200, ')')).substr(0, 6), "ERROR ");
}

}  // namespace
}  // namespace corelens::values::testing
