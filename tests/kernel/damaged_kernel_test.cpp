// Damaged kernel dumps: truncated headers, bogus bitmaps, page descriptors past the end, huge
// counts. Each gives a clear error or a partial result, never a crash or a huge allocation.
// Synthetic inputs are written byte by byte here; cut and corrupted real dumps use the fixture's.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/pipeline/kernel/kernel_session.hpp"
#include "parsers/detect.hpp"
#include "parsers/kernel/kdump_compressed.hpp"
#include "parsers/kernel/kdump_flattened.hpp"
#include "parsers/kernel/vmcore_elf.hpp"
#include "parsers/kernel/vmcoreinfo.hpp"
#include "tests/kernel/kernel_dump_files.hpp"

namespace corelens {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<std::byte>;

void put(Bytes& b, std::size_t off, const void* src, std::size_t n) {
  if (b.size() < off + n) b.resize(off + n);
  std::memcpy(b.data() + off, src, n);
}
template <typename T>
void put_le(Bytes& b, std::size_t off, T v) { put(b, off, &v, sizeof v); }
template <typename T>
void put_be(Bytes& b, std::size_t off, T v) {
  std::byte tmp[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) tmp[i] = std::byte(static_cast<unsigned char>(v >> (8 * (sizeof(T) - 1 - i))));
  put(b, off, tmp, sizeof tmp);
}

std::shared_ptr<const MappedFile> mem(Bytes b) { return MappedFile::from_memory("synthetic", std::move(b)); }

// A diskdump header: block 4096, one sub-header block, BITMAP_BLOCKS blocks of bitmap.
Bytes diskdump(std::uint32_t bitmap_blocks, std::uint32_t max_mapnr) {
  Bytes b(4096 * 2, std::byte{0});
  put(b, 0, "KDUMP   ", 8);
  put_le<std::int32_t>(b, 8, 6);
  put(b, 12 + 4 * 65, "x86_64", 6);
  put_le<std::int32_t>(b, 428, 4096);
  put_le<std::int32_t>(b, 432, 1);
  put_le<std::uint32_t>(b, 436, bitmap_blocks);
  put_le<std::uint32_t>(b, 440, max_mapnr);
  put_le<std::int32_t>(b, 460, 1);
  return b;
}

TEST(DamagedKernel, DiskdumpHeaderCutOff) {
  Bytes b = diskdump(2, 100);
  b.resize(300);
  auto d = parse_kdump_compressed(mem(b));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::truncated);
  EXPECT_NE(d.error().message.find("header is cut off"), std::string::npos) << d.error().message;
}

TEST(DamagedKernel, BitmapPastTheEnd) {
  auto d = parse_kdump_compressed(mem(diskdump(1000000, 100)));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::truncated);
  EXPECT_NE(d.error().message.find("bitmaps"), std::string::npos) << d.error().message;
}

TEST(DamagedKernel, HugeMaxMapnrAndDescriptorsPastTheEnd) {
  // max_mapnr 2^32-1 with a 2-block bitmap whose "dumped" half says every page is saved, and no
  // page descriptors at all: partial result, reads fail with the offset.
  Bytes b = diskdump(2, 0xffffffffu);
  b.resize(4096 * 4, std::byte{0});
  std::memset(b.data() + 4096 * 2, 0xff, 4096 * 2);
  auto d = parse_kdump_compressed(mem(b));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->diagnostics.has("kdump-bitmap-short"));
  EXPECT_TRUE(d->diagnostics.has("core-truncated"));
  std::byte page[16];
  auto r = d->physical->read(0x1000, page);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::truncated);
}

TEST(DamagedKernel, DescriptorPointsPastEof) {
  Bytes b = diskdump(2, 8);
  b.resize(4096 * 4, std::byte{0});
  b[4096 * 2] = std::byte{0x01};      // RAM: pfn 0
  b[4096 * 3] = std::byte{0x01};      // saved: pfn 0
  put_le<std::uint64_t>(b, 4096 * 4, 1ull << 40);  // page_desc.offset far away
  put_le<std::uint32_t>(b, 4096 * 4 + 8, 4096);
  put_le<std::uint32_t>(b, 4096 * 4 + 12, 1);      // zlib
  put_le<std::uint64_t>(b, 4096 * 4 + 16, 0);
  auto d = parse_kdump_compressed(mem(b));
  ASSERT_TRUE(d) << d.error().message;
  std::byte out[8];
  auto r = d->physical->read(0, out);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("past the end of the file"), std::string::npos) << r.error().message;
  // A page filtered out is a not_saved fault, not zeros.
  auto filtered = d->physical->read(0x1000, out);
  ASSERT_FALSE(filtered);
  EXPECT_EQ(filtered.error().code, ErrorCode::not_saved);
}

