// Damage inside the PT_NOTE segment: impossible sizes, cut notes, NT_FILE and NT_AUXV that lie,
// short register notes, floods of notes. The notes before the damage are always kept.
#include <gtest/gtest.h>

#include <chrono>

#include "parsers/elf_core.hpp"
#include "tests/unit/unit_support.hpp"

namespace corelens::unit {
namespace {

using namespace canon;
using ct::elfc::PF_R;
using ct::elfc::PF_W;

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

const Diagnostic* find_diag(const ProcessDump& d, const std::string& code) {
  for (const auto& e : d.diagnostics.entries()) {
    if (e.code == code) return &e;
  }
  return nullptr;
}

class DamagedNotes : public WithTempDir {
 protected:
  ProcessDump parse_ok(const Bytes& bytes, const ElfCoreLimits& limits = {}) {
    auto d = parse_elf_core(map(bytes), limits);
    if (!d) {
      ADD_FAILURE() << d.error().message;
      return {};
    }
    return std::move(*d);
  }
  ct::BuiltCore canonical() { return canonical_core().build(); }
};

// Canonical (kernel) note order: 0 PRSTATUS T0, 1 PRPSINFO, 2 SIGINFO, 3 AUXV, 4 FILE,
// 5 FPREGSET T0, 6 XSTATE T0, 7 PRSTATUS T1, 8 FPREGSET T1, 9 PRSTATUS T2, 10 ACME.

TEST_F(DamagedNotes, DescszOfFourGigabytesKeepsTheNotesBefore) {
  ct::BuiltCore c = canonical();
  const auto& auxv = c.layout.note(ct::elfc::NT_AUXV);
  ct::put_u32(c.bytes, auxv.header_offset + 4, 0xffffffff);
  ProcessDump d = parse_ok(c.bytes);
  ASSERT_EQ(d.notes.size(), 3u);
  EXPECT_EQ(d.threads.size(), 1u);
  EXPECT_TRUE(d.psinfo.has_value());
  EXPECT_TRUE(d.siginfo.has_value());
  EXPECT_TRUE(d.auxv.empty());
  EXPECT_TRUE(d.files.empty());
  const Diagnostic* bad = find_diag(d, "note-bad-size");
  ASSERT_NE(bad, nullptr) << diag_codes(d.diagnostics);
  EXPECT_EQ(bad->where, auxv.header_offset);
  EXPECT_TRUE(contains(bad->message, "0x6")) << bad->message;
  EXPECT_TRUE(contains(bad->message, "4294967295")) << bad->message;
}

TEST_F(DamagedNotes, HugeNameszKeepsTheNotesBefore) {
  ct::BuiltCore c = canonical();
  const auto& ps = c.layout.note(ct::elfc::NT_PRPSINFO);
  ct::put_u32(c.bytes, ps.header_offset, 0xfffffff0);
  ProcessDump d = parse_ok(c.bytes);
  EXPECT_EQ(d.threads.size(), 1u);
  EXPECT_FALSE(d.psinfo.has_value());
  EXPECT_FALSE(d.siginfo.has_value());
  EXPECT_TRUE(d.diagnostics.has("note-bad-size")) << diag_codes(d.diagnostics);
  EXPECT_EQ(d.mappings.size(), 7u) << "segments do not depend on the notes";
}

TEST_F(DamagedNotes, LastNoteRunningPastTheSegment) {
  ct::BuiltCore c = canonical();
  const auto& acme = c.layout.notes.back();
  ASSERT_EQ(acme.name, "ACME");
  ct::put_u32(c.bytes, acme.header_offset + 4, 5 + 64);
  ProcessDump d = parse_ok(c.bytes);
  EXPECT_EQ(d.notes.size(), c.layout.notes.size() - 1);
  EXPECT_EQ(d.threads.size(), 3u);
  const Diagnostic* bad = find_diag(d, "note-bad-size");
  ASSERT_NE(bad, nullptr) << diag_codes(d.diagnostics);
  EXPECT_EQ(bad->where, acme.header_offset);
}

TEST_F(DamagedNotes, NoteSegmentShorterThanItsNotes) {
  ct::BuiltCore c = canonical();
  const auto& file = c.layout.note(ct::elfc::NT_FILE);
  // p_filesz ends 10 bytes into NT_FILE's descriptor.
  ct::put_u64(c.bytes, c.layout.note_phdr_offset + 32, file.desc_offset + 10 - c.layout.notes_offset);
  ProcessDump d = parse_ok(c.bytes);
  EXPECT_EQ(d.threads.size(), 1u);
  EXPECT_EQ(d.auxv.size(), 5u);
  EXPECT_TRUE(d.files.empty());
  EXPECT_TRUE(d.diagnostics.has("note-bad-size")) << diag_codes(d.diagnostics);
  // Ending inside a note header.
  ct::put_u64(c.bytes, c.layout.note_phdr_offset + 32, file.header_offset + 6 - c.layout.notes_offset);
  ProcessDump d2 = parse_ok(c.bytes);
  EXPECT_EQ(d2.auxv.size(), 5u);
  EXPECT_TRUE(d2.diagnostics.has("note-truncated")) << diag_codes(d2.diagnostics);
}

TEST_F(DamagedNotes, NoteSegmentClaimingTheWholeFileAndMore) {
  ct::BuiltCore c = canonical();
  ct::put_u64(c.bytes, c.layout.note_phdr_offset + 32, 1ull << 40);
  ProcessDump d = parse_ok(c.bytes);
  EXPECT_TRUE(d.diagnostics.has("notes-truncated")) << diag_codes(d.diagnostics);
  EXPECT_EQ(d.threads.size(), 3u) << "the real notes come first";
  EXPECT_GE(d.notes.size(), c.layout.notes.size());
}

TEST_F(DamagedNotes, NoteSegmentPastTheEndOfTheFile) {
  ct::BuiltCore c = canonical();
  ct::put_u64(c.bytes, c.layout.note_phdr_offset + 8, c.bytes.size() + 4096);
  ProcessDump d = parse_ok(c.bytes);
  EXPECT_TRUE(d.diagnostics.has("notes-missing")) << diag_codes(d.diagnostics);
  EXPECT_TRUE(d.diagnostics.has("no-threads")) << diag_codes(d.diagnostics);
  EXPECT_TRUE(d.threads.empty());
  EXPECT_EQ(d.mappings.size(), 7u);
}

TEST_F(DamagedNotes, FileNoteCountOfTwoToTheSixty) {
  ct::BuiltCore c = canonical();
  ct::put_u64(c.bytes, c.layout.note(ct::elfc::NT_FILE).desc_offset, 1ull << 60);
  ProcessDump d = parse_ok(c.bytes);
  EXPECT_TRUE(d.files.empty());
  EXPECT_TRUE(d.diagnostics.has("note-file-bad-count")) << diag_codes(d.diagnostics);
  EXPECT_EQ(d.threads.size(), 3u);
  EXPECT_TRUE(d.threads[0].has_fpregs) << "the notes after NT_FILE are still read";
  EXPECT_EQ(d.mappings.size(), 7u);
  EXPECT_EQ(d.mapping_at(kText)->path, "");
}

TEST_F(DamagedNotes, FileNoteCountLargerThanItsTable) {
  ct::BuiltCore c = canonical();
  ct::put_u64(c.bytes, c.layout.note(ct::elfc::NT_FILE).desc_offset, 1000);
  ProcessDump d = parse_ok(c.bytes);
  EXPECT_TRUE(d.files.empty());
  EXPECT_TRUE(d.diagnostics.has("note-file-bad-count")) << diag_codes(d.diagnostics);
}

TEST_F(DamagedNotes, FileNoteWithMissingNamesAndInvertedRanges) {
  Bytes desc = ct::CoreBuilder::encode_file_note(
      4096, {{0x400000, 0x401000, 0, "/a"}, {0x500000, 0x4ff000, 0, "/b"}, {0x600000, 0x601000, 2, "/c"}});
  desc.resize(16 + 3 * 24 + 6);  // names "/a\0/b\0": the third is missing
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0)).add_raw_note("CORE", ct::elfc::NT_FILE, desc);
  ProcessDump d = parse_ok(b.build().bytes);
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_EQ(d.files[0].path, "/a");
  EXPECT_TRUE(d.diagnostics.has("note-file-bad-range")) << diag_codes(d.diagnostics);
  EXPECT_TRUE(d.diagnostics.has("note-file-names-missing")) << diag_codes(d.diagnostics);
}

