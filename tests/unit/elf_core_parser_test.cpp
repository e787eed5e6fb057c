// parse_elf_core on well-formed synthetic cores: every field of the ProcessDump, both producers'
// note orders, and which thread crashed.
#include "parsers/elf_core.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/unit_support.hpp"
#include "unwinder/pipeline/user_session.hpp"

namespace corelens::unit {
namespace {

using namespace canon;

const WideRegister* wide(const Thread& t, std::string_view name) {
  for (const auto& w : t.registers.wide) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

class ElfCoreParser : public WithTempDir {
 protected:
  ProcessDump parse_ok(const ct::CoreBuilder& b) {
    built_ = b.build();
    auto d = parse(built_.bytes);
    if (!d) {
      ADD_FAILURE() << "parse failed: " << d.error().message;
      return {};
    }
    return std::move(*d);
  }
  ct::BuiltCore built_;
};

TEST_F(ElfCoreParser, WellFormedCoreHasNoDiagnostics) {
  ProcessDump d = parse_ok(canonical_core());
  EXPECT_EQ(d.arch, Arch::x86_64);
  EXPECT_EQ(d.producer, "kernel");
  EXPECT_TRUE(d.diagnostics.entries().empty()) << diag_codes(d.diagnostics);
  EXPECT_EQ(d.file->size(), built_.bytes.size());
}

TEST_F(ElfCoreParser, ThreadsInNoteOrderWithTheirPrstatusFields) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_EQ(d.threads.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const Thread& t = d.threads[i];
    EXPECT_EQ(t.tid, kPid + static_cast<int>(i));
    EXPECT_EQ(t.cursig, 11) << "the kernel writes the dump signal into every thread";
    EXPECT_EQ(t.ppid, 1);
    EXPECT_EQ(t.pgrp, kPid);
    EXPECT_EQ(t.sid, kPid);
    EXPECT_TRUE(t.name.empty());
  }
  EXPECT_EQ(d.threads[0].sigpend, 0x100u);
  EXPECT_EQ(d.threads[0].sighold, 0x200u);
  EXPECT_EQ(d.threads[1].sigpend, 0u);
}

TEST_F(ElfCoreParser, GeneralRegistersByNameInTheKernelsOrder) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_EQ(d.threads.size(), 3u);
  const RegisterSet& r = d.threads[0].registers;
  ASSERT_EQ(r.general.size(), 27u);
  for (std::size_t i = 0; i < 27; ++i) EXPECT_EQ(r.general[i].name, ct::kX86_64RegNames[i]) << i;
  EXPECT_EQ(r.get("rip"), kRip);
  EXPECT_EQ(r.get("rsp"), kRsp);
  EXPECT_EQ(r.get("rax"), kRax);
  EXPECT_EQ(r.get("orig_rax"), ~0ull);
  EXPECT_EQ(r.get("fs_base"), 0x7f0000100000u);
  EXPECT_EQ(r.get("cs"), 0x33u);
  EXPECT_EQ(r.get("eflags"), 0x246u);
  const auto expected = canon::thread(0).regs;
  for (const auto& [name, value] : expected) EXPECT_EQ(r.get(name), value) << name;
  EXPECT_FALSE(r.get("xmm0").has_value()) << "get() is for general registers only";
  EXPECT_FALSE(r.get("nosuch").has_value());
  EXPECT_EQ(d.threads[1].registers.get("rip"), 0x401200u);
  EXPECT_EQ(d.threads[2].registers.get("rip"), 0x401300u);
}

TEST_F(ElfCoreParser, WideRegistersFromFpregsetAndXstate) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_EQ(d.threads.size(), 3u);
  const Thread& t0 = d.threads[0];
  EXPECT_TRUE(t0.has_fpregs);
  const WideRegister* xmm0 = wide(t0, "xmm0");
  ASSERT_NE(xmm0, nullptr);
  ASSERT_EQ(xmm0->bytes.size(), 16u);
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(xmm0->bytes[i], 0x10 + i);
  const WideRegister* xmm15 = wide(t0, "xmm15");
  ASSERT_NE(xmm15, nullptr);
  EXPECT_EQ(xmm15->bytes.at(15), 0xee);
  const WideRegister* ymm0 = wide(t0, "ymm0");
  ASSERT_NE(ymm0, nullptr);
  ASSERT_EQ(ymm0->bytes.size(), 32u);
  for (std::size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(ymm0->bytes[i], 0x10 + i) << "low half = xmm0";
    EXPECT_EQ(ymm0->bytes[16 + i], 0xa0 + i) << "high half from the AVX area at 576";
  }
  const WideRegister* st0 = wide(t0, "st0");
  ASSERT_NE(st0, nullptr);
  EXPECT_EQ(st0->bytes, (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f}));
  const WideRegister* mxcsr = wide(t0, "mxcsr");
  ASSERT_NE(mxcsr, nullptr);
  EXPECT_EQ(mxcsr->bytes, (std::vector<std::uint8_t>{0xa0, 0x1f, 0, 0}));
  const WideRegister* fcw = wide(t0, "fcw");
  ASSERT_NE(fcw, nullptr);
  EXPECT_EQ(fcw->bytes, (std::vector<std::uint8_t>{0x7f, 0x03}));
  // Each name once, even though NT_PRFPREG and NT_X86_XSTATE both hold the legacy area.
  for (const auto& w : t0.registers.wide) {
    EXPECT_EQ(std::count_if(t0.registers.wide.begin(), t0.registers.wide.end(),
                            [&](const WideRegister& o) { return o.name == w.name; }), 1)
        << w.name;
  }
  const Thread& t1 = d.threads[1];  // NT_PRFPREG only: no ymm
  EXPECT_TRUE(t1.has_fpregs);
  ASSERT_NE(wide(t1, "xmm0"), nullptr);
  EXPECT_EQ(wide(t1, "xmm0")->bytes.at(0), 0x77);
  EXPECT_EQ(wide(t1, "ymm0"), nullptr);
  EXPECT_FALSE(d.threads[2].has_fpregs);
  EXPECT_TRUE(d.threads[2].registers.wide.empty());
}

