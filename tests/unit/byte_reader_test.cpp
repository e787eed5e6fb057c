// ByteReader (bounds-checked decoding), the overflow helpers and the string helpers.
#include "core/file/byte_reader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

std::vector<std::byte> make_bytes(std::initializer_list<unsigned> values) {
  std::vector<std::byte> out;
  for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(ByteReader, ReadsLittleEndianFieldsUpToTheLastByte) {
  auto bytes = make_bytes({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08});
  ByteReader r(bytes);
  EXPECT_EQ(r.size(), 8u);
  EXPECT_EQ(*r.u8(7), 0x08);
  EXPECT_EQ(*r.u16(6), 0x0807);
  EXPECT_EQ(*r.u32(4), 0x08070605u);
  EXPECT_EQ(*r.u64(0), 0x0807060504030201ull);
}

TEST(ByteReader, SignedFieldsAreSignExtended) {
  auto bytes = make_bytes({0xfe, 0xff, 0xff, 0xff});
  ByteReader r(bytes);
  EXPECT_EQ(*r.i16(0), -2);
  EXPECT_EQ(*r.i32(0), -2);
}

TEST(ByteReader, ShortReadNamesOffsetAndSizes) {
  auto bytes = make_bytes({1, 2, 3, 4, 5, 6, 7, 8});
  ByteReader r(bytes, 0x1000);
  auto v = r.u64(1);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code, ErrorCode::truncated);
  EXPECT_EQ(v.error().message, "expected 8 bytes at offset 0x1001, have 7");
  ASSERT_TRUE(v.error().where.has_value());
  EXPECT_EQ(*v.error().where, 0x1001u);
}

TEST(ByteReader, ReadAtOrPastTheEndHasNothing) {
  auto bytes = make_bytes({1, 2, 3, 4});
  ByteReader r(bytes);
  auto at_end = r.u8(4);
  ASSERT_FALSE(at_end.has_value());
  EXPECT_EQ(at_end.error().message, "expected 1 bytes at offset 0x4, have 0");
  auto far = r.u32(1000);
  ASSERT_FALSE(far.has_value());
  EXPECT_NE(far.error().message.find("have 0"), std::string::npos);
}

TEST(ByteReader, HugeOffsetsAndLengthsDoNotOverflowTheBoundsCheck) {
  auto bytes = make_bytes({1, 2, 3, 4});
  ByteReader r(bytes);
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  EXPECT_FALSE(r.has(kMax, 1));
  EXPECT_FALSE(r.has(1, kMax));
  EXPECT_FALSE(r.has(kMax - 2, 4));
  EXPECT_TRUE(r.has(4, 0));
  EXPECT_FALSE(r.has(5, 0));
  EXPECT_FALSE(r.u32(kMax - 1).has_value());
  EXPECT_FALSE(r.sub(2, kMax).has_value());
  EXPECT_FALSE(r.span(kMax, 2).has_value());
}

TEST(ByteReader, EmptyReaderFailsEveryRead) {
  ByteReader r;
  EXPECT_EQ(r.size(), 0u);
  EXPECT_FALSE(r.u8(0).has_value());
  EXPECT_TRUE(r.has(0, 0));
  EXPECT_EQ(r.fixed_string(0, 10), "");
}

TEST(ByteReader, BigEndianOrderSwapsEveryWidth) {
  auto bytes = make_bytes({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08});
  ByteReader r(bytes, 0, std::endian::big);
  EXPECT_EQ(*r.u8(0), 0x01);
  EXPECT_EQ(*r.u16(0), 0x0102);
  EXPECT_EQ(*r.u32(0), 0x01020304u);
  EXPECT_EQ(*r.u64(0), 0x0102030405060708ull);
  auto neg = make_bytes({0xff, 0xfe});
  EXPECT_EQ(*ByteReader(neg, 0, std::endian::big).i16(0), -2);
}

TEST(ByteReader, SubKeepsFileOffsetsInErrorsAndOrder) {
  auto bytes = make_bytes({0, 1, 2, 3, 0x11, 0x22, 0x33, 0x44, 8, 9});
  ByteReader r(bytes, 0x100, std::endian::big);
  auto s = r.sub(4, 4);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->size(), 4u);
  EXPECT_EQ(s->base(), 0x104u);
  EXPECT_EQ(*s->u32(0), 0x11223344u);  // still big-endian
  auto past = s->u16(3);               // the parent has bytes there; the sub-reader must not
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().message, "expected 2 bytes at offset 0x107, have 1");
  EXPECT_EQ(*past.error().where, 0x107u);
  auto nested = s->sub(1, 2);
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->base(), 0x105u);
  EXPECT_EQ(*nested->u16(0), 0x2233);
}

