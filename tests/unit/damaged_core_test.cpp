// Damaged, hostile and wrong inputs at the file and program-header level: each is a clear Error
// with the right code, or a ProcessDump/Report that keeps what survives, with diagnostics. Never
// a crash, never a hang. (Damage inside the notes: damaged_notes_test.cpp.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>

#include "parsers/elf_core.hpp"
#include "tests/unit/unit_support.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::unit {
namespace {

using ct::elfc::PF_R;
using ct::elfc::PF_W;
using ct::elfc::PF_X;

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

class DamagedCore : public WithTempDir {
 protected:
  // analyze_file on a path that must fail with CODE; returns the message.
  std::string analyze_error(const std::filesystem::path& path, ErrorCode code) {
    AnalyzeOptions options;
    options.locator.sysroot = (dir_.path() / "sysroot").string();
    auto r = analyze_file(path.string(), options);
    if (r.has_value()) {
      ADD_FAILURE() << path << ": expected an error, got a report";
      return {};
    }
    EXPECT_EQ(to_string(r.error().code), std::string(to_string(code))) << r.error().message;
    EXPECT_TRUE(contains(r.error().message, path.string())) << "the message names the file: " << r.error().message;
    return r.error().message;
  }
  std::string parse_error(const Bytes& bytes, ErrorCode code) {
    auto d = parse(bytes);
    if (d.has_value()) {
      ADD_FAILURE() << "expected an error, got a dump";
      return {};
    }
    EXPECT_EQ(to_string(d.error().code), std::string(to_string(code))) << d.error().message;
    EXPECT_FALSE(d.error().message.empty());
    return d.error().message;
  }
};

// ------------------------------------------------------------------ not a core at all

TEST_F(DamagedCore, MissingFileAndDirectoryAreIoErrors) {
  std::string m = analyze_error(dir_.path() / "no-such-core", ErrorCode::io);
  EXPECT_TRUE(contains(m, "No such file")) << m;
  std::filesystem::create_directory(dir_.path() / "a-dir");
  m = analyze_error(dir_.path() / "a-dir", ErrorCode::io);
  EXPECT_TRUE(contains(m, "directory")) << m;
}

TEST_F(DamagedCore, EmptyFile) {
  EXPECT_TRUE(contains(parse_error({}, ErrorCode::not_a_dump), "empty"));
  EXPECT_TRUE(contains(analyze_error(dir_.write({}), ErrorCode::not_a_dump), "empty"));
}

TEST_F(DamagedCore, NotElf) {
  Bytes text = bytes_of("This is a text file, certainly not a core dump.\n");
  text.resize(4096, 'x');
  EXPECT_TRUE(contains(parse_error(text, ErrorCode::not_a_dump), "not an ELF file"));
  EXPECT_TRUE(contains(analyze_error(dir_.write(text), ErrorCode::not_a_dump), "not"));
  Bytes almost = canonical_core().build().bytes;
  almost[3] = 'G';  // "\x7f" "ELG"
  parse_error(almost, ErrorCode::not_a_dump);
  analyze_error(dir_.write(almost), ErrorCode::not_a_dump);
}

TEST_F(DamagedCore, ElfExecutableAndSharedObjectAreNotCores) {
  ct::CoreBuilder b = canonical_core();
  b.type(ct::elfc::ET_EXEC);
  std::string m = parse_error(b.build().bytes, ErrorCode::not_a_dump);
  EXPECT_TRUE(contains(m, "not a core dump")) << m;
  EXPECT_TRUE(contains(m, "ET_EXEC")) << m;
  analyze_error(dir_.write(b.build().bytes), ErrorCode::not_a_dump);
  ImageSpec so;
  so.build_id = canon::build_id(1);
  m = parse_error(elf_image(so), ErrorCode::not_a_dump);
  EXPECT_TRUE(contains(m, "ET_DYN")) << m;
}

// A 32-bit core of EM_X86_64 is no ABI corelens reads (i386 cores are EM_386).
TEST_F(DamagedCore, ElfClass32X86_64CoreIsUnsupported) {
  ct::CoreBuilder b;
  b.elf_class32().machine(ct::elfc::EM_X86_64);
  Bytes bytes = b.build().bytes;  // a 52-byte Elf32_Ehdr
  std::string m = parse_error(bytes, ErrorCode::unsupported);
  EXPECT_TRUE(contains(m, "32-bit")) << m;
  Bytes padded = bytes;
  padded.resize(4096, 0);  // as a real 32-bit core would be
  m = analyze_error(dir_.write(padded), ErrorCode::unsupported);
  EXPECT_TRUE(contains(m, "32-bit")) << m;
}

// An i386 core (EM_386, ELFCLASS32) is read; one that is nothing but its ELF header is malformed.
TEST_F(DamagedCore, ElfClass32I386HeaderAloneIsMalformed) {
  ct::CoreBuilder b;
  b.elf_class32();
  Bytes bytes = b.build().bytes;
  std::string m = parse_error(bytes, ErrorCode::malformed);
  EXPECT_TRUE(contains(m, "no program headers")) << m;
}

TEST_F(DamagedCore, ShortElfClass32HeaderIsNotCalledNotElf) {
  ct::CoreBuilder b;
  b.elf_class32();
  // BUG: detect_format() answers "unknown" for any file under 64 bytes, so analyze_file says
  // "not a core dump (not an ELF file)" (not_a_dump) for this ELF file, where parse_elf_core
  // says it has no program headers (malformed).
  std::string m = analyze_error(dir_.write(b.build().bytes), ErrorCode::malformed);
  EXPECT_FALSE(contains(m, "not an ELF file")) << m;
}

TEST_F(DamagedCore, CoreCutInsideItsElfHeaderIsTruncatedNotNotElf) {
  Bytes bytes = canonical_core().build().bytes;
  bytes.resize(40);
  parse_error(bytes, ErrorCode::truncated);
  // BUG: same cause as above: analyze_file says "not an ELF file" for the first 40 bytes of a core.
  std::string m = analyze_error(dir_.write(bytes), ErrorCode::truncated);
  EXPECT_FALSE(contains(m, "not an ELF file")) << m;
}

TEST_F(DamagedCore, ThirtyTwoBitExecutableIsNotCalledACore) {
  ct::CoreBuilder b;
  b.elf_class32().type(ct::elfc::ET_EXEC);
  Bytes bytes = b.build().bytes;
  bytes.resize(4096, 0);
  auto d = parse(bytes);
  ASSERT_FALSE(d.has_value());
  // BUG (wording): the class is checked before e_type, so a 32-bit program is reported as
  // "32-bit ELF cores are not supported yet" although it is no core at all.
  EXPECT_FALSE(contains(d.error().message, "cores are not supported")) << d.error().message;
}

TEST_F(DamagedCore, UnknownArchitecturesAreUnsupported) {
  ct::CoreBuilder b = canonical_core();
  b.machine(0x1234);
  std::string m = parse_error(b.build().bytes, ErrorCode::unsupported);
  EXPECT_TRUE(contains(m, "4660")) << m;
  EXPECT_TRUE(contains(m, "aarch64")) << m;  // the list of what it reads
  m = analyze_error(dir_.write(b.build().bytes), ErrorCode::unsupported);
  EXPECT_TRUE(contains(m, "4660")) << m;
  // A known machine in a class or byte order that is not its ABI (64-bit EM_386) is another ABI.
  b.machine(ct::elfc::EM_386);
  m = parse_error(b.build().bytes, ErrorCode::unsupported);
  EXPECT_TRUE(contains(m, "e_machine 3, 64-bit")) << m;
}

TEST_F(DamagedCore, BigEndianX86_64IsUnsupported) {
  Bytes bytes = canonical_core().build().bytes;
  bytes[5] = 2;  // ELFDATA2MSB: e_machine now reads 0x3e00, no architecture we know
  EXPECT_TRUE(contains(parse_error(bytes, ErrorCode::unsupported), "big-endian"));
}

// ------------------------------------------------------------------ program headers

TEST_F(DamagedCore, ProgramHeaderTablePastTheEnd) {
  Bytes bytes = canonical_core().build().bytes;
  ct::put_u64(bytes, 32, bytes.size() + 1000);  // e_phoff
  std::string m = parse_error(bytes, ErrorCode::truncated);
  EXPECT_TRUE(contains(m, "program headers")) << m;
  analyze_error(dir_.write(bytes), ErrorCode::truncated);
  ct::put_u64(bytes, 32, ~0ull - 8);  // e_phoff + i * 56 overflows
  parse_error(bytes, ErrorCode::truncated);
}

TEST_F(DamagedCore, NoOrOddSizedProgramHeaders) {
  Bytes bytes = canonical_core().build().bytes;
  Bytes none = bytes;
  ct::put_u16(none, 56, 0);
  EXPECT_TRUE(contains(parse_error(none, ErrorCode::malformed), "no program headers"));
  Bytes odd = bytes;
  ct::put_u16(odd, 54, 32);  // e_phentsize
  EXPECT_TRUE(contains(parse_error(odd, ErrorCode::malformed), "program header size"));
}

// e_phnum = PN_XNUM: the real count is sh_info of section header 0 (after the segment data).
ct::BuiltCore xnum_core() { return canonical_core().extended_numbering().build(); }

TEST_F(DamagedCore, PnXnumWithSectionHeaderZero) {
  auto d = parse(xnum_core().bytes);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->threads.size(), 3u);
  EXPECT_EQ(d->mappings.size(), 7u);
  EXPECT_FALSE(d->diagnostics.has("core-truncated")) << diag_codes(d->diagnostics);
  EXPECT_FALSE(d->diagnostics.has("phdrs-truncated")) << diag_codes(d->diagnostics);
}