TEST_F(ElfCoreParser, XstateWithoutAvxInXstateBvHasNoYmm) {
  ct::ThreadSpec t = canon::thread(0);
  t.fpregs.reset();
  t.xstate->xstate_bv = 0x3;  // x87 | SSE only
  ct::CoreBuilder b;
  b.add_thread(t);
  ProcessDump d = parse_ok(b);
  ASSERT_EQ(d.threads.size(), 1u);
  EXPECT_TRUE(d.threads[0].has_fpregs) << "the legacy area of the xsave note gives x87/SSE";
  ASSERT_NE(wide(d.threads[0], "xmm0"), nullptr);
  EXPECT_EQ(wide(d.threads[0], "xmm0")->bytes.at(0), 0x10);
  EXPECT_EQ(wide(d.threads[0], "ymm0"), nullptr);
}

TEST_F(ElfCoreParser, PsinfoFields) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_TRUE(d.psinfo.has_value());
  const PsInfo& p = *d.psinfo;
  EXPECT_EQ(p.fname, "crashy");
  EXPECT_EQ(p.psargs, "./crashy --boom") << "trailing space trimmed";
  EXPECT_EQ(p.uid, 1000u);
  EXPECT_EQ(p.gid, 1001u);
  EXPECT_EQ(p.pid, kPid);
  EXPECT_EQ(p.ppid, 1);
  EXPECT_EQ(p.pgrp, kPid);
  EXPECT_EQ(p.sid, kPid);
  EXPECT_EQ(p.state_char, 'R');
  EXPECT_EQ(p.nice, -5);
  EXPECT_EQ(p.flags, 0x400600u);
}

TEST_F(ElfCoreParser, PsinfoFullWidthFieldsAndControlCharacters) {
  ct::PsInfoSpec ps = canon::psinfo();
  ps.fname = "sixteen_chars_xx";                 // 16 bytes: no terminator
  ps.psargs = std::string(79, 'a') + "b";        // 80 bytes: no terminator
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0)).set_prpsinfo(ps);
  ProcessDump d = parse_ok(b);
  ASSERT_TRUE(d.psinfo.has_value());
  EXPECT_EQ(d.psinfo->fname, "sixteen_chars_xx");
  EXPECT_EQ(d.psinfo->psargs, std::string(79, 'a') + "b");

  ps.fname = "evil\x1b[2J";
  ps.psargs = "a\tb\x01 c  ";
  ct::CoreBuilder b2;
  b2.add_thread(canon::thread(0)).set_prpsinfo(ps);
  ProcessDump d2 = parse_ok(b2);
  ASSERT_TRUE(d2.psinfo.has_value());
  EXPECT_EQ(d2.psinfo->fname, "evil?[2J");
  EXPECT_EQ(d2.psinfo->psargs, "a\tb? c");
}