TEST(DamagedKernel, FlattenedHugeHoleAndCutRecord) {
  Bytes b(4096, std::byte{0});
  put(b, 0, "makedumpfile", 12);
  put_be<std::int64_t>(b, 4096, std::int64_t{1} << 50);  // offset 1 PiB
  put_be<std::int64_t>(b, 4104, 4);
  put(b, 4112, "abcd", 4);
  auto r = unflatten_kdump(*mem(b));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("holes too large"), std::string::npos) << r.error().message;

  Bytes c(4096, std::byte{0});
  put(c, 0, "makedumpfile", 12);
  put_be<std::int64_t>(c, 4096, 0);
  put_be<std::int64_t>(c, 4104, 1 << 20);  // claims 1 MiB, has 4 bytes
  put(c, 4112, "KDUM", 4);
  auto r2 = unflatten_kdump(*mem(c));
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, ErrorCode::malformed);
}

TEST(DamagedKernel, ElfVmcoreWithHugePhnumIsCutOff) {
  Bytes b(64, std::byte{0});
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  put(b, 0, ident, sizeof ident);
  put_le<std::uint16_t>(b, 16, 4);   // ET_CORE
  put_le<std::uint16_t>(b, 18, 62);  // EM_X86_64
  put_le<std::uint64_t>(b, 32, 64);
  put_le<std::uint16_t>(b, 54, 56);
  put_le<std::uint16_t>(b, 56, 65535);
  auto d = parse_vmcore_elf(mem(b));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::truncated);
}

TEST(DamagedKernel, VmcoreinfoTypedAccessors) {
  Diagnostics diags;
  VmcoreInfo v = parse_vmcoreinfo("OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nKERNELOFFSET=19a00000\n"
                                  "NUMBER(phys_base)=-327155712\nSYMBOL(prb)=ffffffff9c4643e0\n"
                                  "OFFSET(printk_info.text_len)=16\nSIZE(printk_info)=88\nLENGTH(mem_section)=4096\n"
                                  "garbage line\nNUMBER(bad)=12x\n\0\0\0", diags);
  EXPECT_EQ(v.osrelease(), "6.1.0-56-amd64");
  EXPECT_EQ(v.page_size(), 4096u);
  EXPECT_EQ(v.kernel_offset(), 0x19a00000u);
  EXPECT_EQ(v.phys_base(), -327155712);
  EXPECT_EQ(v.symbol("prb"), 0xffffffff9c4643e0u);
  EXPECT_EQ(v.offset("printk_info.text_len"), 16u);
  EXPECT_EQ(v.size("printk_info"), 88u);
  EXPECT_EQ(v.length("mem_section"), 4096u);
  EXPECT_EQ(v.number("bad"), std::nullopt);
  EXPECT_TRUE(diags.has("vmcoreinfo-bad-line"));
}

// Cut and corrupted copies of a real diskdump: never a crash; whatever is left is reported.
TEST(DamagedKernel, RealDiskdumpCutAndCorrupted) {
  fs::path p = fs::path(CORELENS_KDUMPS_DIR) / "vmcore.kdump";
  CORELENS_REQUIRE_KERNEL_FILE(p, "kernel_dumps.make");
  std::ifstream in(p, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes whole(chars.size());
  std::memcpy(whole.data(), chars.data(), chars.size());
  for (std::size_t cut : {std::size_t{100}, std::size_t{5000}, std::size_t{12000}, whole.size() / 3, whole.size() - 1000}) {
    Bytes b(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
    auto s = open_kernel_dump(mem(std::move(b)), DumpFormat::kdump_compressed);
    if (s) {
      auto report = kernel_report(**s, "cut");
      EXPECT_TRUE(report.kernel);
    } else {
      EXPECT_FALSE(s.error().message.empty());
    }
  }
  // Bitmaps set to all ones: descriptors no longer line up; reads fail or give garbage, no crash.
  Bytes b = whole;
  std::memset(b.data() + 4096 * 2, 0xff, 8192);
  auto s = open_kernel_dump(mem(std::move(b)), DumpFormat::kdump_compressed);
  if (s) (void)kernel_report(**s, "ones");
}

}  // namespace
}  // namespace corelens
