#include "parsers/core_notes.hpp"

#include "core/model/signals.hpp"
#include "core/model/strings.hpp"

namespace corelens::notes {

std::string type_name(const std::string& name, std::uint32_t type) {
  if (name == "CORE") {
    switch (type) {
      case kPrStatus: return "NT_PRSTATUS";
      case kFpRegSet: return "NT_FPREGSET";
      case kPrPsInfo: return "NT_PRPSINFO";
      case kTaskStruct: return "NT_TASKSTRUCT";
      case kAuxv: return "NT_AUXV";
      case kSigInfo: return "NT_SIGINFO";
      case kFile: return "NT_FILE";
      case kPrXfpReg: return "NT_PRXFPREG";
      default: return "";
    }
  }
  if (name == "LINUX") {
    switch (type) {
      case kX86Xstate: return "NT_X86_XSTATE";
      case kX86XsaveLayout: return "NT_X86_XSAVE_LAYOUT";
      case 0x200: return "NT_386_TLS";
      case 0x201: return "NT_386_IOPERM";
      case 0x203: return "NT_X86_SHSTK";
      case 0x400: return "NT_ARM_VFP";
      case 0x401: return "NT_ARM_TLS";
      case 0x402: return "NT_ARM_HW_BREAK";
      case 0x403: return "NT_ARM_HW_WATCH";
      case 0x404: return "NT_ARM_SYSTEM_CALL";
      case 0x405: return "NT_ARM_SVE";
      case 0x406: return "NT_ARM_PAC_MASK";
      case 0x409: return "NT_ARM_TAGGED_ADDR_CTRL";
      case 0x100: return "NT_PPC_VMX";
      case 0x102: return "NT_PPC_VSX";
      case 0x300: return "NT_S390_HIGH_GPRS";
      default: return "";
    }
  }
  if (name == "GDB" && type == kGdbTdesc) return "NT_GDB_TDESC";
  if (name == "GNU" && type == 3) return "NT_GNU_BUILD_ID";
  return "";
}

namespace {

// A long or pointer of WORD bytes at OFFSET.
Result<std::uint64_t> word_at(const ByteReader& d, std::uint64_t offset, unsigned word) {
  if (word == 4) {
    auto v = d.u32(offset);
    if (!v) return unexpected(v.error());
    return std::uint64_t{*v};
  }
  return d.u64(offset);
}

}  // namespace

// struct elf_prstatus_common: struct elf_siginfo {si_signo, si_code, si_errno} @0, pr_cursig
// (short) @12, then longs: pr_sigpend @16, pr_sighold @16+W, then pr_pid, pr_ppid, pr_pgrp,
// pr_sid (ints) from 16+2W, then four struct timevals (two longs each) up to pr_reg.
void decode_prstatus_header(const ByteReader& d, Thread& t, unsigned word) {
  std::uint64_t ids = 16 + 2 * word;
  t.cursig = d.i16(12).value_or(0);
  t.sigpend = word_at(d, 16, word).value_or(0);
  t.sighold = word_at(d, 16 + word, word).value_or(0);
  t.tid = d.i32(ids).value_or(0);
  t.ppid = d.i32(ids + 4).value_or(0);
  t.pgrp = d.i32(ids + 8).value_or(0);
  t.sid = d.i32(ids + 12).value_or(0);
}

// struct elf_prpsinfo: pr_state @0, pr_sname @1, pr_zomb @2, pr_nice @3, pr_flag (a long) at
// W, then pr_uid, pr_gid, pr_pid, pr_ppid, pr_pgrp, pr_sid, pr_fname[16], pr_psargs[80].
//   64-bit: pr_flag @8, uid/gid 4 bytes each @16/@20, pr_pid @24 ... pr_fname @40; 136 bytes.
//   32-bit (i386, arm): __kernel_uid_t is 16 bits there: pr_flag @4, uid/gid @8/@10, pr_pid @12
//   ... pr_fname @28, pr_psargs @44; 124 bytes.
Result<PsInfo> decode_prpsinfo(const ByteReader& d, unsigned word) {
  const bool narrow = word == 4;
  const std::uint64_t expected = narrow ? kPrPsInfoSize32 : kPrPsInfoSize64;
  if (d.size() < expected) {
    return fail(ErrorCode::malformed, "NT_PRPSINFO has " + std::to_string(d.size()) +
                                          " bytes, expected " + std::to_string(expected), d.base());
  }
  PsInfo p;
  p.state_char = static_cast<char>(*d.u8(1));
  p.nice = static_cast<std::int8_t>(*d.u8(3));
  p.flags = *word_at(d, word, word);
  std::uint64_t ids = narrow ? 12 : 24;
  p.uid = narrow ? *d.u16(8) : *d.u32(16);
  p.gid = narrow ? *d.u16(10) : *d.u32(20);
  p.pid = *d.i32(ids);
  p.ppid = *d.i32(ids + 4);
  p.pgrp = *d.i32(ids + 8);
  p.sid = *d.i32(ids + 12);
  p.fname = printable(d.fixed_string(ids + 16, 16));
  p.psargs = printable(d.fixed_string(ids + 32, 80));
  // The kernel replaces the NULs between arguments with spaces but leaves a trailing one.
  while (!p.psargs.empty() && p.psargs.back() == ' ') p.psargs.pop_back();
  return p;
}

// siginfo_t (128 bytes): si_signo @0, si_errno @4, si_code @8, then the union, aligned to a
// pointer: @16 on 64-bit targets, @12 on 32-bit ones. For faults the union starts with si_addr;
// for kill/tkill/sigqueue with si_pid, si_uid.
Result<SigInfo> decode_siginfo(const ByteReader& d, unsigned word) {
  const std::uint64_t fields = word == 4 ? 12 : 16;
  if (d.size() < fields + 8) {
    return fail(ErrorCode::malformed, "NT_SIGINFO has " + std::to_string(d.size()) +
                                          " bytes, expected " + std::to_string(kSigInfoSize), d.base());
  }
  SigInfo s;
  s.signo = *d.i32(0);
  s.errnum = *d.i32(4);
  s.code = *d.i32(8);
  s.from_siginfo_note = true;
  if (si_code_has_sender(s.signo, s.code)) {
    s.sender_pid = *d.i32(fields);
    s.sender_uid = *d.u32(fields + 4);
  } else if (signal_has_fault_address(s.signo) && s.code > 0) {
    s.address = *word_at(d, fields, word);
  }
  return s;
}

// NT_AUXV: pairs of longs (a_type, a_val), ending with AT_NULL.
std::vector<AuxvEntry> decode_auxv(const ByteReader& d, Diagnostics& diags, unsigned word) {
  std::vector<AuxvEntry> out;
  const std::uint64_t entry = 2 * word;
  for (std::uint64_t off = 0; d.has(off, entry); off += entry) {
    AuxvEntry e{*word_at(d, off, word), *word_at(d, off + word, word)};
    if (e.type == 0) return out;  // AT_NULL
    if (out.size() >= kMaxAuxvEntries) {
      diags.warn("auxv-too-long", "NT_AUXV has more than " + std::to_string(kMaxAuxvEntries) +
                                      " entries; the rest are ignored", d.base() + off);
      return out;
    }
    out.push_back(e);
  }
  diags.warn("auxv-unterminated", "NT_AUXV does not end with AT_NULL", d.base());
  return out;
}

// NT_FILE: count, page_size, count x {start, end, page_offset}, then count NUL-terminated paths;
// every number a long.
std::vector<FileRange> decode_file(const ByteReader& d, Diagnostics& diags, unsigned word) {
  std::vector<FileRange> out;
  auto count = word_at(d, 0, word);
  auto page_size = word_at(d, word, word);
  if (!count || !page_size) {
    diags.warn("note-file-short", "NT_FILE is too short for its header", d.base());
    return out;
  }
  std::uint64_t table_bytes = 0;
  const std::uint64_t entry = 3 * word, table = 2 * word;
  if (*count > kMaxFileEntries || mul_overflows(*count, entry, &table_bytes) ||
      !d.has(table, table_bytes)) {
    diags.warn("note-file-bad-count", "NT_FILE claims " + std::to_string(*count) +
                                          " entries, more than its " + std::to_string(d.size()) +
                                          " bytes can hold", d.base());
    return out;
  }
  out.reserve(*count);
  std::uint64_t name_pos = table + table_bytes;
  for (std::uint64_t i = 0; i < *count; ++i) {
    FileRange f;
    f.start = *word_at(d, table + i * entry, word);
    f.end = *word_at(d, table + i * entry + word, word);
    std::uint64_t pgoff = *word_at(d, table + i * entry + 2 * word, word);
    if (mul_overflows(pgoff, *page_size, &f.file_offset)) f.file_offset = 0;
    if (name_pos >= d.size()) {
      diags.warn("note-file-names-missing", "NT_FILE ends before the path of entry " +
                                                std::to_string(i), d.base() + name_pos);
      break;
    }
    std::string path = d.fixed_string(name_pos, std::min<std::uint64_t>(kMaxPathLength, d.size() - name_pos));
    name_pos += path.size() + 1;
    f.path = printable(path);
    if (f.end < f.start) {
      diags.warn("note-file-bad-range", "NT_FILE entry " + std::to_string(i) + " ends before it starts",
                 d.base());
      continue;
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace corelens::notes
