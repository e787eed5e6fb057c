// Self-tests of the kernel builders: the bytes of the kdump-compressed header, bitmaps and page
// descriptors, ORC entries in both layouts and BTF's header, pinned field by field; and the
// flattened format checked by makedumpfile itself, which rebuilds the file from its records.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/kernel/btf_builder.hpp"
#include "tests/support/kernel/kernel_dump_builder.hpp"
#include "tests/support/kernel/orc_builder.hpp"

namespace ct = corelens::testing;
namespace fs = std::filesystem;
namespace kd = corelens::testing::kdumpc;

namespace {

TEST(KdumpBuilder, HeaderSubHeaderBitmapsAndDescriptors) {
  ct::KdumpSpec spec;
  spec.release = "6.1.0-test";
  spec.nr_cpus = 2;
  spec.phys_base = 0x1000000;
  spec.vmcoreinfo = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
  spec.pages[3] = ct::Bytes(4096, 0xab);
  spec.pages[9] = ct::Bytes(4096, 0xcd);
  spec.ram_pfns = {4};
  const ct::BuiltKdump k = ct::build_kdump(spec);
  const ct::Bytes& b = k.bytes;
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "KDUMP   ");
  EXPECT_EQ(ct::get_u32(b, kd::kHdrVersion), 6u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&b[kd::kHdrUtsname + 2 * kd::kUtsField])), "6.1.0-test");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&b[kd::kHdrUtsname + 4 * kd::kUtsField])), "x86_64");
  EXPECT_EQ(ct::get_u32(b, kd::kHdrBlockSize), 4096u);
  EXPECT_EQ(ct::get_u32(b, kd::kHdrSubHdrSize), 1u);
  EXPECT_EQ(ct::get_u32(b, kd::kHdrBitmapBlocks), 2u);
  EXPECT_EQ(ct::get_u32(b, kd::kHdrMaxMapnr), 10u);
  EXPECT_EQ(ct::get_u32(b, kd::kHdrNrCpus), 2u);
  EXPECT_EQ(ct::get_u64(b, k.layout.sub_header + kd::kSubPhysBase), 0x1000000u);
  EXPECT_EQ(ct::get_u64(b, k.layout.sub_header + kd::kSubMaxMapnr64), 10u);
  EXPECT_EQ(ct::get_u64(b, k.layout.sub_header + kd::kSubOffsetVmcoreinfo), k.layout.vmcoreinfo);
  EXPECT_EQ(ct::get_u64(b, k.layout.sub_header + kd::kSubSizeVmcoreinfo), spec.vmcoreinfo.size());
  EXPECT_EQ(std::string(b.begin() + static_cast<std::ptrdiff_t>(k.layout.vmcoreinfo),
                        b.begin() + static_cast<std::ptrdiff_t>(k.layout.vmcoreinfo + spec.vmcoreinfo.size())),
            spec.vmcoreinfo);
  EXPECT_EQ(k.layout.ram_bitmap, 2 * 4096u);
  EXPECT_EQ(b[k.layout.ram_bitmap], 0x18);          // pfns 3 and 4
  EXPECT_EQ(b[k.layout.ram_bitmap + 1], 0x02);      // pfn 9
  EXPECT_EQ(b[k.layout.dumped_bitmap], 0x08);       // pfn 3 (4 is RAM, filtered out)
  EXPECT_EQ(b[k.layout.dumped_bitmap + 1], 0x02);
  const std::uint64_t first = ct::get_u64(b, k.layout.descriptors);
  EXPECT_EQ(first, k.layout.pages);
  EXPECT_EQ(ct::get_u32(b, k.layout.descriptors + 8), 4096u);  // size
  EXPECT_EQ(ct::get_u32(b, k.layout.descriptors + 12), 0u);    // flags: stored as is
  EXPECT_EQ(b[first], 0xab);
  EXPECT_EQ(b[ct::get_u64(b, k.layout.descriptors + kd::kPageDescSize)], 0xcd);
  EXPECT_EQ(b.size(), k.layout.pages + 2 * 4096);
}

TEST(KdumpBuilder, ElfVmcoreHasCpuNotesVmcoreinfoAndPhysicalAddresses) {
  ct::VmcoreSpec spec;
  ct::ThreadSpec cpu;
  cpu.tid = 1;
  cpu.regs = {{"rip", 0xffffffff81000000}};
  spec.cpus = {cpu, cpu};
  spec.vmcoreinfo = "OSRELEASE=6.1.0-test\n";
  spec.segments = {{0xffff888000100000, 0x100000, ct::Bytes(4096, 1)}};
  const ct::BuiltCore c = ct::build_vmcore(spec);
  ASSERT_EQ(c.layout.notes.size(), 3u);
  EXPECT_EQ(c.layout.notes[0].type, ct::elfc::NT_PRSTATUS);
  EXPECT_EQ(c.layout.notes[2].name, "VMCOREINFO");
  EXPECT_EQ(c.layout.notes[2].desc_size, spec.vmcoreinfo.size());
  ASSERT_EQ(c.layout.segments.size(), 1u);
  EXPECT_EQ(ct::get_u64(c.bytes, c.layout.segments[0].phdr_offset + 24), 0x100000u);  // p_paddr
  EXPECT_EQ(c.layout.segments[0].vaddr, 0xffff888000100000u);
}

