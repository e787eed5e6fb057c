// CoreBuilder's note descriptors (core_builder.hpp). Offsets are written out by hand from the
// kernel's layouts, for both ELF classes; every field goes through ByteWriter in the format's
// byte order.
#include <algorithm>
#include <stdexcept>

#include "tests/support/core_builder.hpp"

namespace corelens::testing {

std::size_t reg_index(const std::string& name) {
  for (std::size_t i = 0; i < kX86_64RegNames.size(); ++i) {
    if (name == kX86_64RegNames[i]) return i;
  }
  throw std::invalid_argument("core_builder: unknown x86_64 register name '" + name + "'");
}

PrStatusLayout prstatus_layout(const ElfFormat& f) {
  switch (f.machine) {
    case elfc::EM_X86_64: return {elfc::PRSTATUS_SIZE, 27, 8, 328};
    case elfc::EM_AARCH64: return {392, 34, 8, 384};
    case elfc::EM_PPC64: return {504, 48, 8, 496};
    // s390_regs: psw (mask, address), r0-r15, then a0-a15 of 4 bytes each and orig_gpr2: 27
    // 8-byte slots cover it, but only slots 0-17 are single registers.
    case elfc::EM_S390: return {336, 27, 8, 328};
    case elfc::EM_386: return {144, 17, 4, 140};
    case elfc::EM_ARM: return {148, 18, 4, 144};
    default: throw std::invalid_argument("core_builder: no struct elf_prstatus layout for machine " + std::to_string(f.machine));
  }
}

// struct elf_prstatus, 64-bit (x86_64: 336 bytes):
//   0 pr_info.si_signo  4 pr_info.si_code  8 pr_info.si_errno  12 pr_cursig (i16) + 2 pad
//  16 pr_sigpend  24 pr_sighold  32 pr_pid  36 pr_ppid  40 pr_pgrp  44 pr_sid
//  48 pr_utime  64 pr_stime  80 pr_cutime  96 pr_cstime (timeval: i64 sec, i64 usec)
// 112 pr_reg[ELF_NGREG], then pr_fpvalid (i32)
// 32-bit: 16 pr_sigpend  20 pr_sighold  24 pr_pid ... 36 pr_sid  40 the timevals (i32 sec, i32
// usec)  72 pr_reg.
Bytes CoreBuilder::encode_prstatus(const ThreadSpec& t, const ElfFormat& f) {
  const PrStatusLayout L = prstatus_layout(f);
  if (!t.regs.empty() && f.machine != elfc::EM_X86_64) {
    throw std::invalid_argument("core_builder: named registers are x86_64's; give reg_slots for this machine");
  }
  if (t.reg_slots.size() > L.slots) throw std::invalid_argument("core_builder: more reg_slots than pr_reg has");
  ByteWriter w(f, L.size);
  const std::size_t word = f.word_size();
  const std::int16_t cursig = t.cursig.value_or(0);
  w.u32(0, static_cast<std::uint32_t>(t.info_signo.value_or(cursig)));
  w.u32(4, static_cast<std::uint32_t>(t.info_code));
  w.u32(8, static_cast<std::uint32_t>(t.info_errno));
  w.u16(12, static_cast<std::uint16_t>(cursig));
  w.word(16, t.sigpend);
  w.word(16 + word, t.sighold);
  const std::size_t pid = 16 + 2 * word;
  w.u32(pid, static_cast<std::uint32_t>(t.tid));
  w.u32(pid + 4, static_cast<std::uint32_t>(t.ppid));
  w.u32(pid + 8, static_cast<std::uint32_t>(t.pgrp));
  w.u32(pid + 12, static_cast<std::uint32_t>(t.sid));
  const TimeVal* times[] = {&t.utime, &t.stime, &t.cutime, &t.cstime};
  for (std::size_t i = 0; i < 4; ++i) {
    w.word(pid + 16 + 2 * word * i, static_cast<std::uint64_t>(times[i]->sec));
    w.word(pid + 16 + 2 * word * i + word, static_cast<std::uint64_t>(times[i]->usec));
  }
  const std::size_t reg = pid + 16 + 8 * word;
  for (const auto& [name, value] : t.regs) w.u64(reg + 8 * reg_index(name), value);
  for (std::size_t i = 0; i < t.reg_slots.size(); ++i) w.put(reg + L.slot_size * i, t.reg_slots[i], L.slot_size);
  w.u32(L.fpvalid, static_cast<std::uint32_t>(t.fpvalid.value_or(t.fpregs ? 1 : 0)));
  return w.take();
}

// struct user_i387_struct (x86_64 fxsave image, 512 bytes):
//   0 cwd  2 swd  4 twd  6 fop (u16 each)  8 rip  16 rdp (u64)  24 mxcsr  28 mxcsr_mask (u32)
//  32 st_space (8 x 16 bytes)  160 xmm_space (16 x 16 bytes)  416 padding (96 bytes)
Bytes CoreBuilder::encode_fxsave(const FxSave& f) {
  ByteWriter w({}, elfc::FXSAVE_SIZE);
  w.u16(0, f.fcw);
  w.u16(2, f.fsw);
  w.u16(4, f.ftw);
  w.u16(6, f.fop);
  w.u64(8, f.fip);
  w.u64(16, f.fdp);
  w.u32(24, f.mxcsr);
  w.u32(28, f.mxcsr_mask);
  for (std::size_t i = 0; i < f.st.size(); ++i) w.bytes(32 + 16 * i, Bytes(f.st[i].begin(), f.st[i].end()));
  for (std::size_t i = 0; i < f.xmm.size(); ++i) w.bytes(160 + 16 * i, Bytes(f.xmm[i].begin(), f.xmm[i].end()));
  return w.take();
}

// xsave area, standard format: 0..511 legacy fxsave (464..511 sw_reserved, word 0 = XCR0 as
// Linux's ptrace/core regset writes it), 512 header (xstate_bv, xcomp_bv), 576 AVX ymmh[16].
Bytes CoreBuilder::encode_xstate(const XState& x) {
  const std::size_t min_size = elfc::XSAVE_YMMH_OFFSET + (x.ymmh ? 256 : 0);
  if (x.size < min_size) throw std::invalid_argument("core_builder: XState.size too small");
  ByteWriter w({}, x.size);
  w.bytes(0, encode_fxsave(x.legacy));
  w.u64(elfc::XSAVE_XCR0_OFFSET, x.xcr0);
  w.u64(elfc::XSAVE_HEADER_OFFSET, x.xstate_bv);
  w.u64(elfc::XSAVE_HEADER_OFFSET + 8, x.xcomp_bv);
  if (x.ymmh) {
    for (std::size_t i = 0; i < x.ymmh->size(); ++i) {
      w.bytes(elfc::XSAVE_YMMH_OFFSET + 16 * i, Bytes((*x.ymmh)[i].begin(), (*x.ymmh)[i].end()));
    }
  }
  return w.take();
}

// struct elf_prpsinfo, 64-bit (136 bytes):
//   0 pr_state  1 pr_sname  2 pr_zomb  3 pr_nice  4 pad(4)  8 pr_flag (u64)  16 pr_uid  20 pr_gid
//  24 pr_pid  28 pr_ppid  32 pr_pgrp  36 pr_sid  40 pr_fname[16]  56 pr_psargs[80]
// 32-bit with 16-bit ids (i386, arm; 124 bytes): 4 pr_flag (u32)  8 pr_uid  10 pr_gid (u16)
//  12 pr_pid  16 pr_ppid  20 pr_pgrp  24 pr_sid  28 pr_fname  44 pr_psargs
Bytes CoreBuilder::encode_prpsinfo(const PsInfoSpec& p, const ElfFormat& f) {
  ByteWriter w(f, f.is64 ? elfc::PRPSINFO_SIZE : elfc::PRPSINFO32_SIZE);
  w.u8(0, static_cast<std::uint8_t>(p.state));
  w.u8(1, static_cast<std::uint8_t>(p.sname));
  w.u8(2, static_cast<std::uint8_t>(p.zomb));
  w.u8(3, static_cast<std::uint8_t>(p.nice));
  std::size_t pid = 0;
  if (f.is64) {
    w.u64(8, p.flag);
    w.u32(16, p.uid);
    w.u32(20, p.gid);
    pid = 24;
  } else {
    w.u32(4, p.flag);
    w.u16(8, p.uid);
    w.u16(10, p.gid);
    pid = 12;
  }
  w.u32(pid, static_cast<std::uint32_t>(p.pid));
  w.u32(pid + 4, static_cast<std::uint32_t>(p.ppid));
  w.u32(pid + 8, static_cast<std::uint32_t>(p.pgrp));
  w.u32(pid + 12, static_cast<std::uint32_t>(p.sid));
  w.text_field(pid + 16, p.fname, 16);
  w.text_field(pid + 32, p.psargs, 80);
  return w.take();
}

// siginfo_t (128 bytes): 0 si_signo  4 si_errno  8 si_code, then the union at the first
// pointer-aligned offset (16 in 64-bit, 12 in 32-bit):
//   _sigfault: si_addr (a pointer);  _kill: si_pid (i32), si_uid (u32)
Bytes CoreBuilder::encode_siginfo(const SigInfoSpec& s, const ElfFormat& f) {
  ByteWriter w(f, elfc::SIGINFO_SIZE);
  w.u32(0, static_cast<std::uint32_t>(s.signo));
  w.u32(4, static_cast<std::uint32_t>(s.errno_));
  w.u32(8, static_cast<std::uint32_t>(s.code));
  bool fault = false;
  switch (s.layout) {
    case SigInfoSpec::Layout::Fault: fault = true; break;
    case SigInfoSpec::Layout::Kill: fault = false; break;
    case SigInfoSpec::Layout::Auto:
      // SIGILL 4, SIGTRAP 5, SIGBUS 7, SIGFPE 8, SIGSEGV 11
      fault = s.signo == 4 || s.signo == 5 || s.signo == 7 || s.signo == 8 || s.signo == 11;
      break;
  }
  const std::size_t fields = f.is64 ? 16 : 12;
  if (fault) {
    w.word(fields, s.addr);
  } else {
    w.u32(fields, static_cast<std::uint32_t>(s.pid));
    w.u32(fields + 4, s.uid);
  }
  return w.take();
}

// NT_AUXV: (a_type, a_val) word pairs up to and including AT_NULL.
Bytes CoreBuilder::encode_auxv(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& entries, const ElfFormat& f) {
  auto all = entries;
  if (all.empty() || all.back().first != elfc::AT_NULL) all.emplace_back(elfc::AT_NULL, 0);
  const std::size_t word = f.word_size();
  ByteWriter w(f, all.size() * 2 * word);
  for (std::size_t i = 0; i < all.size(); ++i) {
    w.word(2 * word * i, all[i].first);
    w.word(2 * word * i + word, all[i].second);
  }
  return w.take();
}

// NT_FILE (fs/binfmt_elf.c fill_files_note): count, page_size, count x {start, end, pgoff} (words),
// then count NUL-terminated paths back to back; descsz is exact (unpadded).
Bytes CoreBuilder::encode_file_note(std::uint64_t page_size, const std::vector<FileEntry>& entries, const ElfFormat& f) {
  const std::size_t word = f.word_size();
  ByteWriter w(f, 2 * word + 3 * word * entries.size());
  w.word(0, entries.size());
  w.word(word, page_size);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::size_t at = 2 * word + 3 * word * i;
    w.word(at, entries[i].start);
    w.word(at + word, entries[i].end);
    w.word(at + 2 * word, entries[i].file_page_offset);
  }
  for (const auto& e : entries) {
    w.text(w.size(), e.path);
    w.u8(w.size(), 0);
  }
  return w.take();
}

}  // namespace corelens::testing