TEST_F(ElfCoreParser, SiginfoFaultLayoutGivesTheAddress) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_TRUE(d.siginfo.has_value());
  EXPECT_EQ(d.siginfo->signo, 11);
  EXPECT_EQ(d.siginfo->code, 1);
  EXPECT_EQ(d.siginfo->errnum, 0);
  EXPECT_EQ(d.siginfo->address, kFault);
  EXPECT_FALSE(d.siginfo->sender_pid.has_value());
  EXPECT_TRUE(d.siginfo->from_siginfo_note);
  ASSERT_TRUE(d.threads.at(0).siginfo.has_value()) << "the note follows thread 0's PRSTATUS";
  EXPECT_EQ(d.threads[0].siginfo->address, kFault);
  EXPECT_FALSE(d.threads.at(1).siginfo.has_value());
}

TEST_F(ElfCoreParser, SiginfoKillLayoutGivesTheSender) {
  ct::SigInfoSpec s;
  s.signo = 6;
  s.code = -6;  // SI_TKILL: abort() -> raise() -> tgkill
  s.pid = 4242;
  s.uid = 1000;
  s.errno_ = 0;
  ct::ThreadSpec t = canon::thread(0);
  t.cursig = 6;
  ct::CoreBuilder b;
  b.add_thread(t).set_siginfo(s);
  ProcessDump d = parse_ok(b);
  ASSERT_TRUE(d.siginfo.has_value());
  EXPECT_EQ(d.siginfo->signo, 6);
  EXPECT_EQ(d.siginfo->code, -6);
  EXPECT_EQ(d.siginfo->sender_pid, 4242);
  EXPECT_EQ(d.siginfo->sender_uid, 1000u);
  EXPECT_FALSE(d.siginfo->address.has_value());
}

TEST_F(ElfCoreParser, SiginfoOfAKillSentSegvHasASenderNotAnAddress) {
  ct::SigInfoSpec s;
  s.signo = 11;
  s.code = 0;  // SI_USER: kill -SEGV
  s.pid = 777;
  s.uid = 0;
  s.layout = ct::SigInfoSpec::Layout::Kill;
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0)).set_siginfo(s);
  ProcessDump d = parse_ok(b);
  ASSERT_TRUE(d.siginfo.has_value());
  EXPECT_EQ(d.siginfo->sender_pid, 777);
  EXPECT_EQ(d.siginfo->sender_uid, 0u);
  EXPECT_FALSE(d.siginfo->address.has_value());
}

TEST_F(ElfCoreParser, AuxvInOrderWithoutTheTerminator) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_EQ(d.auxv.size(), 5u);
  EXPECT_EQ(d.auxv[0].type, 3u);
  EXPECT_EQ(d.auxv[0].value, kExe + 0x40);
  EXPECT_EQ(d.auxv[4].type, 31u);
  EXPECT_EQ(d.auxv_value(9), kEntry);             // AT_ENTRY
  EXPECT_EQ(d.auxv_value(33), kVdso);             // AT_SYSINFO_EHDR
  EXPECT_EQ(d.auxv_value(31), kExecFn);           // AT_EXECFN
  EXPECT_FALSE(d.auxv_value(25).has_value());     // AT_RANDOM absent
  auto execfn = d.memory.read_string(*d.auxv_value(31), 4096);
  ASSERT_TRUE(execfn.has_value()) << execfn.error().message;
  EXPECT_EQ(*execfn, kExePath);
}

