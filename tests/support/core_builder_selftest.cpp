// Self-tests of the synthetic core builder, bytes only: the hand-written offsets of the notes, the
// headers and the layout the builder reports, pinned field by field. The tools' view of the same
// files is core_builder_tools_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/support/core_builder.hpp"
#include "tests/support/core_builder_samples.hpp"

namespace ct = corelens::testing;
using ct::elfc::PF_R;
using ct::selftest::crashing_thread;
using ct::selftest::kRax;
using ct::selftest::kRip;
using ct::selftest::kRsp;
using ct::selftest::sample_builder;

namespace {

// ======================================================================= bytes, no tools

TEST(CoreBuilderEncoding, PrstatusFieldsSitAtKernelOffsets) {
  ct::ThreadSpec t = crashing_thread();
  t.sigpend = 0x100;
  t.sighold = 0x200;
  t.utime = {3, 4};
  t.cstime = {5, 6};
  t.regs["gs"] = 0x55;
  t.regs["r15"] = 0x15;
  const auto b = ct::CoreBuilder::encode_prstatus(t);
  ASSERT_EQ(b.size(), 336u);
  EXPECT_EQ(ct::get_u32(b, 0), 11u);      // pr_info.si_signo (defaults to cursig)
  EXPECT_EQ(ct::get_u16(b, 12), 11u);     // pr_cursig
  EXPECT_EQ(ct::get_u64(b, 16), 0x100u);  // pr_sigpend
  EXPECT_EQ(ct::get_u64(b, 24), 0x200u);  // pr_sighold
  EXPECT_EQ(ct::get_u32(b, 32), 4242u);   // pr_pid
  EXPECT_EQ(ct::get_u32(b, 36), 1u);      // pr_ppid
  EXPECT_EQ(ct::get_u64(b, 48), 3u);      // pr_utime.tv_sec
  EXPECT_EQ(ct::get_u64(b, 56), 4u);      // pr_utime.tv_usec
  EXPECT_EQ(ct::get_u64(b, 96), 5u);      // pr_cstime.tv_sec
  EXPECT_EQ(ct::get_u64(b, 112), 0x15u);  // pr_reg[0] = r15
  EXPECT_EQ(ct::get_u64(b, 112 + 8 * 10), kRax);
  EXPECT_EQ(ct::get_u64(b, 112 + 8 * 16), kRip);
  EXPECT_EQ(ct::get_u64(b, 112 + 8 * 19), kRsp);
  EXPECT_EQ(ct::get_u64(b, 112 + 8 * 26), 0x55u);  // pr_reg[26] = gs
  EXPECT_EQ(ct::get_u32(b, 328), 1u);              // pr_fpvalid
  EXPECT_EQ(ct::reg_index("orig_rax"), 15u);
  EXPECT_EQ(ct::reg_index("fs_base"), 21u);
}

TEST(CoreBuilderEncoding, ProcessNotesSitAtKernelOffsets) {
  ct::PsInfoSpec p;
  p.sname = 'S';
  p.nice = -5;
  p.flag = 0x400040;
  p.uid = 1000;
  p.gid = 100;
  p.pid = 77;
  p.sid = 9;
  p.fname = "exactly16charsxx";
  p.psargs = "a b";
  const auto ps = ct::CoreBuilder::encode_prpsinfo(p);
  ASSERT_EQ(ps.size(), 136u);
  EXPECT_EQ(ps[1], 'S');
  EXPECT_EQ(ps[3], 0xfb);
  EXPECT_EQ(ct::get_u64(ps, 8), 0x400040u);
  EXPECT_EQ(ct::get_u32(ps, 16), 1000u);
  EXPECT_EQ(ct::get_u32(ps, 20), 100u);
  EXPECT_EQ(ct::get_u32(ps, 24), 77u);
  EXPECT_EQ(ct::get_u32(ps, 36), 9u);
  EXPECT_EQ(std::string(ps.begin() + 40, ps.begin() + 56), "exactly16charsxx");  // no NUL
  EXPECT_EQ(std::string(ps.begin() + 56, ps.begin() + 59), "a b");

  ct::SigInfoSpec fault{.signo = 7, .errno_ = 5, .code = 2, .addr = 0x1234};
  auto si = ct::CoreBuilder::encode_siginfo(fault);
  ASSERT_EQ(si.size(), 128u);
  EXPECT_EQ(ct::get_u32(si, 0), 7u);
  EXPECT_EQ(ct::get_u32(si, 4), 5u);
  EXPECT_EQ(ct::get_u32(si, 8), 2u);  // si_code comes after si_errno in siginfo_t
  EXPECT_EQ(ct::get_u64(si, 16), 0x1234u);
  ct::SigInfoSpec kill{.signo = 6, .errno_ = 0, .code = -6, .pid = 99, .uid = 1000};
  si = ct::CoreBuilder::encode_siginfo(kill);
  EXPECT_EQ(ct::get_u32(si, 16), 99u);
  EXPECT_EQ(ct::get_u32(si, 20), 1000u);

  const auto av = ct::CoreBuilder::encode_auxv({{6, 4096}});
  ASSERT_EQ(av.size(), 32u);  // AT_NULL appended
  EXPECT_EQ(ct::get_u64(av, 16), 0u);
  EXPECT_EQ(ct::CoreBuilder::encode_auxv({{6, 4096}, {0, 0}}).size(), 32u);

  const auto fn = ct::CoreBuilder::encode_file_note(4096, {{0x1000, 0x3000, 2, "/a"}, {5, 6, 7, "/bc"}});
  ASSERT_EQ(fn.size(), 16u + 48u + 3u + 4u);  // unpadded, as the kernel sets descsz
  EXPECT_EQ(ct::get_u64(fn, 0), 2u);
  EXPECT_EQ(ct::get_u64(fn, 8), 4096u);
  EXPECT_EQ(ct::get_u64(fn, 16 + 8), 0x3000u);
  EXPECT_EQ(ct::get_u64(fn, 16 + 24 + 16), 7u);
  EXPECT_EQ(std::string(fn.begin() + 64, fn.end()), std::string("/a\0/bc\0", 7));
}

TEST(CoreBuilderEncoding, FxsaveAndXsaveOffsets) {
  const auto t = crashing_thread();
  const auto fx = ct::CoreBuilder::encode_fxsave(*t.fpregs);
  ASSERT_EQ(fx.size(), 512u);
  EXPECT_EQ(ct::get_u16(fx, 0), 0x37fu);
  EXPECT_EQ(ct::get_u32(fx, 24), 0x1fa0u);
  EXPECT_EQ(ct::get_u32(fx, 28), 0xffffu);
  EXPECT_EQ(fx[32 + 9], 0x3f);   // st0 top byte
  EXPECT_EQ(fx[160 + 16], 0xab);  // xmm1 byte 0
  const auto xs = ct::CoreBuilder::encode_xstate(*t.xstate);
  ASSERT_EQ(xs.size(), 832u);
  EXPECT_EQ(ct::get_u64(xs, 464), 7u);  // XCR0 in sw_reserved
  EXPECT_EQ(ct::get_u64(xs, 512), 7u);  // XSTATE_BV
  EXPECT_EQ(xs[576 + 16], 0xcd);        // ymm1 upper half byte 0
  ct::XState big;
  big.size = 2688;
  EXPECT_EQ(ct::CoreBuilder::encode_xstate(big).size(), 2688u);
  ct::XState small;
  small.size = 600;
  small.ymmh.emplace();
  EXPECT_THROW(ct::CoreBuilder::encode_xstate(small), std::invalid_argument);
}

TEST(CoreBuilderEncoding, UnknownRegisterNameThrows) {
  ct::ThreadSpec t;
  t.regs = {{"rpi", 1}};
  EXPECT_THROW(ct::CoreBuilder().add_thread(t), std::invalid_argument);
}

TEST(CoreBuilderLayout, HeaderProgramHeadersAndNotesAgreeWithLayout) {
  const auto core = sample_builder().add_raw_note("GDB", ct::elfc::NT_GDB_TDESC, {'<', '/', '>'}).build();
  const auto& b = core.bytes;
  const auto& L = core.layout;
  ASSERT_EQ(b.size(), L.file_size);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "\x7f" "ELF");
  EXPECT_EQ(b[4], 2);                    // ELFCLASS64
  EXPECT_EQ(b[5], 1);                    // little-endian
  EXPECT_EQ(ct::get_u16(b, 16), 4u);     // ET_CORE
  EXPECT_EQ(ct::get_u16(b, 18), 62u);    // EM_X86_64
  EXPECT_EQ(ct::get_u64(b, 32), 64u);    // e_phoff
  EXPECT_EQ(ct::get_u16(b, 54), 56u);    // e_phentsize
  EXPECT_EQ(ct::get_u16(b, 56), 4u);     // e_phnum: NOTE + 3 LOAD
  EXPECT_EQ(L.phdr_offset, 64u);
  EXPECT_EQ(ct::get_u32(b, L.note_phdr_offset), 4u);  // PT_NOTE first
  EXPECT_EQ(ct::get_u64(b, L.note_phdr_offset + 8), L.notes_offset);
  EXPECT_EQ(ct::get_u64(b, L.note_phdr_offset + 32), L.notes_size);
  EXPECT_EQ(L.notes_offset, 64u + 4 * 56);
  std::uint64_t expect = L.notes_offset;
  for (const auto& n : L.notes) {
    EXPECT_EQ(n.header_offset, expect);
    EXPECT_EQ(n.header_offset % 4, 0u);
    EXPECT_EQ(ct::get_u32(b, n.header_offset), n.name.size() + 1);
    EXPECT_EQ(ct::get_u32(b, n.header_offset + 4), n.desc_size);
    EXPECT_EQ(ct::get_u32(b, n.header_offset + 8), n.type);
    EXPECT_EQ(std::string(b.begin() + static_cast<std::ptrdiff_t>(n.name_offset),
                          b.begin() + static_cast<std::ptrdiff_t>(n.name_offset + n.name.size() + 1)),
              n.name + std::string(1, '\0'));
    EXPECT_EQ(n.desc_offset, n.name_offset + (n.name.size() + 4) / 4 * 4);
    EXPECT_EQ(n.end_offset, n.desc_offset + (n.desc_size + 3) / 4 * 4);
    expect = n.end_offset;
  }
  EXPECT_EQ(expect, L.notes_offset + L.notes_size);
  EXPECT_EQ(L.notes.back().desc_size, 3u);  // raw note, padded to 4 in the file
  ASSERT_EQ(L.segments.size(), 3u);
  EXPECT_EQ(L.segments[0].data_offset, 4096u);
  EXPECT_EQ(L.segments[1].data_offset, 8192u);
  EXPECT_EQ(L.segments[2].data_offset, 12288u);  // 100-byte segment before it: next page
  EXPECT_EQ(L.file_size, 12288u + 8192u);
  for (const auto& s : L.segments) {
    EXPECT_EQ(ct::get_u32(b, s.phdr_offset), 1u);  // PT_LOAD
    EXPECT_EQ(ct::get_u32(b, s.phdr_offset + 4), s.flags);
    EXPECT_EQ(ct::get_u64(b, s.phdr_offset + 8), s.data_offset);
    EXPECT_EQ(ct::get_u64(b, s.phdr_offset + 16), s.vaddr);
    EXPECT_EQ(ct::get_u64(b, s.phdr_offset + 32), s.filesz);
    EXPECT_EQ(ct::get_u64(b, s.phdr_offset + 40), s.memsz);
    EXPECT_EQ(ct::get_u64(b, s.phdr_offset + 48), 4096u);
  }
  EXPECT_EQ(b[L.segments[1].data_offset + 99], 0xcc);
  EXPECT_EQ(ct::get_u64(b, L.note(ct::elfc::NT_PRSTATUS, 1).desc_offset + 112 + 8 * 16), 0x401200u);
  EXPECT_EQ(ct::get_u16(b, L.note(ct::elfc::NT_PRSTATUS, 1).desc_offset + 12), 11u);  // inherited
  EXPECT_THROW((void)L.note(ct::elfc::NT_PRSTATUS, 2), std::out_of_range);
}

