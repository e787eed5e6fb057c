// AddressSpace: the dumped process's memory over PT_LOAD segments, with every fault naming the
// exact address that could not be read. Also MappedFile, which every AddressSpace reads from.
#include "core/model/address_space.hpp"

#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <limits>

#include "core/model/strings.hpp"
#include "tests/unit/unit_support.hpp"

namespace corelens::unit {
namespace {

constexpr std::uint64_t kTop = std::numeric_limits<std::uint64_t>::max();

std::uint8_t pattern(std::uint64_t file_offset) {
  return static_cast<std::uint8_t>(file_offset * 7 + (file_offset >> 8) + 1);
}

// File: 0x2800 bytes of pattern(). Segments:
//   S1 [0x10000, 0x11000) file 0x0000, all saved
//   S2 [0x11000, 0x12000) file 0x1000, all saved (adjacent to S1)
//   S3 [0x20000, 0x22000) file 0x2000, only 0x800 saved: the tail from 0x20800 is not saved
class AddressSpaceTest : public WithTempDir {
 protected:
  void SetUp() override {
    file_bytes_.resize(0x2800);
    for (std::uint64_t i = 0; i < file_bytes_.size(); ++i) file_bytes_[i] = pattern(i);
    file_ = map(file_bytes_);
    space_ = AddressSpace(file_, {{0x20000, 0x2000, 0x2000, 0x800},  // given out of order
                                  {0x10000, 0x1000, 0x0000, 0x1000},
                                  {0x11000, 0x1000, 0x1000, 0x1000}});
  }
  std::uint64_t file_u64(std::uint64_t off) const {
    std::uint64_t v = 0;
    std::memcpy(&v, file_bytes_.data() + off, 8);
    return v;
  }
  // Places S at file offset OFF (in the scratch copy, then re-maps).
  void put_string(std::uint64_t off, const std::string& s) {
    std::copy(s.begin(), s.end(), file_bytes_.begin() + static_cast<std::ptrdiff_t>(off));
    file_ = map(file_bytes_);
    space_ = AddressSpace(file_, {{0x10000, 0x1000, 0x0000, 0x1000},
                                  {0x11000, 0x1000, 0x1000, 0x1000},
                                  {0x20000, 0x2000, 0x2000, 0x800}});
  }
  static void expect_fault(const Error& e, ErrorCode code, std::uint64_t where) {
    EXPECT_EQ(e.code, code) << e.message;
    ASSERT_TRUE(e.where.has_value()) << e.message;
    EXPECT_EQ(*e.where, where) << e.message;
    EXPECT_NE(e.message.find(hex(where)), std::string::npos) << e.message;
  }

