// Self-tests of the synthetic core builder. The byte-level tests pin the hand-written offsets;
// the tool tests are the real point: eu-readelf (elfutils), readelf (binutils) and gdb each decode
// the built files with their own knowledge of the kernel's layouts, and one test compares the
// builder against a core that this machine's kernel writes (where cores go elsewhere: a failure,
// unless CORELENS_SKIP names kernel-cores). A missing tool fails its tests, naming the Debian
// package to install.
#include "tests/support/core_builder.hpp"
#include "tests/support/kernel_cores.hpp"
#include "tests/support/opt_out.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace ct = corelens::testing;
namespace fs = std::filesystem;
using ct::elfc::PF_R;
using ct::elfc::PF_W;
using ct::elfc::PF_X;

namespace {

constexpr std::uint64_t kRip = 0x401136;
constexpr std::uint64_t kRsp = 0x7ffc0000f000;
constexpr std::uint64_t kRax = 0x1122334455667788;
constexpr std::uint64_t kFaultAddr = 0xdeadbeef;

ct::ThreadSpec crashing_thread() {
  ct::ThreadSpec t;
  t.tid = 4242;
  t.cursig = 11;
  t.ppid = 1;
  t.pgrp = 4242;
  t.sid = 4242;
  t.regs = {{"rip", kRip}, {"rsp", kRsp}, {"rax", kRax}, {"cs", 0x33}, {"ss", 0x2b},
            {"eflags", 0x246}, {"fs_base", 0x7f0000001000}};
  ct::FxSave fx;
  fx.mxcsr = 0x1fa0;  // default | PE
  fx.xmm[1][0] = 0xab;
  fx.st[0] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};  // 1.0L
  t.fpregs = fx;
  ct::XState xs;
  xs.legacy = fx;
  xs.ymmh.emplace();
  (*xs.ymmh)[1][0] = 0xcd;
  t.xstate = xs;
  return t;
}

ct::CoreBuilder sample_builder() {
  ct::ThreadSpec second;
  second.tid = 4243;
  second.info_code = 2;  // not what the kernel writes (0, 0): distinct values pin the order
  second.info_errno = 3;
  second.regs = {{"rip", 0x401200}};
  ct::PsInfoSpec ps;
  ps.pid = 4242;
  ps.ppid = 1;
  ps.uid = 1000;
  ps.gid = 1000;
  ps.fname = "crashy";
  ps.psargs = "./crashy --boom";
  ct::SigInfoSpec si;
  si.signo = 11;
  si.code = 1;  // SEGV_MAPERR
  si.addr = kFaultAddr;
  ct::CoreBuilder b;
  b.add_thread(crashing_thread())
      .add_thread(second)
      .set_prpsinfo(ps)
      .set_siginfo(si)
      .set_auxv({{6, 4096}, {9, 0x401000}})  // AT_PAGESZ, AT_ENTRY
      .set_file_note(4096, {{0x400000, 0x401000, 0, "/usr/bin/crashy"},
                            {0x401000, 0x403000, 1, "/usr/bin/crashy"}})
      .add_segment(0x400000, 0x1000, PF_R, std::vector<std::uint8_t>(4096, 0x7f))
      .add_segment(0x401000, 0x2000, PF_R | PF_X, std::vector<std::uint8_t>(100, 0xcc))
      .add_segment(0x7ffc0000e000, 0x2000, PF_R | PF_W, std::vector<std::uint8_t>(8192, 0x11));
  return b;
}

// ---- running tools
struct CmdResult {
  int status = -1;
  std::string out;  // stdout + stderr
};
CmdResult run(const std::string& cmd) {
  CmdResult r;
  const std::string full = "LC_ALL=C timeout 120 " + cmd + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}
