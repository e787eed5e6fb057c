// parse_elf_core on synthetic cores of every architecture it reads: 64- and 32-bit ELF classes,
// little- and big-endian, each architecture's NT_PRSTATUS layout and register names, the 32-bit
// NT_PRPSINFO and NT_AUXV layouts; and the modules of a core without NT_FILE, from a link map
// laid out in the core's memory (with a cycle, a damaged entry, a static executable).
//
// The cores come from the test-only CoreBuilder (tests/support), whose layouts are written from
// the kernel's headers (arch/*/include/uapi/asm/ptrace.h, include/uapi/linux/elfcore.h), not from
// the parser's tables; the link map is laid out here after <link.h>.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "parsers/elf_core.hpp"
#include "tests/unit/unit_support.hpp"

namespace corelens::unit {
namespace {

// ---- Cores of any architecture, from the builder -------------------------------------------

using Encoding = ct::ElfFormat;

struct Note {
  std::uint32_t type;
  Bytes desc;
};
struct Load {
  std::uint64_t vaddr;
  Bytes data;
  std::uint32_t flags = ct::elfc::PF_R | ct::elfc::PF_W;
};

// NOTES ("CORE", in this order) and LOADS (16-byte aligned in the file, as qemu-user writes them).
Bytes build_core(Encoding e, const std::vector<Note>& notes, const std::vector<Load>& loads) {
  ct::CoreBuilder b;
  b.format(e).page_size(16);
  for (const auto& n : notes) b.add_raw_note("CORE", n.type, n.desc);
  for (const auto& l : loads) b.add_segment(l.vaddr, l.data.size(), l.flags, l.data);
  return b.build().bytes;
}

// NT_PRSTATUS of thread TID for E's machine: pr_reg slot I holds VALUE(I) for the first SLOTS.
Bytes prstatus(Encoding e, std::size_t slots, std::uint64_t (*value)(std::size_t), int tid, int signal) {
  ct::ThreadSpec t;
  t.tid = tid;
  t.cursig = static_cast<std::int16_t>(signal);
  for (std::size_t i = 0; i < slots; ++i) t.reg_slots.push_back(value(i));
  return ct::CoreBuilder::encode_prstatus(t, e);
}

std::uint64_t value64(std::size_t i) { return 0x1111000000000000ull + i; }
std::uint64_t value32(std::size_t i) { return 0x11110000u + i; }

// NT_PRPSINFO: state 'R', uid 1000 (16 bits in the 32-bit layouts of i386 and arm).
Bytes prpsinfo(Encoding e, int pid, const std::string& fname, const std::string& args) {
  ct::PsInfoSpec p;
  p.uid = 1000;
  p.pid = pid;
  p.fname = fname;
  p.psargs = args;
  return ct::CoreBuilder::encode_prpsinfo(p, e);
}

Bytes auxv(Encoding e, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& entries) {
  return ct::CoreBuilder::encode_auxv(entries, e);
}

struct ArchCase {
  const char* name;
  Encoding enc;
  std::size_t slots;
  int slot_bytes;
  std::vector<std::pair<std::size_t, std::string>> named;  // pr_reg slot -> the name reports use
  const char* pc;
};

const std::vector<ArchCase>& arch_cases() {
  static const std::vector<ArchCase> cases = {
      // user_pt_regs: regs[31], sp, pc, pstate.
      {"aarch64", {true, false, ct::elfc::EM_AARCH64}, 34, 8, {{0, "x0"}, {29, "x29"}, {30, "x30"}, {31, "sp"}, {32, "pc"}, {33, "pstate"}}, "pc"},
      // user_regs_struct (i386): ebx ecx edx esi edi ebp eax xds xes xfs xgs orig_eax eip xcs eflags esp xss.
      {"i386", {false, false, ct::elfc::EM_386}, 17, 4, {{0, "ebx"}, {6, "eax"}, {12, "eip"}, {14, "eflags"}, {15, "esp"}}, "eip"},
      // elf_gregset_t (arm): r0-r15, cpsr, orig_r0.
      {"arm", {false, false, ct::elfc::EM_ARM}, 18, 4, {{0, "r0"}, {11, "r11"}, {13, "sp"}, {14, "lr"}, {15, "pc"}, {16, "cpsr"}}, "pc"},
      // pt_regs (ppc64): gpr[32], nip, msr, orig_gpr3, ctr, link, xer, ccr, softe, trap, dar, dsisr, result.
      {"ppc64le", {true, false, ct::elfc::EM_PPC64}, 44, 8, {{1, "r1"}, {31, "r31"}, {32, "nip"}, {35, "ctr"}, {36, "lr"}, {43, "result"}}, "nip"},
  };
  return cases;
}

class ArchCores : public WithTempDir {};

TEST_F(ArchCores, RegistersThreadsAndProcessOfEachArchitecture) {
  for (const ArchCase& c : arch_cases()) {
    SCOPED_TRACE(c.name);
    std::uint64_t (*value)(std::size_t) = c.slot_bytes == 8 ? value64 : value32;
    Bytes core = build_core(c.enc,
                            {{ct::elfc::NT_PRSTATUS, prstatus(c.enc, c.slots, value, 77, 11)},
                             {ct::elfc::NT_PRPSINFO, prpsinfo(c.enc, 77, "crashy", "./crashy --now")},
                             {ct::elfc::NT_AUXV, auxv(c.enc, {{9, 0x10000}, {31, 0}})},
                             {ct::elfc::NT_PRSTATUS, prstatus(c.enc, c.slots, value, 78, 0)}},
                            {{0x20000, Bytes(64, 0)}});
    auto d = parse(core);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(to_string(d->arch), c.name);
    EXPECT_EQ(d->producer, "qemu-user");  // neither NT_SIGINFO nor NT_FILE
    ASSERT_EQ(d->threads.size(), 2u);
    EXPECT_EQ(d->threads[0].tid, 77);
    EXPECT_EQ(d->threads[1].tid, 78);
    EXPECT_EQ(d->threads[0].cursig, 11);
    ASSERT_EQ(d->threads[0].registers.general.size(), c.slots);
    for (const auto& [slot, name] : c.named) {
      SCOPED_TRACE(name);
      EXPECT_EQ(d->threads[0].registers.general[slot].name, name);
      EXPECT_EQ(d->threads[0].registers.get(name), value(slot));
    }
    EXPECT_TRUE(d->threads[0].registers.get(c.pc)) << "no " << c.pc;
    ASSERT_TRUE(d->psinfo);
    EXPECT_EQ(d->psinfo->pid, 77);
    EXPECT_EQ(d->psinfo->uid, 1000u);
    EXPECT_EQ(d->psinfo->fname, "crashy");
    EXPECT_EQ(d->psinfo->psargs, "./crashy --now");
    EXPECT_EQ(d->auxv_value(9), 0x10000u);  // AT_ENTRY
    for (const auto& diag : d->diagnostics.entries()) EXPECT_NE(diag.code, "note-bad-size") << diag.message;
  }
}

// s390x: big-endian; pr_reg is the PSW (mask, address), r0-r15 (8 bytes each), a0-a15 (4 bytes
// each), orig_gpr2.
TEST_F(ArchCores, S390xIsBigEndianWithFourByteAccessRegisters) {
  Encoding e{true, true, ct::elfc::EM_S390};
  ct::ThreadSpec t;
  t.tid = 99;
  t.cursig = 6;
  t.info_signo = 0;
  ct::ByteWriter o(e, ct::CoreBuilder::encode_prstatus(t, e));
  o.put(112, 0x0705000180000000ull, 8);       // pswm
  o.put(120, 0x000000400000123aull, 8);       // pswa
  for (int i = 0; i < 16; ++i) o.put(128 + 8 * i, 0x1000 + i, 8);
  for (int i = 0; i < 16; ++i) o.put(256 + 4 * i, 0xa0 + i, 4);
  o.put(320, 0xabcdef, 8);  // orig_gpr2
  Bytes core = build_core(e, {{ct::elfc::NT_PRSTATUS, o.take()}, {ct::elfc::NT_PRPSINFO, prpsinfo(e, 99, "big", "big")}}, {});
  auto d = parse(core);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->arch, Arch::s390x);
  ASSERT_EQ(d->threads.size(), 1u);
  const RegisterSet& r = d->threads[0].registers;
  EXPECT_EQ(d->threads[0].tid, 99);
  EXPECT_EQ(d->threads[0].cursig, 6);
  EXPECT_EQ(r.get("pswa"), 0x000000400000123aull);
  EXPECT_EQ(r.get("r0"), 0x1000u);
  EXPECT_EQ(r.get("r15"), 0x100fu);
  EXPECT_EQ(r.get("a0"), 0xa0u);
  EXPECT_EQ(r.get("a15"), 0xafu);
  EXPECT_EQ(r.get("orig_r2"), 0xabcdefu);
  EXPECT_EQ(d->psinfo->pid, 99);
}

// A short NT_PRSTATUS keeps the registers that fit, says so, and never reads past the note.
TEST_F(ArchCores, ShortPrStatusLosesOnlyTheRegistersThatDoNotFit) {
  Encoding e{true, false, ct::elfc::EM_AARCH64};
  Bytes full = prstatus(e, 34, value64, 5, 11);
  full.resize(112 + 8 * 10);  // x0-x9 only
  auto d = parse(build_core(e, {{1, full}}, {}));
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->threads.size(), 1u);
  EXPECT_EQ(d->threads[0].registers.general.size(), 10u);
  EXPECT_FALSE(d->threads[0].registers.get("pc"));
  EXPECT_NE(diag_codes(d->diagnostics).find("note-bad-size"), std::string::npos) << diag_codes(d->diagnostics);
  // The analysis still reports the thread, with no frame it cannot know.
  auto r = analyze(build_core(e, {{1, full}}, {}));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->threads.size(), 1u);
  EXPECT_TRUE(r->threads[0].frames.empty());
  EXPECT_FALSE(r->threads[0].unwind.complete());
}

