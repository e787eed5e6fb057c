// Self-tests of the synthetic core builder against independent tools, the real point of them (the
// byte-level tests are core_builder_selftest.cpp): eu-readelf (elfutils), readelf (binutils) and
// gdb each decode the built files with their own knowledge of the kernel's layouts, and one test
// compares the builder against a core that this machine's kernel writes (where cores go
// elsewhere: a failure, unless CORELENS_SKIP names kernel-cores). A missing tool fails its tests,
// naming the Debian package to install.
#include "tests/support/core_builder.hpp"
#include "tests/support/core_builder_samples.hpp"
#include "tests/support/core_pattern.hpp"
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
using ct::selftest::crashing_thread;
using ct::selftest::kRax;
using ct::selftest::kRip;
using ct::selftest::kRsp;
using ct::selftest::sample_builder;

namespace {

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

// Extended numbering (PN_XNUM): binutils takes the real count from section header 0.
TEST_F(CoreBuilderTools, BinutilsReadelfReadsExtendedNumbering) {
  REQUIRE_TOOL("readelf", "binutils");
  const auto core = sample_builder().extended_numbering().write(dir_ / "xnum.core");
  const std::size_t phnum = core.layout.segments.size() + 1;
  const auto r = run("readelf -h -l " + quoted(dir_ / "xnum.core"));
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string s = squash(r.out);
  EXPECT_TRUE(contains(s, "Number of program headers: 65535 (" + std::to_string(phnum) + ")")) << s;
  EXPECT_TRUE(contains(s, "Number of section headers: 1")) << s;
  std::size_t loads = 0;  // every program header listed from the real count
  for (std::size_t at = s.find("\nLOAD "); at != std::string::npos; at = s.find("\nLOAD ", at + 1)) ++loads;
  EXPECT_EQ(loads, core.layout.segments.size()) << s;
  EXPECT_TRUE(contains(s, "\nNOTE ")) << s;
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

namespace {

// Every machine the builder knows, in its own class and byte order: eu-readelf decodes each
// one's NT_PRSTATUS only when the size matches its own layout of that machine.
TEST_F(CoreBuilderTools, EuReadelfDecodesTheNotesOfEveryMachine) {
  REQUIRE_TOOL("eu-readelf", "elfutils");
  struct Machine {
    const char* name;
    ct::ElfFormat format;
    const char* pc;  // how eu-readelf prints the pc register's slot (slot N holds 0x100 + N)
  };
  const Machine machines[] = {{"aarch64", {true, false, ct::elfc::EM_AARCH64}, "pc: 0x0000000000000120"},
                              {"i386", {false, false, ct::elfc::EM_386}, "eip: 0x0000010c"},
                              {"arm", {false, false, ct::elfc::EM_ARM}, "pc: 0x0000010f"},
                              {"ppc64le", {true, false, ct::elfc::EM_PPC64}, "nip: 0x0000000000000120"},
                              {"s390x", {true, true, ct::elfc::EM_S390}, "pswa: 0x0000000000000101"}};
  for (const Machine& m : machines) {
    SCOPED_TRACE(m.name);
    const ct::PrStatusLayout layout = ct::prstatus_layout(m.format);
    ct::ThreadSpec t;
    t.tid = t.pgrp = t.sid = 77;
    t.ppid = 1;
    t.cursig = 11;
    for (std::size_t i = 0; i < layout.slots; ++i) t.reg_slots.push_back(0x100 + i);
    ct::PsInfoSpec ps;
    ps.pid = 77;
    ps.uid = 1000;
    ps.fname = "crashy";
    ps.psargs = "./crashy --now";
    const fs::path path = dir_ / (std::string(m.name) + ".core");
    ct::CoreBuilder()
        .format(m.format)
        .add_thread(t)
        .set_prpsinfo(ps)
        .set_siginfo({.signo = 11, .code = 1, .addr = 0x1234})
        .set_auxv({{6, 4096}, {9, 0x10000}})
        .add_segment(0x10000, 0x1000, PF_R, std::vector<std::uint8_t>(0x100, 0x90))
        .write(path);
    const auto r = run("eu-readelf --notes --program-headers " + quoted(path));
    ASSERT_EQ(r.status, 0) << r.out;
    const auto rows = eu_note_rows(r.out);
    ASSERT_GE(rows.size(), 4u) << r.out;
    EXPECT_EQ(rows[0], NoteRow("CORE", layout.size, "PRSTATUS")) << r.out;
    EXPECT_EQ(std::get<2>(rows[1]), "PRPSINFO") << r.out;
    const std::string s = squash(r.out);
    EXPECT_TRUE(contains(s, "info.si_signo: 11, info.si_code: 0, info.si_errno: 0, cursig: 11")) << s;
    EXPECT_TRUE(contains(s, "pid: 77, ppid: 1, pgrp: 77, sid: 77")) << s;
    EXPECT_TRUE(contains(s, "fname: crashy, psargs: ./crashy --now")) << s;
    EXPECT_TRUE(contains(s, "PAGESZ: 4096\nENTRY: 0x10000\nNULL")) << s;
    EXPECT_TRUE(contains(s, "si_signo: 11, si_errno: 0, si_code: 1")) << s;
    EXPECT_TRUE(contains(s, "fault address: 0x1234")) << s;
    EXPECT_TRUE(contains(s, m.pc)) << s;
    EXPECT_TRUE(contains(s, "LOAD")) << s;
  }
}

}  // namespace