TEST_F(DamagedNotes, FileNotePathWithoutTerminatorAndControlCharacters) {
  Bytes desc = ct::CoreBuilder::encode_file_note(4096, {{0x400000, 0x401000, 3, "/bin/\x1b[31mred"}});
  desc.pop_back();  // no final NUL
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0)).add_raw_note("CORE", ct::elfc::NT_FILE, desc);
  ProcessDump d = parse_ok(b.build().bytes);
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_EQ(d.files[0].path, "/bin/?[31mred");
  EXPECT_EQ(d.files[0].file_offset, 3u * 4096);
}

TEST_F(DamagedNotes, AuxvWithoutAtNull) {
  Bytes desc = ct::CoreBuilder::encode_auxv({{6, 4096}, {9, kEntry}});
  desc.resize(desc.size() - 16);  // drop the AT_NULL pair
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0)).add_raw_note("CORE", ct::elfc::NT_AUXV, desc);
  ProcessDump d = parse_ok(b.build().bytes);
  ASSERT_EQ(d.auxv.size(), 2u);
  EXPECT_EQ(d.auxv_value(9), kEntry);
  EXPECT_TRUE(d.diagnostics.has("auxv-unterminated")) << diag_codes(d.diagnostics);
  desc.resize(24);  // one pair and a half
  ct::CoreBuilder b2;
  b2.add_thread(canon::thread(0)).add_raw_note("CORE", ct::elfc::NT_AUXV, desc);
  ProcessDump d2 = parse_ok(b2.build().bytes);
  EXPECT_EQ(d2.auxv.size(), 1u);
  EXPECT_TRUE(d2.diagnostics.has("auxv-unterminated")) << diag_codes(d2.diagnostics);
}