// ---- Modules from the link map ------------------------------------------------------------

// The executable's program headers at AT_PHDR, its dynamic section with DT_DEBUG, struct
// r_debug and link_map entries, all in one saved segment at BASE, encoded for E.
struct LinkMapImage {
  Encoding e;
  std::uint64_t base = 0x400000;
  std::vector<std::pair<std::string, std::uint64_t>> objects;  // name, l_addr (after the executable)
  bool cycle = false;          // the last entry's l_next points back at the first
  bool static_exe = false;     // no PT_DYNAMIC
  std::uint64_t bad_next = 0;  // when set: the second entry's l_next points here (unmapped)

  // Layout inside the segment: 0 phdrs; 0x400 dynamic; 0x500 r_debug; 0x600 link_maps (0x40
  // each); 0x1000 strings.
  Bytes memory() const {
    ct::ByteWriter o(e, 0x2000);
    const std::size_t w = e.word_size(), ph = ct::elf_sizes(e).phdr;
    auto phdr = [&](std::size_t i, std::uint32_t type, std::uint64_t vaddr, std::uint64_t size) {
      std::size_t at = i * ph;
      o.put(at, type, 4);
      if (e.is64) {
        o.put(at + 16, vaddr, 8);
        o.put(at + 32, size, 8);
        o.put(at + 40, size, 8);
      } else {
        o.put(at + 8, vaddr, 4);
        o.put(at + 16, size, 4);
        o.put(at + 20, size, 4);
      }
    };
    phdr(0, ct::elfc::PT_PHDR, 0, 3 * ph);  // at vaddr 0: the load bias is BASE
    phdr(1, ct::elfc::PT_LOAD, 0, 0x2000);
    if (!static_exe) phdr(2, ct::elfc::PT_DYNAMIC, 0x400, 0x100);
    o.word(0x400, 21);               // DT_DEBUG
    o.word(0x400 + w, base + 0x500);
    o.word(0x400 + 2 * w, 0);        // DT_NULL
    o.put(0x500, 1, 4);              // r_version
    o.word(0x500 + w, base + 0x600);  // r_map
    std::size_t n = objects.size() + 1;
    std::size_t str = 0x1000;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t lm = 0x600 + i * 0x40;
      std::string name = i == 0 ? "" : objects[i - 1].first;
      o.text(str, name);  // the zeroed segment terminates it
      o.word(lm, i == 0 ? 0 : objects[i - 1].second);
      o.word(lm + w, base + str);
      o.word(lm + 2 * w, 0);
      std::uint64_t next = i + 1 < n ? base + 0x600 + (i + 1) * 0x40 : (cycle ? base + 0x600 : 0);
      if (i == 1 && bad_next != 0) next = bad_next;
      o.word(lm + 3 * w, next);
      str += name.size() + 1;
    }
    return o.take();
  }
  Bytes core() const {
    std::size_t ph = ct::elf_sizes(e).phdr;
    return build_core(e, {{ct::elfc::NT_PRSTATUS, prstatus(e, 0, value64, 1, 11)},
                          {ct::elfc::NT_AUXV, auxv(e, {{3, base}, {4, ph}, {5, static_exe ? 2 : 3}, {9, base + 0x100}})}},
                      {{base, memory()}});
  }
};