bool have_tool(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}
// The whole suite needs these (.ci/install-deps installs them): missing, the test fails.
#define REQUIRE_TOOL(tool, package) \
  if (!have_tool(tool)) FAIL() << tool << " is not installed (Debian package " << package << ")"

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// Collapses runs of blanks so that column alignment in tool output does not matter.
std::string squash(const std::string& s) {
  std::string out;
  bool blank = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      blank = true;
      continue;
    }
    if (blank && !out.empty() && out.back() != '\n') out.push_back(' ');
    blank = false;
    out.push_back(c);
  }
  return out;
}
std::string hex(std::uint64_t v, int width = 0) {
  std::ostringstream os;
  os << "0x" << std::hex;
  if (width > 0) {
    os.width(width);
    os.fill('0');
  }
  os << v;
  return os.str();
}

// "Owner / size / type" rows of `eu-readelf -n` (detail lines are indented deeper).
using NoteRow = std::tuple<std::string, std::uint64_t, std::string>;
std::vector<NoteRow> eu_note_rows(const std::string& out) {
  static const std::regex row(R"(^  (\S+) +([0-9]+)  (\S.*)$)");
  std::vector<NoteRow> rows;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) rows.emplace_back(m[1], std::stoull(m[2]), m[3]);
  }
  return rows;
}
// Rows of binutils `readelf -n`: owner, hex size, "NT_..." or "Unknown note type: (0x...)".
std::vector<NoteRow> binutils_note_rows(const std::string& out) {
  static const std::regex row(R"(^  (\S+)\s+0x([0-9a-f]+)\s+(NT_[A-Z0-9_]+|Unknown note type: \(0x[0-9a-f]+\)).*$)");
  std::vector<NoteRow> rows;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) rows.emplace_back(m[1], std::stoull(m[2], nullptr, 16), m[3]);
  }
  return rows;
}
bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

class CoreBuilderTools : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "corelens_core_builder_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

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

// ======================================================================= independent tools

TEST_F(CoreBuilderTools, EuReadelfDecodesEveryNote) {
  REQUIRE_TOOL("eu-readelf", "elfutils");
  const auto core = sample_builder().write(dir_ / "sample.core");
  const auto r = run("eu-readelf --notes " + quoted(dir_ / "sample.core"));
  ASSERT_EQ(r.status, 0) << r.out;
  const std::vector<NoteRow> expected = {
      {"CORE", 336, "PRSTATUS"}, {"CORE", 136, "PRPSINFO"}, {"CORE", 128, "SIGINFO"},
      {"CORE", 48, "AUXV"},      {"CORE", 96, "FILE"},      {"CORE", 512, "FPREGSET"},
      {"LINUX", 832, "X86_XSTATE"}, {"CORE", 336, "PRSTATUS"}};
  EXPECT_EQ(eu_note_rows(r.out), expected) << r.out;
  const std::string s = squash(r.out);
  // eu-readelf only decodes a CORE note whose size matches its own x86_64 layout.
  EXPECT_TRUE(contains(s, "info.si_signo: 11, info.si_code: 0, info.si_errno: 0, cursig: 11")) << s;
  EXPECT_TRUE(contains(s, "pid: 4242, ppid: 1, pgrp: 4242, sid: 4242")) << s;
  EXPECT_TRUE(contains(s, "pid: 4243, ppid: 0, pgrp: 0, sid: 0")) << s;
  EXPECT_TRUE(contains(s, "info.si_signo: 11, info.si_code: 2, info.si_errno: 3, cursig: 11")) << s;
  EXPECT_TRUE(contains(s, "orig_rax: 0, fpvalid: 1")) << s;
  EXPECT_TRUE(contains(s, "rip: " + hex(kRip, 16))) << s;
  EXPECT_TRUE(contains(s, "rip: 0x0000000000401200")) << s;
  EXPECT_TRUE(contains(s, "rsp: " + hex(kRsp, 16))) << s;
  EXPECT_TRUE(contains(s, "rax: " + std::to_string(kRax))) << s;
  EXPECT_TRUE(contains(s, "rflags: 0x0000000000000246")) << s;
  EXPECT_TRUE(contains(s, "fs.base: 0x00007f0000001000")) << s;
  EXPECT_TRUE(contains(s, "cs: 0x0033 ss: 0x002b")) << s;
  EXPECT_TRUE(contains(s, "state: 0, sname: R, zomb: 0, nice: 0")) << s;
  EXPECT_TRUE(contains(s, "uid: 1000, gid: 1000, pid: 4242, ppid: 1")) << s;
  EXPECT_TRUE(contains(s, "fname: crashy, psargs: ./crashy --boom")) << s;
  EXPECT_TRUE(contains(s, "si_signo: 11, si_errno: 0, si_code: 1")) << s;
  EXPECT_TRUE(contains(s, "fault address: 0xdeadbeef")) << s;
  EXPECT_TRUE(contains(s, "PAGESZ: 4096\nENTRY: 0x401000\nNULL")) << s;
  EXPECT_TRUE(contains(s, "2 files:")) << s;
  EXPECT_TRUE(contains(s, "00400000-00401000 00000000 4096 /usr/bin/crashy")) << s;
  EXPECT_TRUE(contains(s, "00401000-00403000 00001000 8192 /usr/bin/crashy")) << s;  // pgoff*page, size
  EXPECT_TRUE(contains(s, "xmm1: 0x000000000000000000000000000000ab")) << s;
  EXPECT_TRUE(contains(s, "st0: 0x3fff8000000000000000")) << s;
  EXPECT_TRUE(contains(s, "mxcsr: 0x0000ffff00001fa0")) << s;  // mxcsr and mxcsr_mask
  EXPECT_TRUE(contains(s, "fcw: 0x037f")) << s;
}