TEST(ByteReader, SubAndSpanRejectRangesPastTheEnd) {
  auto bytes = make_bytes({1, 2, 3, 4});
  ByteReader r(bytes, 0x40);
  auto s = r.sub(2, 3);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::truncated);
  EXPECT_EQ(s.error().message, "expected 3 bytes at offset 0x42, have 2");
  EXPECT_TRUE(r.sub(4, 0).has_value());  // an empty range at the end is fine
  auto sp = r.span(1, 3);
  ASSERT_TRUE(sp.has_value());
  EXPECT_EQ(sp->size(), 3u);
  EXPECT_EQ(static_cast<unsigned>((*sp)[0]), 2u);
  EXPECT_FALSE(r.span(1, 4).has_value());
}

TEST(ByteReader, FixedStringStopsAtNulOrTakesTheWholeWindow) {
  std::vector<std::byte> bytes;
  for (char c : std::string("abc\0defghij", 11)) bytes.push_back(static_cast<std::byte>(c));
  ByteReader r(bytes);
  EXPECT_EQ(r.fixed_string(0, 16), "abc");
  EXPECT_EQ(r.fixed_string(0, 2), "ab");           // no NUL inside the window
  EXPECT_EQ(r.fixed_string(4, 3), "def");          // window without NUL
  EXPECT_EQ(r.fixed_string(4, 100), "defghij");    // clamped to the buffer, no NUL at all
  EXPECT_EQ(r.fixed_string(11, 5), "");            // at the end
  EXPECT_EQ(r.fixed_string(1000, 5), "");          // far past the end
  EXPECT_EQ(r.fixed_string(3, 5), "");             // starts on the NUL
}

TEST(ByteReader, SixteenCharFnameWithoutTerminator) {
  const std::string name = "exactly16chars!!";
  ASSERT_EQ(name.size(), 16u);
  std::vector<std::byte> bytes;
  for (char c : name) bytes.push_back(static_cast<std::byte>(c));
  bytes.push_back(static_cast<std::byte>('X'));  // the next field follows at once
  EXPECT_EQ(ByteReader(bytes).fixed_string(0, 16), name);
}

TEST(Overflow, AddAndMulReportOverflowAndTheWrappedResult) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t out = 0;
  EXPECT_FALSE(add_overflows(kMax - 1, 1, &out));
  EXPECT_EQ(out, kMax);
  EXPECT_TRUE(add_overflows(kMax, 1, &out));
  EXPECT_TRUE(add_overflows(1ull << 63, 1ull << 63, &out));
  EXPECT_FALSE(mul_overflows(1ull << 31, 1ull << 32, &out));
  EXPECT_EQ(out, 1ull << 63);
  EXPECT_TRUE(mul_overflows(1ull << 32, 1ull << 32, &out));
  EXPECT_TRUE(mul_overflows(1ull << 60, 24, &out));  // an NT_FILE count times its entry size
  EXPECT_FALSE(mul_overflows(0, kMax, &out));
  EXPECT_EQ(out, 0u);
}

TEST(Strings, HexForms) {
  EXPECT_EQ(hex(0), "0x0");
  EXPECT_EQ(hex(0xdeadbeef), "0xdeadbeef");
  EXPECT_EQ(hex(~0ull), "0xffffffffffffffff");
  EXPECT_EQ(hex_padded(0x7ffd1234), "0x000000007ffd1234");
  EXPECT_EQ(hex_padded(0xab, 4), "0x00ab");
  const unsigned char id[] = {0x00, 0x1f, 0xa0, 0xff};
  EXPECT_EQ(hex_bytes(id, 4), "001fa0ff");
  EXPECT_EQ(hex_bytes(id, 0), "");
}

TEST(Strings, PrintableReplacesControlCharactersOnly) {
  EXPECT_EQ(printable("a\x01" "b\nc\x7f" "d\te"), "a?b?c?d\te");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 kept as is
  EXPECT_EQ(printable(std::string("x\0y", 3)), "x?y");
}

}  // namespace
}  // namespace corelens
