// Damaged kernel dumps: truncated headers, bogus bitmaps, page descriptors past the end, huge
// counts. Each gives a clear error or a partial result, never a crash or a huge allocation.
// Synthetic inputs come from the test-only kernel dump builder (tests/support), damaged here at
// the offsets it reports; cut and corrupted real dumps use the fixture's.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "parsers/detect.hpp"
#include "parsers/kernel/kdump_compressed.hpp"
#include "parsers/kernel/kdump_flattened.hpp"
#include "parsers/kernel/vmcore_elf.hpp"
#include "parsers/kernel/vmcoreinfo.hpp"
#include "tests/kernel/kernel_dump_files.hpp"
#include "tests/support/kernel/kernel_dump_builder.hpp"
#include "unwinder/pipeline/kernel/kernel_session.hpp"

namespace corelens {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<std::byte>;

namespace ct = corelens::testing;
namespace kd = corelens::testing::kdumpc;

std::shared_ptr<const MappedFile> mem(Bytes b) { return MappedFile::from_memory("synthetic", std::move(b)); }
std::shared_ptr<const MappedFile> mem(const ct::Bytes& b) {
  Bytes copy(b.size());
  std::memcpy(copy.data(), b.data(), b.size());
  return mem(std::move(copy));
}

// A kdump-compressed file of MAX_MAPNR pages (block 4096): header, sub-header, the two bitmaps
// (one block each for up to 32768 pages), and SAVED pages.
ct::BuiltKdump diskdump(std::uint64_t max_mapnr, std::map<std::uint64_t, ct::Bytes> saved = {}) {
  ct::KdumpSpec spec;
  spec.max_mapnr = max_mapnr;
  spec.pages = std::move(saved);
  return ct::build_kdump(spec);
}

TEST(DamagedKernel, DiskdumpHeaderCutOff) {
  ct::Bytes b = diskdump(100).bytes;
  b.resize(300);
  auto d = parse_kdump_compressed(mem(b));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::truncated);
  EXPECT_NE(d.error().message.find("header is cut off"), std::string::npos) << d.error().message;
}

TEST(DamagedKernel, BitmapPastTheEnd) {
  ct::Bytes b = diskdump(100).bytes;
  ct::put_u32(b, kd::kHdrBitmapBlocks, 1000000);
  auto d = parse_kdump_compressed(mem(b));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::truncated);
  EXPECT_NE(d.error().message.find("bitmaps"), std::string::npos) << d.error().message;
}

TEST(DamagedKernel, HugeMaxMapnrAndDescriptorsPastTheEnd) {
  // max_mapnr 2^32-1 with a 2-block bitmap whose "dumped" half says every page is saved, and no
  // page descriptors at all: partial result, reads fail with the offset.
  ct::BuiltKdump k = diskdump(8);
  ct::Bytes& b = k.bytes;
  ct::put_u32(b, kd::kHdrMaxMapnr, 0xffffffffu);
  ct::put_u64(b, k.layout.sub_header + kd::kSubMaxMapnr64, 0xffffffffu);
  b.resize(k.layout.descriptors);
  std::fill(b.begin() + static_cast<std::ptrdiff_t>(k.layout.ram_bitmap), b.end(), 0xff);
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
  ct::BuiltKdump k = diskdump(8, {{0, ct::Bytes(4096, 0)}});  // RAM and saved: pfn 0
  ct::put_u64(k.bytes, k.layout.descriptors, 1ull << 40);  // page_desc.offset far away
  ct::put_u32(k.bytes, k.layout.descriptors + 12, kd::kCompressZlib);
  auto d = parse_kdump_compressed(mem(k.bytes));
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
  ct::Bytes b = ct::flat_header();
  ct::put_flat_record(b, ct::kFlatHeaderSize, std::int64_t{1} << 50, 4);  // offset 1 PiB
  b.insert(b.end(), {'a', 'b', 'c', 'd'});
  auto r = unflatten_kdump(*mem(b));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("holes too large"), std::string::npos) << r.error().message;

  ct::Bytes c = ct::flat_header();
  ct::put_flat_record(c, ct::kFlatHeaderSize, 0, 1 << 20);  // claims 1 MiB, has 4 bytes
  c.insert(c.end(), {'K', 'D', 'U', 'M'});
  auto r2 = unflatten_kdump(*mem(c));
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, ErrorCode::malformed);
}

TEST(DamagedKernel, ElfVmcoreWithHugePhnumIsCutOff) {
  ct::Bytes b = ct::build_vmcore({}).bytes;  // an x86_64 ELF header and an empty PT_NOTE
  ct::put_u16(b, 56, 65535);                   // e_phnum
  b.resize(ct::elfc::EHDR64_SIZE);
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