std::vector<std::pair<std::string, std::uint32_t>> order_of(const ct::CoreLayout& L) {
  std::vector<std::pair<std::string, std::uint32_t>> v;
  for (const auto& n : L.notes) v.emplace_back(n.name, n.type);
  return v;
}

TEST(CoreBuilderLayout, KernelAndGcoreNoteOrder) {
  using namespace ct::elfc;
  using V = std::vector<std::pair<std::string, std::uint32_t>>;
  const V kernel = {{"CORE", NT_PRSTATUS}, {"CORE", NT_PRPSINFO}, {"CORE", NT_SIGINFO},
                    {"CORE", NT_AUXV},     {"CORE", NT_FILE},     {"CORE", NT_PRFPREG},
                    {"LINUX", NT_X86_XSTATE}, {"CORE", NT_PRSTATUS}};
  EXPECT_EQ(order_of(sample_builder().build().layout), kernel);
  const V gcore = {{"CORE", NT_PRPSINFO}, {"CORE", NT_PRSTATUS},    {"CORE", NT_PRFPREG},
                   {"LINUX", NT_X86_XSTATE}, {"CORE", NT_SIGINFO}, {"CORE", NT_PRSTATUS},
                   {"CORE", NT_AUXV},     {"CORE", NT_FILE}};
  EXPECT_EQ(order_of(sample_builder().note_order(ct::NoteOrder::Gcore).build().layout), gcore);
  const auto raw = sample_builder()
                       .add_raw_note("LINUX", NT_X86_XSAVE_LAYOUT, std::vector<std::uint8_t>(64))
                       .add_raw_note("X", 9, {}, ct::RawNotePlacement::AtStart)
                       .build()
                       .layout;
  EXPECT_EQ(raw.notes.front().name, "X");
  EXPECT_EQ(raw.notes.back().type, NT_X86_XSAVE_LAYOUT);
  EXPECT_EQ(raw.notes.back().thread, -1);
  EXPECT_EQ(raw.note(NT_PRFPREG).thread, 0);
}