TEST_F(CoreBuilderTools, EuReadelfDecodesKillSiginfo) {
  REQUIRE_TOOL("eu-readelf", "elfutils");
  ct::SigInfoSpec si{.signo = 15, .errno_ = 3, .code = 0, .pid = 321, .uid = 1000};  // SI_USER
  ct::CoreBuilder().add_thread(crashing_thread()).set_siginfo(si).write(dir_ / "kill.core");
  const auto r = run("eu-readelf -n " + quoted(dir_ / "kill.core"));
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string s = squash(r.out);
  EXPECT_TRUE(contains(s, "si_signo: 15, si_errno: 3, si_code: 0")) << s;
  EXPECT_TRUE(contains(s, "sender PID: 321, sender UID: 1000")) << s;
}

TEST_F(CoreBuilderTools, BinutilsReadelfListsNotesAndProgramHeaders) {
  REQUIRE_TOOL("readelf", "binutils");
  const auto core = sample_builder().write(dir_ / "sample.core");
  const auto r = run("readelf -n -l -W " + quoted(dir_ / "sample.core"));
  ASSERT_EQ(r.status, 0) << r.out;
  const std::vector<NoteRow> expected = {
      {"CORE", 336, "NT_PRSTATUS"}, {"CORE", 136, "NT_PRPSINFO"}, {"CORE", 128, "NT_SIGINFO"},
      {"CORE", 48, "NT_AUXV"},      {"CORE", 96, "NT_FILE"},      {"CORE", 512, "NT_FPREGSET"},
      {"LINUX", 832, "NT_X86_XSTATE"}, {"CORE", 336, "NT_PRSTATUS"}};
  EXPECT_EQ(binutils_note_rows(r.out), expected) << r.out;
  const std::string s = squash(r.out);
  const auto& L = core.layout;
  EXPECT_TRUE(contains(s, "Elf file type is CORE (Core file)")) << s;
  EXPECT_TRUE(contains(s, "There are 4 program headers, starting at offset 64")) << s;
  EXPECT_TRUE(contains(s, "NOTE " + hex(L.notes_offset, 6) + " 0x0000000000000000 0x0000000000000000 " +
                              hex(L.notes_size, 6) + " 0x000000 0x4"))
      << s;
  EXPECT_TRUE(contains(s, "notes found at file offset " + hex(L.notes_offset, 8) + " with length " +
                              hex(L.notes_size, 8)))
      << s;
  const char* flags[] = {"R", "R E", "RW"};
  for (std::size_t i = 0; i < L.segments.size(); ++i) {
    const auto& g = L.segments[i];
    const std::string row = "LOAD " + hex(g.data_offset, 6) + " " + hex(g.vaddr, 16) +
                            " 0x0000000000000000 " + hex(g.filesz, 6) + " " + hex(g.memsz, 6) + " " +
                            flags[i] + " 0x1000";
    EXPECT_TRUE(contains(s, row)) << row << "\n" << s;
  }
}

