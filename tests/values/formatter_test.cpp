// Values formatted as gdb prints them, on types and memory built by hand: every scalar kind, flag
// enums, bit-fields, strings with escapes, repeats and caps, arrays, structs, pointers with
// symbols; and hostile shapes (a struct that points to itself, a gigantic array, memory the core
// did not save) that end capped or as a reason, never a crash or a hang; C++ static members.
#include <gtest/gtest.h>

#include "tests/values/fake_values.hpp"
#include "unwinder/values/format_scalar.hpp"
#include "unwinder/values/formatter.hpp"

namespace corelens::values::testing {
namespace {

class FakeSymbols final : public SymbolNamer {
 public:
  std::optional<std::string> symbol_at(std::uint64_t address) const override {
    if (address == 0x401000) return "triple";
    if (address == 0x404010) return "global_counter";
    return std::nullopt;
  }
};

class Formatting : public ::testing::Test {
 protected:
  CTypes t;
  FakeMemory memory;
  FakeSymbols symbols;
  FormatOptions options;

  std::string show(TypeId type, std::uint64_t address) {
    Formatter f(t.table, memory, &symbols, options);
    return f.summary(Value::in_memory(type, address));
  }
  template <typename T>
  std::string show_value(TypeId type, const T& v) {
    memory.put_value(0x1000, v);
    return show(type, 0x1000);
  }
};

TEST_F(Formatting, IntegersCharactersBooleans) {
  EXPECT_EQ(show_value(t.int_type, -42), "-42");
  EXPECT_EQ(show_value(t.uint_type, 4000000000u), "4000000000");
  EXPECT_EQ(show_value(t.ulong_type, ~std::uint64_t{0}), "18446744073709551615");
  EXPECT_EQ(show_value(t.char_type, 'A'), "65 'A'");
  EXPECT_EQ(show_value(t.char_type, '\n'), "10 '\\n'");
  EXPECT_EQ(show_value(t.char_type, static_cast<char>(-3)), "-3 '\\375'");
  EXPECT_EQ(show_value(t.uchar_type, static_cast<unsigned char>(200)), "200 '\\310'");
  EXPECT_EQ(show_value(t.char_type, '\''), "39 '\\''");
  EXPECT_EQ(show_value(t.bool_type, std::uint8_t{1}), "true");
  EXPECT_EQ(show_value(t.bool_type, std::uint8_t{0}), "false");
  EXPECT_EQ(show_value(t.bool_type, std::uint8_t{2}), "2");
  EXPECT_EQ(show_value(t.short_type, std::int16_t{-12345}), "-12345");
}

TEST_F(Formatting, FloatsRoundTripAsGdbPrintsThem) {
  EXPECT_EQ(show_value(t.float_type, 0.3f), "0.300000012");
  EXPECT_EQ(show_value(t.double_type, 4.5), "4.5");
  EXPECT_EQ(show_value(t.double_type, 0.1), "0.10000000000000001");
  EXPECT_EQ(show_value(t.double_type, -1.0 / 0.0), "-inf");
  EXPECT_EQ(show_value(t.double_type, std::numeric_limits<double>::quiet_NaN()), "nan(0x8000000000000)");
  long double ld = 1.25L;
  std::vector<std::byte> b(16);
  std::memcpy(b.data(), &ld, 10);
  memory.put(0x2000, b);
  EXPECT_EQ(show(t.ldouble_type, 0x2000), "1.25");
}

TEST_F(Formatting, EnumsAndFlagEnums) {
  TypeId color = t.enumeration("color", {{"RED", 0}, {"GREEN", 5}, {"BLUE", 6}});
  TypeId perms = t.enumeration("perms", {{"READ", 1}, {"WRITE", 2}, {"EXEC", 4}});
  TypeId mode = t.enumeration("Mode", {{"idle", 0}, {"busy", 4}}, true);
  EXPECT_EQ(show_value(color, 5), "GREEN");
  EXPECT_EQ(show_value(color, 3), "3");  // not a flag enum: 5 has two bits
  EXPECT_EQ(show_value(perms, 3), "(READ | WRITE)");
  EXPECT_EQ(show_value(perms, 9), "(READ | unknown: 0x8)");
  EXPECT_EQ(show_value(perms, 0), "0");
  EXPECT_EQ(show_value(perms, 8), "(unknown: 0x8)");
  EXPECT_EQ(show_value(mode, 4), "Mode::busy");
}

TEST_F(Formatting, StructsBitfieldsAndUnions) {
  TypeId point = t.structure("point", 8, {member("x", t.int_type, 0), member("y", t.int_type, 4)});
  TypeId bits = t.structure("bits", 4, {member("ready", t.uint_type, 0, 1), member("mode", t.uint_type, 0, 3, 1),
                                         member("level", t.int_type, 0, 4, 4)});
  struct {
    int x, y;
  } p{3, -1};
  EXPECT_EQ(show_value(point, p), "{x = 3, y = -1}");
  // ready = 1, mode = 3, level = -3 (0b1101): 1 | 3 << 1 | 13 << 4
  EXPECT_EQ(show_value(bits, std::uint32_t{1 | (3 << 1) | (13 << 4)}), "{ready = 1, mode = 3, level = -3}");
  TypeId number = t.structure("number", 4, {member("i", t.int_type, 0), member("f", t.float_type, 0),
                                           member("bytes", t.array(t.uchar_type, 4), 0)}, TypeKind::union_type);
  EXPECT_EQ(show_value(number, 2.5f), "{i = 1075838976, f = 2.5, bytes = \"\\000\\000 @\"}");
  EXPECT_EQ(type_name(t.table, number), "union number");
  TypeId empty = t.structure("empty", 0, {});
  EXPECT_EQ(show(empty, 0x1000), "{<No data fields>}");
  // Fields only through a base class (std::mutex over std::__mutex_base): gdb says there are none
  // of its own after the bases; with a field of its own, it does not.
  Member base = member("", point, 0);
  base.is_base = true;
  TypeId derived = t.structure("derived", 8, {base});
  EXPECT_EQ(show_value(derived, p), "{<struct point> = {x = 3, y = -1}, <No data fields>}");
  TypeId with_field = t.structure("with_field", 12, {base, member("z", t.int_type, 8)});
  struct {
    int x, y, z;
  } q{3, -1, 7};
  EXPECT_EQ(show_value(with_field, q), "{<struct point> = {x = 3, y = -1}, z = 7}");
}

TEST_F(Formatting, StringsAsGdbPrintsThem) {
  memory.put_string(0x3000, "hi\"there\x01\xff");
  memory.put_value<std::uint64_t>(0x1000, 0x3000);
  TypeId cstr = t.pointer(t.qualified(t.char_type, kConst));
  EXPECT_EQ(show(cstr, 0x1000), "0x3000 \"hi\\\"there\\001\\377\"");
  EXPECT_EQ(type_name(t.table, cstr), "const char *");
  // A char array: one trailing NUL dropped, runs past the threshold as repeat blocks.
  std::vector<std::byte> arr(16, std::byte{0});
  arr[0] = std::byte{'h'};
  arr[1] = std::byte{'i'};
  memory.put(0x4000, arr);
  EXPECT_EQ(show(t.array(t.char_type, 16), 0x4000), "\"hi\", '\\000' <repeats 13 times>");
  // A digit after an octal escape stays a digit, as gdb 13 prints it.
  memory.put(0x4100, bytes({1, '2', 'a', 0}));
  EXPECT_EQ(show(t.array(t.char_type, 4), 0x4100), "\"\\0012a\"");
  // A long string stops at `print elements` with an ellipsis.
  std::string long_text(300, 'x');
  long_text[0] = 'y';
  memory.put_string(0x5000, long_text);
  memory.put_value<std::uint64_t>(0x1000, 0x5000);
  EXPECT_EQ(show(t.pointer(t.char_type), 0x1000), "0x5000 \"y\", 'x' <repeats 199 times>...");
  // A string that runs into memory the core did not save.
  memory.put_value<std::uint64_t>(0x1000, 0x9000);
  EXPECT_EQ(show(t.pointer(t.char_type), 0x1000), "0x9000 <error: Cannot access memory at address 0x9000>");
}

TEST_F(Formatting, PointersNameWhatTheyPointInto) {
  Type fn;
  fn.kind = TypeKind::function;
  fn.target = t.int_type;
  fn.parameters = {t.int_type};
  fn.prototyped = true;
  TypeId fn_type = t.table.add(fn);
  memory.put_value<std::uint64_t>(0x1000, 0x401000);
  EXPECT_EQ(show(t.pointer(fn_type), 0x1000), "0x401000 <triple>");
  EXPECT_EQ(type_name(t.table, t.pointer(fn_type)), "int (*)(int)");
  memory.put_value<std::uint64_t>(0x1000, 0x404010);
  EXPECT_EQ(show(t.pointer(t.int_type), 0x1000), "0x404010 <global_counter>");
  memory.put_value<std::uint64_t>(0x1000, 0);
  EXPECT_EQ(show(t.pointer(t.int_type), 0x1000), "0x0");
}

TEST_F(Formatting, ArraysWithRepeatsAndCaps) {
  std::vector<int> primes = {2, 3, 5, 7, 11, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<std::byte> b(primes.size() * 4);
  std::memcpy(b.data(), primes.data(), b.size());
  memory.put(0x6000, b);
  EXPECT_EQ(show(t.array(t.int_type, 20), 0x6000), "{2, 3, 5, 7, 11, 13, 0 <repeats 14 times>}");
  std::vector<std::byte> many(300 * 4);
  for (int i = 0; i < 300; ++i) std::memcpy(many.data() + i * 4, &i, 4);
  memory.put(0x7000, many);
  std::string s = show(t.array(t.int_type, 300), 0x7000);
  EXPECT_TRUE(s.ends_with("198, 199...}")) << s;
  // An array the size of the address space: capped, an error, no allocation of that size.
  EXPECT_NE(show(t.array(t.int_type, std::uint64_t{1} << 40), 0x7000).find("<"), std::string::npos);
}

TEST_F(Formatting, CyclicTypesAndPointerChainsStayBounded) {
  Type node;
  node.kind = TypeKind::structure;
  node.name = "node";
  node.size = 16;
  node.sized = true;
  TypeId node_type = t.table.add(node);
  TypeId node_ptr = t.pointer(node_type);
  // Members added after the pointer type exists: node { int v; node *next; }.
  const_cast<Type&>(t.table.get(node_type)).members = {member("v", t.int_type, 0), member("next", node_ptr, 8)};
  memory.put(0x8000, bytes({1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x80, 0, 0, 0, 0, 0, 0}));  // next = itself
  options.depth = 50;
  Formatter f(t.table, memory, &symbols, options);
  ValueNode n = f.node("head", Value::in_memory(node_type, 0x8000), 50);
  EXPECT_EQ(n.value, "{v = 1, next = 0x8000}");
  // Fifty levels of the same node, one pointer each: as deep as asked, no deeper.
  int depth = 0;
  for (const ValueNode* cur = &n; !cur->children.empty(); cur = &cur->children.back()) ++depth;
  EXPECT_LE(depth, 51);
}

TEST_F(Formatting, UnavailableValuesSayWhy) {
  memory.not_saved(0xa000, 0xb000);
  Formatter f(t.table, memory, &symbols, options);
  EXPECT_EQ(f.node("x", Value::in_memory(t.int_type, 0xa000)).unavailable, "not saved in the core (0xa000)");
  EXPECT_EQ(f.node("y", Value::in_memory(t.int_type, 0xc000)).unavailable, "cannot access memory at 0xc000");
  EXPECT_EQ(f.node("z", Value::missing(t.int_type, register_not_recovered("rdi"))).unavailable,
            "register not recovered (rdi)");
  EXPECT_EQ(f.node("w", Value::missing(t.int_type, optimized_out())).unavailable, "optimized out");
  // A struct one of whose pieces is gone: the others still show.
  TypeId point = t.structure("point", 8, {member("x", t.int_type, 0), member("y", t.int_type, 4)});
  Value v;
  v.type = point;
  v.bytes = bytes({3, 0, 0, 0, 0, 0, 0, 0});
  v.known = {1, 1, 1, 1, Value::kRegisterLost, Value::kRegisterLost, Value::kRegisterLost, Value::kRegisterLost};
  EXPECT_EQ(f.summary(v), "{x = 3, y = <register not recovered>}");
}

// C++ static members, as gdb prints them (gdb 13's cp_print_value_fields and
// cp_print_static_field): "static " before the name, in declaration order among the fields;
// a struct-typed static shown once per line, then "<same as static member of an already seen
// type>" (a class with a static member of its own type ends there); one without storage
// "<optimized out>". A node's children are the static values under their plain names.
TEST_F(Formatting, StaticMembersAsGdbPrintsThem) {
  auto statik = [](const std::string& name, TypeId type) {
    Member m;
    m.name = name;
    m.type = type;
    m.is_static = true;
    return m;
  };
  // The struct's own id, for its static member of its own type: the table gives ids in order.
  const TypeId registry = t.table.add(Type{}) + 1;
  ASSERT_EQ(t.structure("registry", 4, {statik("count", t.int_type), statik("gone", t.int_type),
                                        statik("fallback", registry), member("id", t.int_type, 0)}),
            registry);
  t.table.set_static(registry, 0, std::make_shared<const Value>(Value::in_memory(t.int_type, 0x2000)));
  t.table.set_static(registry, 1, std::make_shared<const Value>(Value::missing(t.int_type, optimized_out())));
  t.table.set_static(registry, 2, std::make_shared<const Value>(Value::in_memory(registry, 0x3000)));
  memory.put_value(0x2000, 3);
  memory.put_value(0x3000, 0);
  memory.put_value(0x1000, 4);
  EXPECT_EQ(show(registry, 0x1000),
            "{static count = 3, static gone = <optimized out>, static fallback = {static count = 3, static gone = "
            "<optimized out>, static fallback = <same as static member of an already seen type>, id = 0}, id = 4}");
  // Only static members: no "<No data fields>"; a table that cannot tell says optimized out.
  TypeId counters = t.structure("counters", 1, {statik("created", t.int_type), statik("unknown", t.int_type)});
  t.table.set_static(counters, 0, std::make_shared<const Value>(Value::in_memory(t.int_type, 0x2000)));
  EXPECT_EQ(show(counters, 0x1000), "{static created = 3, static unknown = <optimized out>}");
  // Two statics of one struct type at one address in one line: the second is "same as".
  TypeId point = t.structure("point", 8, {member("x", t.int_type, 0), member("y", t.int_type, 4)});
  TypeId pair = t.structure("pair", 1, {statik("a", point), statik("b", point)});
  t.table.set_static(pair, 0, std::make_shared<const Value>(Value::in_memory(point, 0x3000)));
  t.table.set_static(pair, 1, std::make_shared<const Value>(Value::in_memory(point, 0x3000)));
  memory.put_value(0x3004, 9);
  EXPECT_EQ(show(pair, 0x1000), "{static a = {x = 0, y = 9}, static b = <same as static member of an already seen type>}");
  // The tree: the statics under their names, the object's own field at its offset.
  options.depth = 2;
  Formatter f(t.table, memory, &symbols, options);
  ValueNode n = f.node("reg", Value::in_memory(registry, 0x1000));
  ASSERT_EQ(n.children.size(), 4u);
  EXPECT_EQ(n.children[0].name, "count");
  EXPECT_EQ(n.children[0].value, "3");
  EXPECT_EQ(n.children[0].address, 0x2000u);
  EXPECT_EQ(n.children[1].unavailable, "optimized out");
  EXPECT_EQ(n.children[2].name, "fallback");
  EXPECT_EQ(n.children[2].address, 0x3000u);
  EXPECT_EQ(n.children[2].children.size(), 4u);
  EXPECT_EQ(n.children[3].name, "id");
  EXPECT_EQ(n.children[3].value, "4");
}

TEST(TypeNames, GdbSpellingAndReadableNames) {
  CTypes t;
  EXPECT_EQ(type_name(t.table, t.pointer(t.pointer(t.char_type))), "char **");
  EXPECT_EQ(type_name(t.table, t.array(t.pointer(t.char_type), 4)), "char *[4]");
  EXPECT_EQ(type_name(t.table, t.pointer(t.array(t.int_type, 3))), "int (*)[3]");
  EXPECT_EQ(type_name(t.table, t.qualified(t.pointer(t.char_type), kConst)), "char * const");
  EXPECT_EQ(demangler_type_name(t.table, t.pointer(t.pointer(t.char_type))), "char**");
  EXPECT_EQ(readable_type_name("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >"),
            "std::string");
  EXPECT_EQ(readable_type_name("std::vector<int, std::allocator<int> >"), "std::vector<int>");
  EXPECT_EQ(readable_type_name("std::map<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, "
                               "int, std::less<std::__cxx11::basic_string<char, std::char_traits<char>, "
                               "std::allocator<char> > >, std::allocator<std::pair<std::__cxx11::basic_string<char, "
                               "std::char_traits<char>, std::allocator<char> > const, int> > >"),
            "std::map<std::string, int>");
  EXPECT_EQ(readable_type_name("std::unique_ptr<Point, std::default_delete<Point> > *"), "std::unique_ptr<Point> *");
  EXPECT_EQ(readable_type_name("Grid<3>"), "Grid<3>");
  // Damaged names stay what they were, without a crash.
  EXPECT_EQ(readable_type_name("a<<b"), "a<<b");
  EXPECT_FALSE(readable_type_name("x<y, z").empty());
}

TEST(Scalars, FormatScalarEdgeCases) {
  EXPECT_EQ(format_integer(0xff, 1, true), "-1");
  EXPECT_EQ(format_integer(0x80000000u, 4, true), "-2147483648");
  EXPECT_EQ(escape_unit(0x1234, '"'), "\\x1234");
  EXPECT_EQ(format_string({}, 10, false), "\"\"");
  EXPECT_EQ(format_string({'a', 'b'}, 10, true, "L"), "L\"ab\"...");
}

}  // namespace
}  // namespace corelens::values::testing