TEST_F(DamagedCore, PnXnumWithoutSectionHeaderZero) {
  Bytes no_section = xnum_core().bytes, past_eof = no_section;
  ct::put_u64(no_section, 40, 0);  // e_shoff
  ct::put_u64(past_eof, 40, 1ull << 40);
  parse_error(no_section, ErrorCode::malformed);
  parse_error(past_eof, ErrorCode::malformed);
  analyze_error(dir_.write(no_section), ErrorCode::malformed);
}

TEST_F(DamagedCore, PnXnumClaimingBillionsOfHeadersIsBounded) {
  const auto t0 = std::chrono::steady_clock::now();
  ct::BuiltCore c = xnum_core();
  ct::put_u32(c.bytes, c.layout.shdr_offset + 44, 0xfffffff0);  // sh_info
  auto d = parse(c.bytes);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_TRUE(d->diagnostics.has("too-many-segments")) << diag_codes(d->diagnostics);
  EXPECT_TRUE(d->diagnostics.has("phdrs-truncated")) << diag_codes(d->diagnostics);
  EXPECT_EQ(d->threads.size(), 3u) << "the real PT_NOTE comes first and is intact";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(DamagedCore, LoadSegmentWrappingAroundTheAddressSpaceIsDropped) {
  ct::BuiltCore c = canonical_core().build();
  const auto& stack = c.layout.segments[5];
  ct::put_u64(c.bytes, stack.phdr_offset + 16, 0xfffffffffffff000);  // p_vaddr
  ct::put_u64(c.bytes, stack.phdr_offset + 40, 0x2000);              // p_memsz
  auto d = parse(c.bytes);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_TRUE(d->diagnostics.has("segment-wraps")) << diag_codes(d->diagnostics);
  EXPECT_EQ(d->mappings.size(), 6u);
  EXPECT_EQ(d->mapping_at(0xfffffffffffff800), nullptr);
  EXPECT_EQ(d->mapping_at(0x800), nullptr);
  EXPECT_FALSE(d->memory.read_u64(0).has_value());
  EXPECT_EQ(d->threads.size(), 3u);
  auto r = analyze(c.bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->threads.size(), 3u);
}

TEST_F(DamagedCore, SegmentClaimingATerabyteOfFileData) {
  ct::BuiltCore c = canonical_core().build();
  const auto& vdso = c.layout.segments[6];  // the last one: its claim overlaps nothing
  ASSERT_EQ(vdso.vaddr, canon::kVdso);
  ct::put_u64(c.bytes, vdso.phdr_offset + 32, 1ull << 40);  // p_filesz
  ct::put_u64(c.bytes, vdso.phdr_offset + 40, 1ull << 40);  // p_memsz
  auto d = parse(c.bytes);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_TRUE(d->diagnostics.has("core-truncated")) << diag_codes(d->diagnostics);
  const Mapping* m = d->mapping_at(canon::kVdso);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->end, canon::kVdso + (1ull << 40));
  EXPECT_EQ(m->saved, c.bytes.size() - vdso.data_offset) << "what the file holds, not what it claims";
  EXPECT_TRUE(d->memory.read_u64(canon::kVdso).has_value());
  auto past = d->memory.read_u64(canon::kVdso + 0x100000);
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().code, ErrorCode::not_saved);
  EXPECT_EQ(past.error().where, canon::kVdso + 0x100000);
  auto r = analyze(c.bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->threads.size(), 3u);
}