TEST_F(ElfCoreParser, FileNoteEntriesWithByteOffsets) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_EQ(d.files.size(), 5u);
  EXPECT_EQ(d.files[0].start, kExe);
  EXPECT_EQ(d.files[0].end, kExe + 0x1000);
  EXPECT_EQ(d.files[0].file_offset, 0u);
  EXPECT_EQ(d.files[0].path, kExePath);
  EXPECT_EQ(d.files[1].start, kText);
  EXPECT_EQ(d.files[1].file_offset, 0x1000u) << "page index 1 x page size 4096";
  EXPECT_EQ(d.files[3].path, kLibcPath);
  EXPECT_EQ(d.files[4].path, kLocalePath);
}

TEST_F(ElfCoreParser, MappingsWithPermsSavedBytesAndFiles) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_EQ(d.mappings.size(), 7u);
  for (std::size_t i = 1; i < d.mappings.size(); ++i) EXPECT_LT(d.mappings[i - 1].start, d.mappings[i].start);
  const Mapping* text = d.mapping_at(kText + 0x1fff);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->start, kText);
  EXPECT_EQ(text->end, kText + 0x2000);
  EXPECT_EQ(text->perms(), "r-xp");
  EXPECT_EQ(text->saved, kTextSaved);
  EXPECT_EQ(text->path, kExePath);
  EXPECT_EQ(text->file_offset, 0x1000u);
  EXPECT_EQ(text->core_offset, built_.layout.segments[1].data_offset);
  const Mapping* exe = d.mapping_at(kExe);
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->perms(), "r--p");
  EXPECT_EQ(exe->saved, 0x1000u);
  const Mapping* libc_text = d.mapping_at(kLibc + 0x1000);
  ASSERT_NE(libc_text, nullptr);
  EXPECT_EQ(libc_text->saved, 0u);
  EXPECT_EQ(libc_text->path, kLibcPath);
  EXPECT_EQ(libc_text->file_offset, 0x1000u);
  const Mapping* stack = d.mapping_at(kStack + 8);
  ASSERT_NE(stack, nullptr);
  EXPECT_EQ(stack->perms(), "rw-p");
  EXPECT_EQ(stack->path, "") << "anonymous memory";
  EXPECT_EQ(stack->file_offset, 0u);
  EXPECT_EQ(d.mapping_at(kExe - 1), nullptr);
  EXPECT_EQ(d.mapping_at(kText + 0x2000), nullptr);
}

TEST_F(ElfCoreParser, MemoryReadsAndTheUnsavedTail) {
  ProcessDump d = parse_ok(canonical_core());
  auto word = d.memory.read_u64(kStack + 8);
  ASSERT_TRUE(word.has_value()) << word.error().message;
  std::uint64_t expected = 0;
  for (int i = 7; i >= 0; --i) expected = (expected << 8) | static_cast<std::uint8_t>((8 + i) * 13);
  EXPECT_EQ(*word, expected);
  EXPECT_EQ(*d.memory.read_u32(kText), 0xccccccccu);
  auto tail = d.memory.read_u64(kText + kTextSaved - 4);
  ASSERT_FALSE(tail.has_value());
  EXPECT_EQ(tail.error().code, ErrorCode::not_saved);
  EXPECT_EQ(tail.error().where, kText + kTextSaved);
  auto undumped = d.memory.read_u64(kLibc + 0x1000);
  ASSERT_FALSE(undumped.has_value());
  EXPECT_EQ(undumped.error().code, ErrorCode::not_saved);
  auto outside = d.memory.read_u64(0x1000);
  ASSERT_FALSE(outside.has_value());
  EXPECT_EQ(outside.error().code, ErrorCode::not_mapped);
}