std::vector<std::string> module_paths(const ProcessDump& d) {
  std::vector<std::string> out;
  for (const auto& m : d.modules) out.push_back(m.path + "@" + std::to_string(m.load_bias));
  return out;
}

TEST_F(ArchCores, ModulesComeFromTheLinkMapWithoutNtFile) {
  for (Encoding e : {Encoding{true, false, ct::elfc::EM_AARCH64}, Encoding{false, false, ct::elfc::EM_ARM},
                     Encoding{true, true, ct::elfc::EM_S390}}) {
    SCOPED_TRACE(std::to_string(e.machine));
    LinkMapImage img;
    img.e = e;
    img.objects = {{"/lib/libc.so.6", 0x7000000}, {"/lib/ld-linux.so.1", 0x7100000}};
    auto d = parse(img.core());
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(module_paths(*d), (std::vector<std::string>{"[executable]@" + std::to_string(0x400000), "/lib/libc.so.6@" + std::to_string(0x7000000),
                                                          "/lib/ld-linux.so.1@" + std::to_string(0x7100000)}))
        << diag_codes(d->diagnostics);
    ASSERT_FALSE(d->modules.empty());
    EXPECT_TRUE(d->modules[0].is_main_executable);
    for (const auto& m : d->modules) EXPECT_TRUE(m.from_link_map) << m.path;
    EXPECT_NE(diag_codes(d->diagnostics).find("link-map"), std::string::npos);
  }
}