TEST_F(DamagedCore, SegmentOffsetsNearTwoToTheSixtyFour) {
  ct::BuiltCore c = canonical_core().build();
  const auto& stack = c.layout.segments[5];
  ct::put_u64(c.bytes, stack.phdr_offset + 8, ~0ull - 1);  // p_offset + p_filesz overflows
  auto d = parse(c.bytes);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  const Mapping* m = d->mapping_at(canon::kStack);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->saved, 0u);
  auto v = d->memory.read_u64(canon::kStack);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code, ErrorCode::not_saved);
}

// ------------------------------------------------------------------ truncation at every byte

TEST_F(DamagedCore, TruncatedAtEveryByteKeepsWhatSurvives) {
  ct::ThreadSpec t1 = canon::thread(1);
  t1.fpregs.reset();
  ct::CoreBuilder b;
  b.page_size(64)
      .add_thread(canon::thread(0))
      .add_thread(t1)
      .set_prpsinfo(canon::psinfo())
      .set_siginfo(canon::siginfo())
      .set_auxv({{9, canon::kEntry}})
      .set_file_note(4096, {{canon::kExe, canon::kExe + 0x1000, 0, canon::kExePath}})
      .add_raw_note("ACME", 0x1234, {1, 2, 3})
      .add_segment(canon::kExe, 0x1000, PF_R, Bytes(0x80, 0x7f))
      .add_segment(canon::kStack, 0x2000, PF_R | PF_W, Bytes(0x100, 0x55));
  const ct::BuiltCore full = b.build();
  const auto& L = full.layout;
  const std::uint64_t size = full.bytes.size();
  ASSERT_LT(size, 16384u) << "keep the loop small";
  const std::uint64_t phdrs_end = L.phdr_offset + 56ull * L.phnum;
  const std::uint64_t notes_end = L.notes_offset + L.notes_size;
  auto desc_end = [](const ct::NoteLocation& n) { return n.desc_offset + n.desc_size; };

  const auto path = dir_.write(full.bytes);
  AnalyzeOptions options;
  options.locator.sysroot = (dir_.path() / "sysroot").string();
  const auto started = std::chrono::steady_clock::now();
  for (std::uint64_t at = size; at-- > 0;) {  // every proper prefix, largest first
    SCOPED_TRACE("truncated at " + std::to_string(at) + " of " + std::to_string(size));
    ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(at)), 0);
    auto file = MappedFile::open(path.string());
    ASSERT_TRUE(file.has_value());
    auto d = parse_elf_core(*file);
    if (at < 64 + 56) {
      ASSERT_FALSE(d.has_value()) << "no program header survives";
      const ErrorCode want = at < 4 ? ErrorCode::not_a_dump : ErrorCode::truncated;
      EXPECT_EQ(to_string(d.error().code), std::string(to_string(want))) << d.error().message;
      continue;
    }
    ASSERT_TRUE(d.has_value()) << d.error().message;
    EXPECT_TRUE(d->diagnostics.has("core-truncated")) << diag_codes(d->diagnostics);
    if (at < phdrs_end) {
      EXPECT_TRUE(d->diagnostics.has("phdrs-truncated")) << diag_codes(d->diagnostics);
    }
    // Every note wholly inside the prefix is kept, in order; the cut one and those after it not.
    std::size_t want_threads = 0;
    bool want_siginfo = false, want_psinfo = false;
    for (const auto& n : L.notes) {
      if (desc_end(n) > at) break;
      want_threads += n.type == ct::elfc::NT_PRSTATUS;
      want_siginfo |= n.type == ct::elfc::NT_SIGINFO;
      want_psinfo |= n.type == ct::elfc::NT_PRPSINFO;
    }
    ASSERT_EQ(d->threads.size(), want_threads);
    EXPECT_EQ(d->siginfo.has_value(), want_siginfo);
    EXPECT_EQ(d->psinfo.has_value(), want_psinfo);
    if (at >= notes_end) {
      ASSERT_EQ(d->threads.size(), 2u);
      EXPECT_EQ(d->threads[0].tid, canon::kPid);
      EXPECT_EQ(d->threads[0].registers.get("rip"), canon::kRip);
      EXPECT_EQ(d->threads[1].tid, canon::kPid + 1);
      ASSERT_TRUE(d->siginfo.has_value());
      EXPECT_EQ(d->siginfo->signo, 11);
      EXPECT_EQ(d->siginfo->address, canon::kFault);
      EXPECT_EQ(d->files.size(), 1u);
      EXPECT_EQ(d->notes.size(), L.notes.size());
    }
    // Memory: bytes before the cut read back, the first byte after it is not saved.
    if (at >= phdrs_end) {
      for (const auto& s : L.segments) {
        const std::uint64_t have = at > s.data_offset ? std::min(at - s.data_offset, s.filesz) : 0;
        if (have > 0) {
          std::array<std::byte, 1> one{};
          EXPECT_TRUE(d->memory.read(s.vaddr + have - 1, one).has_value()) << "last byte kept";
        }
        auto miss = d->memory.read_u32(s.vaddr + have);
        ASSERT_FALSE(miss.has_value());
        EXPECT_EQ(miss.error().code, ErrorCode::not_saved);
        EXPECT_EQ(miss.error().where, s.vaddr + have);
      }
    }
    // The whole analysis on a sample of the cut points: a report with every surviving thread.
    if (at % 61 == 0 || at == notes_end || at == phdrs_end || at == L.notes_offset) {
      auto r = analyze_file(path.string(), options);
      ASSERT_TRUE(r.has_value()) << r.error().message;
      EXPECT_EQ(r->threads.size(), want_threads);
      bool truncated_diag = false;
      for (const auto& diag : r->diagnostics) truncated_diag |= diag.code == "core-truncated";
      EXPECT_TRUE(truncated_diag);
      if (at >= notes_end) {
        ASSERT_TRUE(r->signal.has_value());
        EXPECT_EQ(r->signal->name, "SIGSEGV");
        EXPECT_EQ(r->crashed_tid, canon::kPid);
      }
    }
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
}