// makedumpfile -R reads a flattened file on stdin and writes the file it stands for.
TEST(KdumpBuilder, MakedumpfileRebuildsTheFlattenedFile) {
  if (std::system("command -v makedumpfile >/dev/null 2>&1") != 0) {
    FAIL() << "makedumpfile is not installed (Debian package makedumpfile)";
  }
  ct::KdumpSpec spec;
  spec.pages[1] = ct::Bytes(4096, 0x5a);
  const ct::Bytes whole = ct::build_kdump(spec).bytes;
  std::string tmpl = (fs::temp_directory_path() / "corelens_kernel_builders_XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path dir = tmpl;
  ct::write_file(dir / "flat", ct::flatten(whole, 5000));  // records that cut blocks in two
  const std::string cmd = "makedumpfile -R '" + (dir / "rebuilt").string() + "' < '" + (dir / "flat").string() +
                          "' > '" + (dir / "log").string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream log(dir / "log"), in(dir / "rebuilt", std::ios::binary);
  const std::string log_text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << log_text;
  const ct::Bytes rebuilt((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rebuilt, whole) << log_text;
  fs::remove_all(dir);
}

TEST(OrcBuilder, EntriesInBothLayoutsAndTheIpTable) {
  namespace orc = ct::orc;
  EXPECT_EQ(orc::end_bit_entry(16, orc::kRegSp, orc::kTypeCall), (orc::Entry{0x10, 0, 0, 0, 0x05, 0x00}));
  EXPECT_EQ(orc::end_bit_entry(-8, orc::kRegSp, orc::kTypeRegs, true, -16, orc::kRegPrevSp),
            (orc::Entry{0xf8, 0xff, 0xf0, 0xff, 0x15, 0x05}));
  EXPECT_EQ(orc::typed_entry(8, orc::kRegSp, orc::kTypedCall, true), (orc::Entry{0x08, 0, 0, 0, 0x05, 0x0a}));
  EXPECT_EQ(orc::to_typed(orc::end_bit_entry(0, orc::kRegUndefined, orc::kTypeCall, true))[5], orc::kTypedEndOfStack);
  EXPECT_EQ(orc::to_typed(orc::end_bit_entry(0, orc::kRegUndefined, orc::kTypeCall))[5], orc::kTypedUndefined);
  EXPECT_EQ(orc::to_typed(orc::end_bit_entry(8, orc::kRegSp, orc::kTypeRegsPartial))[5], orc::kTypedRegsPartial);
  EXPECT_THROW(orc::end_bit_entry(0, 16, orc::kTypeCall), std::invalid_argument);
  const orc::Table t = orc::table(0x1000, {{0x0ff0, {}}, {0x2000, {}}});
  ASSERT_EQ(t.ips.size(), 8u);
  EXPECT_EQ(ct::get_u32(t.ips, 0), static_cast<std::uint32_t>(-0x10));  // from its own slot
  EXPECT_EQ(ct::get_u32(t.ips, 4), 0x2000u - 0x1004u);
  EXPECT_EQ(t.entries.size(), 12u);
}

TEST(BtfBuilder, HeaderTypesAndStrings) {
  ct::BtfBuilder w;
  const std::uint32_t i32 = w.type("int", ct::btfc::kInt, 0, 4, {0x01000020});
  w.type("s", ct::btfc::kStruct, 1, 4, {w.member("m"), i32, 0}, true);
  const ct::Bytes b = w.bytes();
  EXPECT_EQ(ct::get_u16(b, 0), 0xeb9fu);
  EXPECT_EQ(b[2], 1);
  EXPECT_EQ(ct::get_u32(b, 4), 24u);
  EXPECT_EQ(ct::get_u32(b, 12), 4u * (4 + 6));  // type_len
  EXPECT_EQ(ct::get_u32(b, 16), 4u * (4 + 6));  // str_off
  EXPECT_EQ(ct::get_u32(b, 20), std::string("\0int\0m\0s\0", 9).size());
  EXPECT_EQ(ct::get_u32(b, 24), 1u);                                         // "int"
  EXPECT_EQ(ct::get_u32(b, 28), ct::btfc::kInt << 24);
  EXPECT_EQ(ct::get_u32(b, 24 + 16 + 4), 1u | ct::btfc::kStruct << 24 | 1u << 31);  // vlen, kind, kind_flag
  EXPECT_EQ(b.size(), 24u + 40u + 9u);
}

}  // namespace