TEST_F(CoreBuilderTools, BinutilsReadelfSeesGcoreOrderRawNotesAndHeaders) {
  REQUIRE_TOOL("readelf", "binutils");
  sample_builder()
      .note_order(ct::NoteOrder::Gcore)
      .add_raw_note("LINUX", ct::elfc::NT_X86_XSAVE_LAYOUT, std::vector<std::uint8_t>(64, 1))
      .add_raw_note("GDB", ct::elfc::NT_GDB_TDESC, {'<', 't', '/', '>', 0})
      .write(dir_ / "gcore.core");
  auto r = run("readelf -n " + quoted(dir_ / "gcore.core"));
  ASSERT_EQ(r.status, 0) << r.out;
  const auto rows = binutils_note_rows(r.out);
  ASSERT_GE(rows.size(), 10u) << r.out;
  EXPECT_EQ(std::get<2>(rows[0]), "NT_PRPSINFO");
  EXPECT_EQ(std::get<2>(rows[1]), "NT_PRSTATUS");
  EXPECT_EQ(std::get<2>(rows[4]), "NT_SIGINFO");
  EXPECT_EQ(rows[8], NoteRow("LINUX", 64, "Unknown note type: (0x00000205)"));
  EXPECT_EQ(std::get<0>(rows[9]), "GDB");
  EXPECT_EQ(std::get<1>(rows[9]), 5u);

  ct::CoreBuilder().machine(ct::elfc::EM_AARCH64).add_thread(crashing_thread()).write(dir_ / "arm.core");
  ct::CoreBuilder().type(ct::elfc::ET_EXEC).write(dir_ / "exec.core");
  ct::CoreBuilder().elf_class32().write(dir_ / "c32.core");
  r = run("readelf -h " + quoted(dir_ / "arm.core"));
  EXPECT_TRUE(contains(squash(r.out), "Machine: AArch64")) << r.out;
  EXPECT_TRUE(contains(squash(r.out), "Type: CORE (Core file)")) << r.out;
  r = run("readelf -h " + quoted(dir_ / "exec.core"));
  EXPECT_TRUE(contains(squash(r.out), "Type: EXEC (Executable file)")) << r.out;
  EXPECT_TRUE(contains(squash(r.out), "Machine: Advanced Micro Devices X86-64")) << r.out;
  r = run("readelf -h " + quoted(dir_ / "c32.core"));
  EXPECT_TRUE(contains(squash(r.out), "Class: ELF32")) << r.out;
  EXPECT_TRUE(contains(squash(r.out), "Machine: Intel 80386")) << r.out;
}