// ------------------------------------------------------------------ threads the unwinder dislikes

TEST_F(DamagedCore, DuplicateAndZeroTidsAreAllAnalysed) {
  ct::CoreBuilder b;
  for (int tid : {7, 7, 0, 0, -1}) {
    ct::ThreadSpec t = canon::thread(0);
    t.tid = tid;
    t.fpregs.reset();
    t.xstate.reset();
    b.add_thread(t);
  }
  b.set_siginfo(canon::siginfo()).add_segment(canon::kStack, 0x2000, PF_R | PF_W, Bytes(0x2000, 0));
  Bytes bytes = b.build().bytes;
  auto d = parse(bytes);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  ASSERT_EQ(d->threads.size(), 5u);
  auto r = analyze(bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->threads.size(), 5u);
  std::multiset<int> tids;
  int crashed = 0;
  for (const auto& t : r->threads) {
    tids.insert(t.tid);
    crashed += t.crashed;
    EXPECT_FALSE(t.frames.empty()) << "tid " << t.tid << ": " << describe(t.unwind);
    if (!t.frames.empty()) {
      EXPECT_EQ(t.frames[0].pc, canon::kRip) << "tid " << t.tid;
    }
  }
  EXPECT_EQ(tids, (std::multiset<int>{7, 7, 0, 0, -1}));
  EXPECT_EQ(crashed, 1);
  EXPECT_EQ(r->crashed_tid, 7);
}