TEST_F(ElfCoreParser, NotesListedInFileOrderIncludingUnknownOnes) {
  ct::CoreBuilder b = canonical_core();
  b.add_raw_note("CORE", 0x4242, {9, 9, 9, 9});
  ProcessDump d = parse_ok(b);
  const auto& L = built_.layout;
  ASSERT_EQ(d.notes.size(), L.notes.size());
  for (std::size_t i = 0; i < L.notes.size(); ++i) {
    EXPECT_EQ(d.notes[i].name, L.notes[i].name) << i;
    EXPECT_EQ(d.notes[i].type, L.notes[i].type) << i;
    EXPECT_EQ(d.notes[i].offset, L.notes[i].desc_offset) << i;
    EXPECT_EQ(d.notes[i].size, L.notes[i].desc_size) << i;
  }
  EXPECT_EQ(d.notes[0].type_name, "NT_PRSTATUS");
  auto named = [&](const std::string& tn) {
    return std::count_if(d.notes.begin(), d.notes.end(), [&](const NoteInfo& n) { return n.type_name == tn; });
  };
  EXPECT_EQ(named("NT_PRSTATUS"), 3);
  EXPECT_EQ(named("NT_FPREGSET"), 2);
  EXPECT_EQ(named("NT_X86_XSTATE"), 1);
  EXPECT_EQ(named("NT_PRPSINFO"), 1);
  EXPECT_EQ(named("NT_SIGINFO"), 1);
  EXPECT_EQ(named("NT_AUXV"), 1);
  EXPECT_EQ(named("NT_FILE"), 1);
  const NoteInfo& acme = d.notes[d.notes.size() - 2];
  EXPECT_EQ(acme.name, "ACME");
  EXPECT_EQ(acme.type, 0x1234u);
  EXPECT_EQ(acme.type_name, "");
  EXPECT_EQ(acme.size, 5u);
  const NoteInfo& core_unknown = d.notes.back();
  EXPECT_EQ(core_unknown.name, "CORE");
  EXPECT_EQ(core_unknown.type, 0x4242u);
  EXPECT_EQ(core_unknown.type_name, "");
  EXPECT_EQ(d.threads.size(), 3u) << "unknown notes change nothing else";
}

TEST_F(ElfCoreParser, GcoreNoteOrderIsRecognisedAsGdb) {
  ct::CoreBuilder b = canonical_core();
  b.note_order(ct::NoteOrder::Gcore);
  ProcessDump d = parse_ok(b);
  EXPECT_EQ(d.producer, "gdb");
  ASSERT_EQ(d.threads.size(), 3u);
  EXPECT_EQ(d.threads[0].registers.get("rip"), kRip);
  EXPECT_NE(wide(d.threads[0], "ymm0"), nullptr);
  EXPECT_EQ(wide(d.threads[1], "xmm0")->bytes.at(0), 0x77) << "fp notes go to their own thread";
  ASSERT_TRUE(d.threads[0].siginfo.has_value());
  EXPECT_EQ(d.siginfo->address, kFault);
  EXPECT_EQ(d.psinfo->fname, "crashy");
  EXPECT_EQ(d.auxv.size(), 5u);
  EXPECT_EQ(d.files.size(), 5u);
  EXPECT_EQ(crashed_thread_index(d), 0u);
}

TEST_F(ElfCoreParser, GdbTargetDescriptionNoteMakesTheProducerGdb) {
  const std::string xml = "<?xml version=\"1.0\"?><target><architecture>i386:x86-64</architecture></target>";
  ct::CoreBuilder b = canonical_core();
  b.add_raw_note("GDB", ct::elfc::NT_GDB_TDESC, bytes_of(xml + '\0'));
  ProcessDump d = parse_ok(b);
  EXPECT_EQ(d.producer, "gdb");
  EXPECT_EQ(d.gdb_target_description, xml);
  EXPECT_EQ(d.notes.back().name, "GDB");
  EXPECT_EQ(d.notes.back().type_name, "NT_GDB_TDESC");
  ProcessDump k = parse_ok(canonical_core());
  EXPECT_EQ(k.producer, "kernel");
  EXPECT_EQ(k.gdb_target_description, "");
}

TEST_F(ElfCoreParser, KernelCoreCrashedThreadIsTheFirst) {
  ProcessDump d = parse_ok(canonical_core());
  EXPECT_EQ(crashed_thread_index(d), 0u);
}

TEST_F(ElfCoreParser, KernelCoreWithoutSiginfoTakesTheSignalFromCursig) {
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0)).add_thread(canon::thread(1)).set_prpsinfo(canon::psinfo());
  ProcessDump d = parse_ok(b);
  EXPECT_FALSE(d.siginfo.has_value());
  EXPECT_TRUE(d.diagnostics.has("no-siginfo"));
  EXPECT_EQ(crashed_thread_index(d), 0u);
  auto r = analyze(built_.bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_TRUE(r->signal.has_value());
  EXPECT_EQ(r->signal->number, 11);
  EXPECT_EQ(r->signal->name, "SIGSEGV");
  EXPECT_EQ(r->signal->code_name, "");
  EXPECT_NE(r->signal->code_description.find("no NT_SIGINFO"), std::string::npos);
  EXPECT_EQ(r->crashed_tid, kPid);
}

