// The BTF reader on synthetic BTF from the test-only BtfBuilder (the format's own numbers, not the
// parser's structs): member paths through anonymous unions and typedefs, arrays, and damaged input that
// must fail cleanly or answer "unknown", never read out of bounds.
#include <gtest/gtest.h>

#include <cstring>

#include "parsers/kernel/btf.hpp"
#include "tests/support/kernel/btf_builder.hpp"

namespace corelens {
namespace {

// The builder's BTF as the reader takes it.
class BtfWriter : public testing::BtfBuilder {
 public:
  std::vector<std::byte> bytes() const {
    const testing::Bytes b = BtfBuilder::bytes();
    std::vector<std::byte> out(b.size());
    if (!b.empty()) std::memcpy(out.data(), b.data(), b.size());
    return out;
  }
};

using namespace testing::btfc;

// struct inner { int a; void *b; };                      (16 bytes)
// struct outer { int x; union { int y; long z; }; const inner_t in; struct inner arr[3]; };
BtfWriter sample() {
  BtfWriter w;
  std::uint32_t i32 = w.type("int", kInt, 0, 4, {0x01000020});
  std::uint32_t ptr = w.type("", kPtr, 0, 0);
  std::uint32_t inner = w.type("inner", kStruct, 2, 16, {w.member("a"), i32, 0, w.member("b"), ptr, 64});
  std::uint32_t un = w.type("", kUnion, 2, 8, {w.member("y"), i32, 0, w.member("z"), ptr, 0});
  std::uint32_t td = w.type("inner_t", kTypedef, 0, inner);
  std::uint32_t cst = w.type("", kConst, 0, td);
  std::uint32_t arr = w.type("", kArray, 0, 0, {inner, i32, 3});
  w.type("outer", kStruct, 4, 80, {w.member("x"), i32, 0, 0, un, 64, w.member("in"), cst, 128, w.member("arr"), arr, 256});
  w.type("outer", kStruct, 0, 0);  // a forward-ish duplicate without members: not the one
  return w;
}

TEST(KernelBtf, MemberPaths) {
  auto btf = KernelBtf::parse(sample().bytes());
  ASSERT_TRUE(btf) << btf.error().message;
  EXPECT_EQ(btf->type_count(), 9u);
  EXPECT_EQ(btf->offset_of("outer", "x"), 0u);
  EXPECT_EQ(btf->offset_of("outer", "y"), 8u);   // through the anonymous union
  EXPECT_EQ(btf->offset_of("outer", "z"), 8u);
  EXPECT_EQ(btf->offset_of("outer", "in.b"), 24u);  // through const and a typedef
  EXPECT_EQ(btf->offset_of("outer", "arr"), 32u);
  EXPECT_FALSE(btf->offset_of("outer", "nope"));
  EXPECT_FALSE(btf->offset_of("outer", "x.y"));   // int has no members
  EXPECT_FALSE(btf->offset_of("missing", "x"));
  auto s = btf->find_struct("outer");
  ASSERT_TRUE(s);
  auto arr = btf->member(*s, "arr");
  ASSERT_TRUE(arr);
  EXPECT_EQ(btf->size_of(arr->type), 48u);
  auto a = btf->array(arr->type);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->count, 3u);
  EXPECT_EQ(btf->offset_of("inner", "b"), 8u);
  EXPECT_EQ(btf->size_of(btf->member(*s, "in")->type), 16u);
}

TEST(KernelBtf, DamagedInputFailsCleanly) {
  auto good = sample().bytes();
  // Every truncation: an error or a smaller table, never a read past the end.
  for (std::size_t n = 0; n < good.size(); ++n) {
    std::vector<std::byte> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    auto btf = KernelBtf::parse(cut);
    if (btf) btf->offset_of("outer", "in.b");
  }
  auto bad = good;
  bad[0] = std::byte{0};
  EXPECT_FALSE(KernelBtf::parse(bad));
  bad = good;
  std::uint32_t huge = 0x7fffffff;
  std::memcpy(bad.data() + 12, &huge, 4);  // type_len past the end
  auto r = KernelBtf::parse(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::truncated);
  // An unknown kind stops the walk of the types: the rest cannot be found.
  BtfWriter w;
  w.type("odd", 31, 0, 0);
  EXPECT_FALSE(KernelBtf::parse(w.bytes()));
  // A typedef that names itself, a member name past the strings: answers "unknown".
  BtfWriter loop;
  std::uint32_t self = loop.type("t", kTypedef, 0, 1);
  loop.type("s", kStruct, 2, 8, {loop.member("m"), self, 0, 0xfffffff0u, self, 32});
  auto l = KernelBtf::parse(loop.bytes());
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_FALSE(l->offset_of("s", "m.x"));
  EXPECT_FALSE(l->size_of(self));
  EXPECT_EQ(l->offset_of("s", "m"), 0u);
  // An array of itself (found by fuzzing: unbounded recursion in size_of).
  BtfWriter self_array;
  std::uint32_t i32 = self_array.type("int", kInt, 0, 4, {0x01000020});
  std::uint32_t arr = self_array.type("", kArray, 0, 0, {2, i32, 4});
  auto sa = KernelBtf::parse(self_array.bytes());
  ASSERT_TRUE(sa) << sa.error().message;
  EXPECT_FALSE(sa->size_of(arr));
  // Caps: more types than believed.
  BtfWriter many;
  for (int i = 0; i < 100; ++i) many.type("", kPtr, 0, 0);
  BtfLimits limits;
  limits.max_types = 50;
  EXPECT_FALSE(KernelBtf::parse(many.bytes(), limits));
  limits.max_bytes = 10;
  EXPECT_FALSE(KernelBtf::parse(sample().bytes(), limits));
}

}  // namespace
}  // namespace corelens