TEST_F(DamagedCore, NoNoteSegmentAtAll) {
  ct::CoreBuilder b = canonical_core();
  b.without_note_segment();
  Bytes bytes = b.build().bytes;
  auto d = parse(bytes);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_TRUE(d->threads.empty());
  EXPECT_TRUE(d->diagnostics.has("notes-missing")) << diag_codes(d->diagnostics);
  EXPECT_TRUE(d->diagnostics.has("no-threads")) << diag_codes(d->diagnostics);
  EXPECT_EQ(d->mappings.size(), 7u);
  auto r = analyze(bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->threads.empty());
  EXPECT_FALSE(r->crashed_tid.has_value());
  EXPECT_FALSE(r->signal.has_value());
}

// ------------------------------------------------------------------ random damage

// Overwrites random bytes of the headers and notes (fixed seeds: reproducible) and requires a
// dump or an error from the parser, and a report or an error from the whole analysis.
TEST_F(DamagedCore, RandomByteDamageNeverCrashes) {
  const ct::BuiltCore c = canonical_core().build();
  const std::uint64_t region = c.layout.notes_offset + c.layout.notes_size;
  std::mt19937_64 rng(20261124);
  int dumps = 0;
  for (int round = 0; round < 300; ++round) {
    Bytes bytes = c.bytes;
    const int hits = 1 + static_cast<int>(rng() % 16);
    for (int i = 0; i < hits; ++i) {
      const std::uint64_t off = rng() % region;
      switch (rng() % 4) {
        case 0: bytes[off] = static_cast<std::uint8_t>(rng()); break;
        case 1: bytes[off] = 0xff; break;
        case 2: bytes[off] = 0; break;
        default:
          if (off + 4 <= bytes.size()) ct::put_u32(bytes, off, static_cast<std::uint32_t>(rng()));
      }
    }
    SCOPED_TRACE("round " + std::to_string(round));
    auto d = parse(bytes);
    if (d.has_value()) ++dumps;
    if (round % 10 == 0) {
      auto r = analyze(bytes);
      if (r.has_value()) {
        EXPECT_EQ(r->threads.size(), d.has_value() ? d->threads.size() : r->threads.size());
      } else {
        EXPECT_FALSE(r.error().message.empty());
      }
    }
  }
  EXPECT_GT(dumps, 150) << "most damage inside notes must still give a dump";
}

}  // namespace
}  // namespace corelens::unit