TEST_F(ArchCores, LinkMapCyclesAndHolesEndTheWalkWithADiagnostic) {
  Encoding e{true, false, ct::elfc::EM_AARCH64};
  LinkMapImage cyc;
  cyc.e = e;
  cyc.objects = {{"/lib/a.so", 0x7000000}, {"/lib/b.so", 0x7100000}};
  cyc.cycle = true;
  auto d = parse(cyc.core());
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->modules.size(), 3u);  // the executable, a, b: each once
  EXPECT_NE(diag_codes(d->diagnostics).find("link-map-cycle"), std::string::npos) << diag_codes(d->diagnostics);

  LinkMapImage hole;
  hole.e = e;
  hole.objects = {{"/lib/a.so", 0x7000000}, {"/lib/b.so", 0x7100000}};
  hole.bad_next = 0xdead0000;  // the entry after a.so is not in the core
  d = parse(hole.core());
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->modules.size(), 2u);
  EXPECT_NE(diag_codes(d->diagnostics).find("link-map-unreadable"), std::string::npos) << diag_codes(d->diagnostics);

  LinkMapImage stat;
  stat.e = e;
  stat.static_exe = true;
  d = parse(stat.core());
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->modules.size(), 1u);
  EXPECT_NE(diag_codes(d->diagnostics).find("link-map-static"), std::string::npos) << diag_codes(d->diagnostics);
}

}  // namespace
}  // namespace corelens::unit