// gcore writes one NT_SIGINFO per thread: the thread that took the fatal signal has it, the
// others show the SIGSTOP gdb used to stop them.
ct::CoreBuilder gcore_with_per_thread_siginfo(const std::vector<int>& signals) {
  ct::CoreBuilder b;
  b.note_order(ct::NoteOrder::Gcore).set_prpsinfo(canon::psinfo());
  for (std::size_t i = 0; i < signals.size(); ++i) {
    ct::ThreadSpec t = canon::thread(0);
    t.tid = 5000 + static_cast<int>(i);
    t.cursig = static_cast<std::int16_t>(signals[i]);
    t.regs["rip"] = 0x401000 + 0x100 * i;
    t.fpregs.reset();
    t.xstate.reset();
    ct::SigInfoSpec s;
    s.signo = signals[i];
    if (signals[i] == 19) {
      s.code = -6;  // SI_TKILL from gdb
      s.pid = 1;
    } else {
      s.code = 1;
      s.addr = kFault;
    }
    b.add_raw_note("CORE", ct::elfc::NT_PRSTATUS, ct::CoreBuilder::encode_prstatus(t));
    b.add_raw_note("CORE", ct::elfc::NT_SIGINFO, ct::CoreBuilder::encode_siginfo(s));
  }
  return b;
}

TEST_F(ElfCoreParser, GcoreCrashedThreadFirstAsGdbWritesIt) {
  ProcessDump d = parse_ok(gcore_with_per_thread_siginfo({11, 19, 19}));
  ASSERT_EQ(d.threads.size(), 3u);
  EXPECT_EQ(d.producer, "gdb");
  for (const auto& t : d.threads) EXPECT_TRUE(t.siginfo.has_value()) << t.tid;
  EXPECT_EQ(d.threads[1].siginfo->signo, 19);
  EXPECT_EQ(crashed_thread_index(d), 0u);
  ASSERT_TRUE(d.siginfo.has_value());
  EXPECT_EQ(d.siginfo->signo, 11);
}

TEST_F(ElfCoreParser, GcoreCrashedThreadIsTheOneWithTheFatalSiginfo) {
  ProcessDump d = parse_ok(gcore_with_per_thread_siginfo({19, 11, 19}));
  ASSERT_EQ(d.threads.size(), 3u);
  ASSERT_TRUE(d.threads[1].siginfo.has_value());
  EXPECT_EQ(d.threads[1].siginfo->signo, 11);
  EXPECT_EQ(d.threads[1].siginfo->address, kFault);
  // BUG: dump.siginfo is the FIRST NT_SIGINFO of the file (thread 0's SIGSTOP), so
  // crashed_thread_index skips thread 1 (its signal 11 != 19) and falls back to 0.
  EXPECT_EQ(crashed_thread_index(d), 1u);
  ASSERT_TRUE(d.siginfo.has_value());
  EXPECT_EQ(d.siginfo->signo, 11) << "process.hpp: the process-level siginfo is the crashing thread's";
  auto r = analyze(built_.bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->crashed_tid, 5001);
  ASSERT_TRUE(r->signal.has_value());
  EXPECT_EQ(r->signal->name, "SIGSEGV");
  ASSERT_FALSE(r->threads.empty());
  EXPECT_EQ(r->threads[0].tid, 5001) << "the crashing thread is listed first";
}

TEST_F(ElfCoreParser, GcoreOfAStoppedProcessHasNoCrashedThreadButTheFirst) {
  ProcessDump d = parse_ok(gcore_with_per_thread_siginfo({19, 19}));
  EXPECT_EQ(crashed_thread_index(d), 0u);
  ASSERT_TRUE(d.siginfo.has_value());
  EXPECT_EQ(d.siginfo->signo, 19);
}

TEST_F(ElfCoreParser, CrashedThreadIndexOfAnEmptyDumpIsZero) {
  ProcessDump empty;
  EXPECT_EQ(crashed_thread_index(empty), 0u);
}

}  // namespace
}  // namespace corelens::unit