TEST_F(CoreBuilderTools, DamageLandsWhereTheLayoutSays) {
  REQUIRE_TOOL("readelf", "binutils");
  const auto core = sample_builder().build();
  const auto& ps = core.layout.note(ct::elfc::NT_PRPSINFO);
  auto bad = core.bytes;
  ct::put_u32(bad, ps.header_offset + 4, 0xffffffff);
  ct::write_file(dir_ / "bad.core", bad);
  auto r = run("readelf -n " + quoted(dir_ / "bad.core"));
  // binutils reports the broken note by its offset inside the note segment.
  EXPECT_TRUE(contains(r.out, "invalid namesz and/or descsz found at offset " +
                                  hex(ps.header_offset - core.layout.notes_offset)))
      << r.out;
  EXPECT_TRUE(contains(r.out, "type: 0x3, namesize: 0x5, descsize: 0xffffffff")) << r.out;

  auto cut = core.bytes;
  cut.resize(core.layout.note(ct::elfc::NT_PRSTATUS).desc_offset + 100);
  ct::write_file(dir_ / "cut.core", cut);
  r = run("readelf -n " + quoted(dir_ / "cut.core"));
  EXPECT_TRUE(contains(r.out, "extends past end of file")) << r.out;
}

TEST_F(CoreBuilderTools, GdbReadsRegistersThreadsSignalFilesAndMemory) {
  REQUIRE_TOOL("gdb", "gdb");
  sample_builder().write(dir_ / "sample.core");
  const auto r = run(
      "gdb -batch -nx -iex 'set debuginfod enabled off' -ex 'info registers rip' "
      "-ex 'info registers rax eflags' -ex 'info threads' -ex 'p/x $xmm1.v16_int8[0]' "
      "-ex 'p/x $ymm1.v32_int8[16]' -ex 'p/x $mxcsr' -ex 'p $_siginfo._sifields._sigfault.si_addr' "
      "-ex 'x/2xb 0x401063' -ex 'x/1xb 0x7ffc0000f000' -ex 'info proc mappings' -core " +
      quoted(dir_ / "sample.core"));
  const std::string s = squash(r.out);
  EXPECT_TRUE(contains(s, "Core was generated by `./crashy --boom'.")) << s;  // pr_psargs
  EXPECT_TRUE(contains(s, "Program terminated with signal SIGSEGV")) << s;     // pr_cursig
  EXPECT_TRUE(contains(s, "rip " + hex(kRip) + " " + hex(kRip))) << s;
  EXPECT_TRUE(contains(s, "rax " + hex(kRax) + " " + std::to_string(kRax))) << s;
  EXPECT_TRUE(contains(s, "eflags 0x246 [ PF ZF IF ]")) << s;
  EXPECT_TRUE(contains(s, "LWP 4242 " + hex(kRip, 16))) << s;
  EXPECT_TRUE(contains(s, "LWP 4243 0x0000000000401200")) << s;
  EXPECT_TRUE(contains(s, "= 0xab")) << s;  // xmm1 from NT_PRFPREG/XSTATE legacy area
  EXPECT_TRUE(contains(s, "= 0xcd")) << s;  // ymm1 upper half from NT_X86_XSTATE at 576
  EXPECT_TRUE(contains(s, "= [ PE IM DM ZM OM UM PM ]") || contains(s, "= 0x1fa0")) << s;
  EXPECT_TRUE(contains(s, "(void *) 0xdeadbeef")) << s;  // NT_SIGINFO
  EXPECT_TRUE(contains(s, "0x401063: 0xcc 0x00")) << s;  // last saved byte, then unsaved tail
  EXPECT_TRUE(contains(s, "0x7ffc0000f000: 0x11")) << s;
  EXPECT_TRUE(contains(s, "0x401000 0x403000 0x2000 0x1000 /usr/bin/crashy")) << s;  // NT_FILE
}