TEST(CoreBuilderLayout, HeaderOverridesAndClass32) {
  const auto c32 = ct::CoreBuilder().elf_class32().build().bytes;
  ASSERT_EQ(c32.size(), 52u);
  EXPECT_EQ(c32[4], 1);                   // ELFCLASS32
  EXPECT_EQ(ct::get_u16(c32, 18), 3u);    // EM_386
  EXPECT_EQ(ct::get_u16(c32, 40), 52u);   // e_ehsize
  const auto arm = ct::CoreBuilder().machine(ct::elfc::EM_AARCH64).type(ct::elfc::ET_DYN).build();
  EXPECT_EQ(ct::get_u16(arm.bytes, 16), 3u);
  EXPECT_EQ(ct::get_u16(arm.bytes, 18), 183u);
  const auto bare = ct::CoreBuilder().without_note_segment().add_segment(0x1000, 0x1000, PF_R, {1}).build();
  EXPECT_EQ(bare.layout.phnum, 1u);
  EXPECT_TRUE(bare.layout.notes.empty());
  EXPECT_EQ(bare.layout.segments[0].data_offset, 4096u);
  std::vector<std::uint8_t> tiny(4);
  EXPECT_THROW(ct::put_u64(tiny, 0, 1), std::out_of_range);
}

}  // namespace
