#include "parsers/core_notes.hpp"

#include "core/signals.hpp"
#include "core/strings.hpp"

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

// struct elf_prstatus_common: struct elf_siginfo {si_signo, si_code, si_errno} @0, pr_cursig
// (short) @12, pr_sigpend @16, pr_sighold @24, pr_pid @32, pr_ppid @36, pr_pgrp @40, pr_sid @44,
// then four struct timevals up to 112.
void decode_prstatus_header(const ByteReader& d, Thread& t) {
  t.cursig = d.i16(12).value_or(0);
  t.sigpend = d.u64(16).value_or(0);
  t.sighold = d.u64(24).value_or(0);
  t.tid = d.i32(32).value_or(0);
  t.ppid = d.i32(36).value_or(0);
  t.pgrp = d.i32(40).value_or(0);
  t.sid = d.i32(44).value_or(0);
}

// struct elf_prpsinfo (64-bit): pr_state @0, pr_sname @1, pr_zomb @2, pr_nice @3, pr_flag @8,
// pr_uid @16, pr_gid @20, pr_pid @24, pr_ppid @28, pr_pgrp @32, pr_sid @36, pr_fname[16] @40,
// pr_psargs[80] @56; 136 bytes.
Result<PsInfo> decode_prpsinfo(const ByteReader& d) {
  if (d.size() < 136) {
    return fail(ErrorCode::malformed, "NT_PRPSINFO has " + std::to_string(d.size()) +
                                          " bytes, expected 136", d.base());
  }
  PsInfo p;
  p.state_char = static_cast<char>(*d.u8(1));
  p.nice = static_cast<std::int8_t>(*d.u8(3));
  p.flags = *d.u64(8);
  p.uid = *d.u32(16);
  p.gid = *d.u32(20);
  p.pid = *d.i32(24);
  p.ppid = *d.i32(28);
  p.pgrp = *d.i32(32);
  p.sid = *d.i32(36);
  p.fname = printable(d.fixed_string(40, 16));
  p.psargs = printable(d.fixed_string(56, 80));
  // The kernel replaces the NULs between arguments with spaces but leaves a trailing one.
  while (!p.psargs.empty() && p.psargs.back() == ' ') p.psargs.pop_back();
  return p;
}

// siginfo_t (128 bytes): si_signo @0, si_errno @4, si_code @8, union at 16. For faults the union
// starts with si_addr; for kill/tkill/sigqueue with si_pid, si_uid.
Result<SigInfo> decode_siginfo(const ByteReader& d) {
  if (d.size() < 24) {
    return fail(ErrorCode::malformed, "NT_SIGINFO has " + std::to_string(d.size()) +
                                          " bytes, expected 128", d.base());
  }
  SigInfo s;
  s.signo = *d.i32(0);
  s.errnum = *d.i32(4);
  s.code = *d.i32(8);
  s.from_siginfo_note = true;
  if (si_code_has_sender(s.signo, s.code)) {
    s.sender_pid = *d.i32(16);
    s.sender_uid = *d.u32(20);
  } else if (signal_has_fault_address(s.signo) && s.code > 0) {
    s.address = *d.u64(16);
  }
  return s;
}

std::vector<AuxvEntry> decode_auxv(const ByteReader& d, Diagnostics& diags) {
  std::vector<AuxvEntry> out;
  for (std::uint64_t off = 0; d.has(off, 16); off += 16) {
    AuxvEntry e{*d.u64(off), *d.u64(off + 8)};
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

// NT_FILE: count, page_size, count x {start, end, page_offset}, then count NUL-terminated paths.
std::vector<FileRange> decode_file(const ByteReader& d, Diagnostics& diags) {
  std::vector<FileRange> out;
  auto count = d.u64(0);
  auto page_size = d.u64(8);
  if (!count || !page_size) {
    diags.warn("note-file-short", "NT_FILE is too short for its header", d.base());
    return out;
  }
  std::uint64_t table_bytes = 0;
  if (*count > kMaxFileEntries || mul_overflows(*count, 24, &table_bytes) ||
      !d.has(16, table_bytes)) {
    diags.warn("note-file-bad-count", "NT_FILE claims " + std::to_string(*count) +
                                          " entries, more than its " + std::to_string(d.size()) +
                                          " bytes can hold", d.base());
    return out;
  }
  out.reserve(*count);
  std::uint64_t name_pos = 16 + table_bytes;
  for (std::uint64_t i = 0; i < *count; ++i) {
    FileRange f;
    f.start = *d.u64(16 + i * 24);
    f.end = *d.u64(16 + i * 24 + 8);
    std::uint64_t pgoff = *d.u64(16 + i * 24 + 16);
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