TEST_F(DamagedNotes, AuxvWithThousandsOfEntriesIsCapped) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> entries(5000, {6, 4096});
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0)).set_auxv(entries);
  ProcessDump d = parse_ok(b.build().bytes);
  EXPECT_EQ(d.auxv.size(), 1024u);
  EXPECT_TRUE(d.diagnostics.has("auxv-too-long")) << diag_codes(d.diagnostics);
}

TEST_F(DamagedNotes, ShortPrstatusKeepsTheRegistersThatFit) {
  Bytes desc = ct::CoreBuilder::encode_prstatus(canon::thread(0));
  desc.resize(112 + 8 * 18);  // r15 .. rip, cs; eflags, rsp and the rest missing
  ct::CoreBuilder b;
  b.add_raw_note("CORE", ct::elfc::NT_PRSTATUS, desc).set_siginfo(canon::siginfo());
  b.add_segment(kStack, 0x2000, PF_R | PF_W, Bytes(0x2000, 0));
  Bytes bytes = b.build().bytes;
  ProcessDump d = parse_ok(bytes);
  ASSERT_EQ(d.threads.size(), 1u);
  EXPECT_EQ(d.threads[0].tid, kPid);
  EXPECT_EQ(d.threads[0].cursig, 11);
  EXPECT_EQ(d.threads[0].registers.general.size(), 18u);
  EXPECT_EQ(d.threads[0].registers.get("rip"), kRip);
  EXPECT_FALSE(d.threads[0].registers.get("rsp").has_value());
  const Diagnostic* bad = find_diag(d, "note-bad-size");
  ASSERT_NE(bad, nullptr) << diag_codes(d.diagnostics);
  EXPECT_TRUE(contains(bad->message, "256")) << bad->message;
  auto r = analyze(bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->threads.size(), 1u);
  ASSERT_EQ(r->threads[0].frames.size(), 1u) << "the pc alone is still frame 0";
  EXPECT_EQ(r->threads[0].frames[0].pc, kRip);
  EXPECT_FALSE(r->threads[0].unwind.complete());
  EXPECT_TRUE(contains(describe(r->threads[0].unwind), "incomplete")) << describe(r->threads[0].unwind);
}