  Bytes file_bytes_;
  std::shared_ptr<const MappedFile> file_;
  AddressSpace space_;
};

TEST_F(AddressSpaceTest, SegmentsAreSortedByStart) {
  ASSERT_EQ(space_.segments().size(), 3u);
  EXPECT_EQ(space_.segments()[0].start, 0x10000u);
  EXPECT_EQ(space_.segments()[1].start, 0x11000u);
  EXPECT_EQ(space_.segments()[2].start, 0x20000u);
  EXPECT_EQ(space_.segments()[2].end(), 0x22000u);
}

TEST_F(AddressSpaceTest, ReadsInsideOneSegment) {
  EXPECT_EQ(*space_.read_u64(0x10008), file_u64(0x8));
  EXPECT_EQ(*space_.read_u64(0x10ff8), file_u64(0xff8));  // last 8 bytes of S1
  EXPECT_EQ(*space_.read_u64(0x20400), file_u64(0x2400));
  auto u32 = space_.read_u32(0x11004);
  ASSERT_TRUE(u32.has_value());
  EXPECT_EQ(*u32, static_cast<std::uint32_t>(file_u64(0x1004)));
}

TEST_F(AddressSpaceTest, ReadsAcrossAdjacentSegments) {
  std::array<std::byte, 32> out{};
  ASSERT_TRUE(space_.read(0x10ff0, out).has_value());
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(static_cast<std::uint8_t>(out[i]), pattern(0xff0 + i)) << "byte " << i;
  }
}

TEST_F(AddressSpaceTest, ReadViewPointsIntoTheFile) {
  auto v = space_.read_view(0x11010, 64);
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ(v->size(), 64u);
  EXPECT_EQ(v->data(), file_->bytes().data() + 0x1010);
}

TEST_F(AddressSpaceTest, ReadViewAcrossSegmentsDoesNotCallAMappedAddressUnmapped) {
  auto v = space_.read_view(0x10ff8, 16);
  ASSERT_FALSE(v.has_value());  // documented: a view only within one segment
  // BUG: the error says "address 0x11000 is not mapped" (ErrorCode::not_mapped) although S2
  // maps it and read() of the same range succeeds.
  const Error& e = v.error();
  EXPECT_FALSE(e.code == ErrorCode::not_mapped && e.where && space_.find(*e.where) != nullptr)
      << "read_view fault claims a mapped address is not mapped: " << e.message;
}

TEST_F(AddressSpaceTest, UnsavedTailFaultsAtTheFirstMissingAddress) {
  EXPECT_TRUE(space_.is_saved(0x207ff));
  EXPECT_FALSE(space_.is_saved(0x20800));
  EXPECT_NE(space_.find(0x21fff), nullptr);  // still mapped

  std::array<std::byte, 16> out{};
  auto r = space_.read(0x207f8, out);
  ASSERT_FALSE(r.has_value());
  expect_fault(r.error(), ErrorCode::not_saved, 0x20800);

  auto u = space_.read_u64(0x21000);
  ASSERT_FALSE(u.has_value());
  expect_fault(u.error(), ErrorCode::not_saved, 0x21000);

  auto v = space_.read_view(0x207f0, 0x20);
  ASSERT_FALSE(v.has_value());
  expect_fault(v.error(), ErrorCode::not_saved, 0x20800);
}

TEST_F(AddressSpaceTest, OutsideEverySegmentIsNotMapped) {
  auto below = space_.read_u64(0xfff8);
  ASSERT_FALSE(below.has_value());
  expect_fault(below.error(), ErrorCode::not_mapped, 0xfff8);

  auto gap = space_.read_u32(0x15000);
  ASSERT_FALSE(gap.has_value());
  expect_fault(gap.error(), ErrorCode::not_mapped, 0x15000);

  // Starts in S2, runs off its end into the gap: the first unmapped byte is named.
  std::array<std::byte, 16> out{};
  auto off_end = space_.read(0x11ff8, out);
  ASSERT_FALSE(off_end.has_value());
  expect_fault(off_end.error(), ErrorCode::not_mapped, 0x12000);

  auto view = space_.read_view(0x11ff8, 16);
  ASSERT_FALSE(view.has_value());
  expect_fault(view.error(), ErrorCode::not_mapped, 0x12000);

  EXPECT_EQ(space_.find(0x22000), nullptr);
  EXPECT_EQ(space_.find(0), nullptr);
  EXPECT_EQ(space_.find(kTop), nullptr);
}

TEST_F(AddressSpaceTest, EmptyReadSucceedsAnywhere) {
  std::span<std::byte> none;
  EXPECT_TRUE(space_.read(0xdead0000, none).has_value());
}

TEST_F(AddressSpaceTest, DefaultAddressSpaceMapsNothing) {
  AddressSpace empty;
  auto r = empty.read_u64(0x10000);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::not_mapped);
  EXPECT_FALSE(empty.read_view(0, 1).has_value());
  EXPECT_FALSE(empty.is_saved(0));
}