// Lets this machine's kernel dump a forked child, then checks that the builder writes the same
// note sequence and fixed sizes, and the same segment conventions. Where cores are piped to a
// helper (systemd-coredump, apport) or written elsewhere, it fails unless CORELENS_SKIP names
// kernel-cores.
TEST_F(CoreBuilderTools, MatchesARealKernelCoreOfThisMachine) {
  REQUIRE_TOOL("eu-readelf", "elfutils");
  REQUIRE_TOOL("readelf", "binutils");
  const std::string problem = ct::kernel_core_problem();
  CORELENS_REQUIRE("kernel-cores", problem.empty(), "the kernel writes no core into the working directory: " + problem);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    if (chdir(dir_.c_str()) != 0 || setrlimit(RLIMIT_CORE, &unlimited) != 0) _exit(2);
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
    _exit(3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WCOREDUMP(status)) << "the child did not dump core (status " << status << ")";
  const auto cores = ct::elf_core_files(dir_.string());
  ASSERT_EQ(cores.size(), 1u) << "the kernel said it dumped core, but " << dir_ << " holds " << cores.size() << " cores";
  const fs::path real = cores.front();
  auto r = run("eu-readelf -n " + quoted(real));
  const auto real_rows = eu_note_rows(r.out);
  ASSERT_FALSE(real_rows.empty()) << r.out;

  // Build the same shape: one thread with FP state of the real xsave size, plus whatever
  // trailing notes this kernel adds (e.g. LINUX 0x205 = NT_X86_XSAVE_LAYOUT on 6.x).
  ct::ThreadSpec t = crashing_thread();
  ct::CoreBuilder b;
  for (const auto& [owner, size, type] : real_rows) {
    if (type == "X86_XSTATE") t.xstate->size = size;
  }
  b.add_thread(t).set_prpsinfo({}).set_siginfo({}).set_auxv({{6, 4096}});
  b.set_file_note(4096, {{0x400000, 0x401000, 0, "/x"}});
  bool after_xstate = false;
  for (const auto& [owner, size, type] : real_rows) {
    if (after_xstate && type.starts_with("<unknown>: ")) {
      b.add_raw_note(owner, static_cast<std::uint32_t>(std::stoul(type.substr(11))),
                     std::vector<std::uint8_t>(size));
    }
    after_xstate = after_xstate || type == "X86_XSTATE";
  }
  b.add_segment(0x400000, 0x1000, PF_R, std::vector<std::uint8_t>(4096));
  b.write(dir_ / "built.core");
  r = run("eu-readelf -n " + quoted(dir_ / "built.core"));
  const auto built_rows = eu_note_rows(r.out);
  ASSERT_EQ(built_rows.size(), real_rows.size()) << r.out;
  for (std::size_t i = 0; i < real_rows.size(); ++i) {
    const auto& [owner, size, type] = real_rows[i];
    EXPECT_EQ(std::get<0>(built_rows[i]), owner) << "note " << i;
    EXPECT_EQ(std::get<2>(built_rows[i]), type) << "note " << i;
    if (type != "AUXV" && type != "FILE") {
      EXPECT_EQ(std::get<1>(built_rows[i]), size) << type;
    }
  }
  // Segment conventions: PT_NOTE first with p_align 4, PT_LOAD p_align 0x1000, data page-aligned.
  const std::regex note_row(R"(\nNOTE (0x[0-9a-f]+) 0x0+ 0x0+ (0x[0-9a-f]+) 0x0+ (0x[0-9a-f]+)\n)");
  const std::regex load_row(R"(\nLOAD (0x[0-9a-f]+) 0x[0-9a-f]+ 0x0+ 0x[0-9a-f]+ 0x[0-9a-f]+ [RWE ]*(0x[0-9a-f]+)\n)");
  for (const fs::path& f : {real, dir_ / "built.core"}) {
    const std::string s = squash(run("readelf -l -W " + quoted(f)).out);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(s, m, note_row)) << s;
    EXPECT_EQ(m[3].str(), "0x4") << f;
    ASSERT_TRUE(std::regex_search(s, m, load_row)) << s;
    EXPECT_EQ(std::stoull(m[1].str(), nullptr, 16) % 4096, 0u) << f;
    EXPECT_EQ(m[2].str(), "0x1000") << f;
    EXPECT_LT(s.find("\nNOTE "), s.find("\nLOAD ")) << f;
  }
}

}  // namespace