TEST_F(DamagedNotes, TinyPrstatusGivesAThreadWithoutRegisters) {
  Bytes desc = ct::CoreBuilder::encode_prstatus(canon::thread(0));
  desc.resize(20);  // not even pr_pid
  ct::CoreBuilder b;
  b.add_raw_note("CORE", ct::elfc::NT_PRSTATUS, desc);
  Bytes bytes = b.build().bytes;
  ProcessDump d = parse_ok(bytes);
  ASSERT_EQ(d.threads.size(), 1u);
  EXPECT_EQ(d.threads[0].tid, 0);
  EXPECT_EQ(d.threads[0].cursig, 11) << "pr_cursig at 12 fits";
  EXPECT_TRUE(d.threads[0].registers.general.empty());
  auto r = analyze(bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->threads.size(), 1u);
  EXPECT_TRUE(r->threads[0].frames.empty());
}

TEST_F(DamagedNotes, ShortPsinfoAndSiginfoAreReportedNotGuessed) {
  Bytes ps = ct::CoreBuilder::encode_prpsinfo(canon::psinfo());
  ps.resize(100);
  Bytes si = ct::CoreBuilder::encode_siginfo(canon::siginfo());
  si.resize(16);
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0))
      .add_raw_note("CORE", ct::elfc::NT_PRPSINFO, ps)
      .add_raw_note("CORE", ct::elfc::NT_SIGINFO, si);
  ProcessDump d = parse_ok(b.build().bytes);
  EXPECT_FALSE(d.psinfo.has_value());
  EXPECT_FALSE(d.siginfo.has_value());
  int bad = 0;
  for (const auto& e : d.diagnostics.entries()) bad += e.code == "note-bad-size";
  EXPECT_EQ(bad, 2) << diag_codes(d.diagnostics);
}

TEST_F(DamagedNotes, ShortOrMisplacedFloatingPointNotesAreIgnored) {
  ct::ThreadSpec t = canon::thread(0);
  t.fpregs.reset();
  t.xstate.reset();
  Bytes short_fx = ct::CoreBuilder::encode_fxsave(*canon::thread(0).fpregs);
  short_fx.resize(300);
  Bytes short_xs = ct::CoreBuilder::encode_xstate(*canon::thread(0).xstate);
  short_xs.resize(600);  // has the xsave header but not the AVX area
  ct::CoreBuilder b;
  b.add_raw_note("CORE", ct::elfc::NT_PRFPREG, ct::CoreBuilder::encode_fxsave(*canon::thread(0).fpregs),
                 ct::RawNotePlacement::AtStart)  // before any thread: nobody to give it to
      .add_thread(t)
      .add_raw_note("CORE", ct::elfc::NT_PRFPREG, short_fx)
      .add_raw_note("LINUX", ct::elfc::NT_X86_XSTATE, short_xs);
  ProcessDump d = parse_ok(b.build().bytes);
  ASSERT_EQ(d.threads.size(), 1u);
  EXPECT_EQ(d.threads[0].registers.get("rip"), kRip);
  bool has_ymm = false, has_xmm = false;
  for (const auto& w : d.threads[0].registers.wide) {
    has_ymm |= w.name == "ymm0";
    has_xmm |= w.name == "xmm0";
  }
  EXPECT_FALSE(has_ymm);
  EXPECT_TRUE(has_xmm) << "the 600-byte xsave area still holds the legacy fxsave part";
}