TEST_F(AddressSpaceTest, ReadsNearTheTopOfTheAddressSpaceNeverWrap) {
  auto file = map(Bytes(0x2000, 0xaa));
  // [top-0x1fff, top-0xfff) and a low segment at 0 that a wrapped read would reach.
  AddressSpace space(file, {{kTop - 0x1fff, 0x1000, 0, 0x1000}, {0, 0x1000, 0x1000, 0x1000}});
  std::array<std::byte, 16> out{};
  auto past = space.read(kTop - 0x7, out);  // outside both segments
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().code, ErrorCode::not_mapped);
  auto off_end = space.read(kTop - 0x1007, out);  // 8 bytes in, then unmapped
  ASSERT_FALSE(off_end.has_value());
  EXPECT_EQ(off_end.error().code, ErrorCode::not_mapped);
  EXPECT_EQ(*off_end.error().where, kTop - 0xfff);
}

TEST_F(AddressSpaceTest, ASegmentEndingAtTwoToTheSixtyFourDoesNotWrapIntoAddressZero) {
  auto file = map(Bytes(0x2000, 0xaa));
  AddressSpace space(file, {{kTop - 0xfff, 0x1000, 0, 0x1000}, {0, 0x1000, 0x1000, 0x1000}});
  EXPECT_TRUE(space.read_u64(kTop - 7).has_value());  // the last 8 bytes of the address space
  std::array<std::byte, 16> out{};
  auto r = space.read(kTop - 7, out);  // would continue at address 0
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::not_mapped);
}

TEST_F(AddressSpaceTest, ReadStringStopsAtNulAndAtTheLimit) {
  put_string(0x100, std::string("hello\0world\0", 12));
  EXPECT_EQ(*space_.read_string(0x10100, 64), "hello");
  EXPECT_EQ(*space_.read_string(0x10100, 3), "hel");
  EXPECT_EQ(*space_.read_string(0x10100, 5), "hello");
  EXPECT_EQ(*space_.read_string(0x10106, 64), "world");
  EXPECT_EQ(*space_.read_string(0x10105, 64), "");
  EXPECT_EQ(*space_.read_string(0xdead0000, 0), "");  // nothing asked, nothing read
}

TEST_F(AddressSpaceTest, ReadStringContinuesIntoTheAdjacentSegment) {
  put_string(0xffd, std::string("abcdef\0", 7));  // "abc" ends S1, "def\0" starts S2
  EXPECT_EQ(*space_.read_string(0x10ffd, 64), "abcdef");
}

TEST_F(AddressSpaceTest, ReadStringIntoUnsavedOrUnmappedMemoryFails) {
  put_string(0x27fc, "wxyz");  // the last saved bytes of S3, no NUL before the unsaved tail
  auto s = space_.read_string(0x207fc, 64);
  ASSERT_FALSE(s.has_value());
  expect_fault(s.error(), ErrorCode::not_saved, 0x20800);
  EXPECT_EQ(*space_.read_string(0x207fc, 4), "wxyz");  // the limit comes first

  put_string(0x1ffc, "tail");  // the last bytes of S2, followed by the gap
  auto t = space_.read_string(0x11ffc, 64);
  ASSERT_FALSE(t.has_value());
  expect_fault(t.error(), ErrorCode::not_mapped, 0x12000);
}

TEST_F(AddressSpaceTest, SegmentPastTheEndOfATruncatedFileIsNotSaved) {
  auto file = map(Bytes(0x1800, 0x5a));
  AddressSpace space(file, {{0x40000, 0x1000, 0x1000, 0x1000},    // half in the file
                            {0x50000, 0x1000, 0x9000, 0x1000},    // wholly past the end
                            {0x60000, 0x1000, 0x1800, 0x1000}});  // starts exactly at EOF
  ASSERT_EQ(space.segments().size(), 3u);
  EXPECT_EQ(space.segments()[0].saved, 0x800u);
  EXPECT_EQ(space.segments()[1].saved, 0u);
  EXPECT_EQ(space.segments()[2].saved, 0u);
  EXPECT_EQ(*space.read_u64(0x407f8), 0x5a5a5a5a5a5a5a5aull);
  auto half = space.read_u64(0x407fc);
  ASSERT_FALSE(half.has_value());
  expect_fault(half.error(), ErrorCode::not_saved, 0x40800);
  auto gone = space.read_u32(0x50010);
  ASSERT_FALSE(gone.has_value());
  expect_fault(gone.error(), ErrorCode::not_saved, 0x50010);
  EXPECT_FALSE(space.is_saved(0x60000));
}