TEST_F(DamagedNotes, OddNamesAndAnUnterminatedTargetDescription) {
  ct::CoreBuilder b;
  b.add_thread(canon::thread(2))
      .add_raw_note("", 7, {1, 2, 3, 4})
      .add_raw_note("A\x01Z", 1, {})
      .add_raw_note("GDB", ct::elfc::NT_GDB_TDESC, bytes_of("<target/>"));
  ProcessDump d = parse_ok(b.build().bytes);
  ASSERT_EQ(d.notes.size(), 4u);
  EXPECT_EQ(d.notes[1].name, "");
  EXPECT_EQ(d.notes[1].type_name, "");
  EXPECT_EQ(d.notes[2].name, "A?Z");
  EXPECT_EQ(d.threads.size(), 1u) << "type 1 under another owner is not NT_PRSTATUS";
  EXPECT_EQ(d.gdb_target_description, "<target/>");
}

TEST_F(DamagedNotes, OneHundredThousandTinyNotesInBoundedTime) {
  ct::CoreBuilder b = canonical_core();
  for (int i = 0; i < 100000; ++i) b.add_raw_note("X", static_cast<std::uint32_t>(i), {});
  Bytes bytes = b.build().bytes;
  const auto t0 = std::chrono::steady_clock::now();
  ProcessDump d = parse_ok(bytes);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(d.notes.size(), 11u + 100000u);
  EXPECT_EQ(d.threads.size(), 3u);
  EXPECT_EQ(d.notes.back().type, 99999u);
  EXPECT_LT(took, std::chrono::seconds(5));
}

// Every empty NT_PRSTATUS is a thread (tid 0, no registers) and a diagnostic: the list of
// diagnostics stays bounded and the whole analysis of 20,000 such threads stays fast.
TEST_F(DamagedNotes, TwentyThousandEmptyPrstatusNotesAreBounded) {
  ct::CoreBuilder b;
  for (int i = 0; i < 20000; ++i) b.add_raw_note("CORE", ct::elfc::NT_PRSTATUS, {});
  b.add_segment(kStack, 0x1000, PF_R | PF_W, Bytes(0x1000, 0));
  Bytes bytes = b.build().bytes;
  const auto t0 = std::chrono::steady_clock::now();
  ProcessDump d = parse_ok(bytes);
  EXPECT_EQ(d.threads.size(), 20000u);
  EXPECT_EQ(d.diagnostics.entries().size(), Diagnostics::kMaxEntries);
  EXPECT_GT(d.diagnostics.dropped(), 18000u);
  auto r = analyze(bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->threads.size(), 20000u);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

TEST_F(DamagedNotes, LimitsCapThreadsAndTheNoteList) {
  ct::BuiltCore c = canonical();
  ElfCoreLimits limits;
  limits.max_threads = 2;
  ProcessDump d = parse_ok(c.bytes, limits);
  EXPECT_EQ(d.threads.size(), 2u);
  int warnings = 0;
  for (const auto& e : d.diagnostics.entries()) warnings += e.code == "too-many-threads";
  EXPECT_EQ(warnings, 1);
  ElfCoreLimits few_notes;
  few_notes.max_notes = 4;
  ProcessDump d2 = parse_ok(c.bytes, few_notes);
  EXPECT_EQ(d2.notes.size(), 4u);
  EXPECT_EQ(d2.threads.size(), 3u) << "notes past the list's cap are still decoded";
}

}  // namespace
}  // namespace corelens::unit