TEST_F(AddressSpaceTest, SavedIsClampedToTheSegmentSize) {
  auto file = map(Bytes(0x2000, 0x11));
  AddressSpace space(file, {{0x1000, 0x100, 0, 0x2000}});
  EXPECT_EQ(space.segments()[0].saved, 0x100u);
  auto r = space.read_u64(0x10fc);  // runs past the segment although the file has more bytes
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::not_mapped);
  EXPECT_EQ(*r.error().where, 0x1100u);
}

TEST_F(AddressSpaceTest, AddressCoveredOnlyByALargerOverlappingSegmentIsReadable) {
  // Overlapping PT_LOADs come only from damaged or hostile dumps, but the contract is that an
  // address outside EVERY segment is not_mapped: 0x53000 lies inside A.
  auto file = map(Bytes(0x5000, 0x33));
  AddressSpace space(file, {{0x50000, 0x4000, 0, 0x4000},        // A
                            {0x51000, 0x1000, 0x4000, 0x1000}});  // B, inside A
  auto r = space.read_u64(0x53000);
  // BUG: find() looks only at the last segment starting at or below the address (B) and reports
  // 0x53000 as not mapped.
  EXPECT_TRUE(r.has_value()) << r.error().message;
}

// ---- MappedFile

using MappedFileTest = WithTempDir;

TEST_F(MappedFileTest, OfAMissingPathIsAnIoError) {
  const std::string path = (dir_.path() / "no-such-core").string();
  auto f = MappedFile::open(path);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, ErrorCode::io);
  EXPECT_NE(f.error().message.find(path), std::string::npos) << f.error().message;
  EXPECT_NE(f.error().message.find("No such file"), std::string::npos) << f.error().message;
}

TEST_F(MappedFileTest, RefusesDirectoriesAndFifos) {
  auto d = MappedFile::open(dir_.path().string());
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, ErrorCode::io);
  EXPECT_NE(d.error().message.find("is a directory"), std::string::npos) << d.error().message;

  const auto fifo = dir_.fresh("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto p = MappedFile::open(fifo.string());  // must not block waiting for a writer
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::io);
  EXPECT_NE(p.error().message.find("not a regular file"), std::string::npos) << p.error().message;
}

// A hostile core names /dev/watchdog, whose mere opening starts the watchdog: what is no regular
// file is refused without being opened (inotify sees every open of a watched file).
TEST_F(MappedFileTest, NeverOpensWhatIsNoRegularFile) {
  const auto fifo = dir_.fresh("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo.string(), std::string("/dev/null")}) {
    SCOPED_TRACE(path);
    int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ASSERT_GE(watch, 0);
    ASSERT_GE(::inotify_add_watch(watch, path.c_str(), IN_OPEN), 0);
    auto f = MappedFile::open(path);
    ASSERT_FALSE(f.has_value());
    EXPECT_NE(f.error().message.find("not a regular file"), std::string::npos) << f.error().message;
    alignas(inotify_event) char events[4096];
    errno = 0;
    EXPECT_LT(::read(watch, events, sizeof events), 0) << "the file was opened";
    EXPECT_EQ(errno, EAGAIN);
    ::close(watch);
  }
}

TEST_F(MappedFileTest, OfAnEmptyFileIsEmpty) {
  auto f = MappedFile::open(dir_.write({}).string());
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ((*f)->size(), 0u);
  EXPECT_TRUE((*f)->bytes().empty());
}

TEST_F(MappedFileTest, SeesTheWholeFile) {
  Bytes b(10000);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
  auto path = dir_.write(b);
  auto f = MappedFile::open(path.string());
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ((*f)->path(), path.string());
  ASSERT_EQ((*f)->size(), b.size());
  EXPECT_EQ(std::memcmp((*f)->bytes().data(), b.data(), b.size()), 0);
}

}  // namespace
}  // namespace corelens::unit
