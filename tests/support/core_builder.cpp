// See core_builder.hpp. Offsets below are written out by hand from the kernel's x86_64 layouts.
#include "tests/support/core_builder.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace corelens::testing {
namespace {

using Bytes = std::vector<std::uint8_t>;

void check_range(const Bytes& b, std::uint64_t off, std::uint64_t n) {
  if (off > b.size() || n > b.size() - off) {
    throw std::out_of_range("core_builder: byte access past the end of the buffer");
  }
}

template <typename T>
void put_le(Bytes& b, std::uint64_t off, T v) {
  check_range(b, off, sizeof(T));
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    b[off + i] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xffU);
  }
}

template <typename T>
T get_le(const Bytes& b, std::uint64_t off) {
  check_range(b, off, sizeof(T));
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    v |= static_cast<std::uint64_t>(b[off + i]) << (8 * i);
  }
  return static_cast<T>(v);
}

void put_i32(Bytes& b, std::uint64_t off, std::int32_t v) {
  put_le<std::uint32_t>(b, off, static_cast<std::uint32_t>(v));
}
void put_i64(Bytes& b, std::uint64_t off, std::int64_t v) {
  put_le<std::uint64_t>(b, off, static_cast<std::uint64_t>(v));
}
void put_bytes(Bytes& b, std::uint64_t off, const std::uint8_t* src, std::size_t n) {
  check_range(b, off, n);
  std::copy(src, src + n, b.begin() + static_cast<std::ptrdiff_t>(off));
}
void put_string_field(Bytes& b, std::uint64_t off, const std::string& s, std::size_t field) {
  const std::size_t n = std::min(s.size(), field);
  for (std::size_t i = 0; i < n; ++i) b[off + i] = static_cast<std::uint8_t>(s[i]);
}

std::uint64_t round_up(std::uint64_t v, std::uint64_t align) {
  return align == 0 ? v : (v + align - 1) / align * align;
}

struct PendingNote {
  std::string name;
  std::uint32_t type;
  int thread;
  Bytes desc;
};

}  // namespace

// ---------------------------------------------------------------- byte helpers (public)
void put_u16(Bytes& b, std::uint64_t off, std::uint16_t v) { put_le(b, off, v); }
void put_u32(Bytes& b, std::uint64_t off, std::uint32_t v) { put_le(b, off, v); }
void put_u64(Bytes& b, std::uint64_t off, std::uint64_t v) { put_le(b, off, v); }
std::uint16_t get_u16(const Bytes& b, std::uint64_t off) { return get_le<std::uint16_t>(b, off); }
std::uint32_t get_u32(const Bytes& b, std::uint64_t off) { return get_le<std::uint32_t>(b, off); }
std::uint64_t get_u64(const Bytes& b, std::uint64_t off) { return get_le<std::uint64_t>(b, off); }

void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("core_builder: cannot open " + path.string());
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("core_builder: cannot write " + path.string());
}

std::size_t reg_index(const std::string& name) {
  for (std::size_t i = 0; i < kX86_64RegNames.size(); ++i) {
    if (name == kX86_64RegNames[i]) return i;
  }
  throw std::invalid_argument("core_builder: unknown x86_64 register name '" + name + "'");
}

const NoteLocation& CoreLayout::note(std::uint32_t note_type, std::size_t nth,
                                     const std::string& name) const {
  for (const auto& n : notes) {
    if (n.type == note_type && (name.empty() || n.name == name)) {
      if (nth == 0) return n;
      --nth;
    }
  }
  throw std::out_of_range("core_builder: no such note in layout");
}

// ---------------------------------------------------------------- descriptor encoders

// struct elf_prstatus (x86_64, 336 bytes):
//   0 pr_info.si_signo  4 pr_info.si_code  8 pr_info.si_errno  12 pr_cursig (i16) + 2 pad
//  16 pr_sigpend  24 pr_sighold  32 pr_pid  36 pr_ppid  40 pr_pgrp  44 pr_sid
//  48 pr_utime  64 pr_stime  80 pr_cutime  96 pr_cstime (timeval: i64 sec, i64 usec)
// 112 pr_reg[27]  328 pr_fpvalid (i32) + 4 pad
Bytes CoreBuilder::encode_prstatus(const ThreadSpec& t) {
  Bytes b(elfc::PRSTATUS_SIZE, 0);
  const std::int16_t cursig = t.cursig.value_or(0);
  put_i32(b, 0, t.info_signo.value_or(cursig));
  put_i32(b, 4, t.info_code);
  put_i32(b, 8, t.info_errno);
  put_le<std::uint16_t>(b, 12, static_cast<std::uint16_t>(cursig));
  put_u64(b, 16, t.sigpend);
  put_u64(b, 24, t.sighold);
  put_i32(b, 32, t.tid);
  put_i32(b, 36, t.ppid);
  put_i32(b, 40, t.pgrp);
  put_i32(b, 44, t.sid);
  const TimeVal* times[] = {&t.utime, &t.stime, &t.cutime, &t.cstime};
  for (std::size_t i = 0; i < 4; ++i) {
    put_i64(b, 48 + 16 * i, times[i]->sec);
    put_i64(b, 48 + 16 * i + 8, times[i]->usec);
  }
  for (const auto& [name, value] : t.regs) {
    put_u64(b, elfc::PRSTATUS_PR_REG_OFFSET + 8 * reg_index(name), value);
  }
  put_i32(b, 328, t.fpvalid.value_or(t.fpregs ? 1 : 0));
  return b;
}

// struct user_i387_struct (x86_64 fxsave image, 512 bytes):
//   0 cwd  2 swd  4 twd  6 fop (u16 each)  8 rip  16 rdp (u64)  24 mxcsr  28 mxcsr_mask (u32)
//  32 st_space (8 x 16 bytes)  160 xmm_space (16 x 16 bytes)  416 padding (96 bytes)
Bytes CoreBuilder::encode_fxsave(const FxSave& f) {
  Bytes b(elfc::FXSAVE_SIZE, 0);
  put_u16(b, 0, f.fcw);
  put_u16(b, 2, f.fsw);
  put_u16(b, 4, f.ftw);
  put_u16(b, 6, f.fop);
  put_u64(b, 8, f.fip);
  put_u64(b, 16, f.fdp);
  put_u32(b, 24, f.mxcsr);
  put_u32(b, 28, f.mxcsr_mask);
  for (std::size_t i = 0; i < f.st.size(); ++i) put_bytes(b, 32 + 16 * i, f.st[i].data(), 10);
  for (std::size_t i = 0; i < f.xmm.size(); ++i) put_bytes(b, 160 + 16 * i, f.xmm[i].data(), 16);
  return b;
}

// xsave area, standard format: 0..511 legacy fxsave (464..511 sw_reserved, word 0 = XCR0 as
// Linux's ptrace/core regset writes it), 512 header (xstate_bv, xcomp_bv), 576 AVX ymmh[16].
Bytes CoreBuilder::encode_xstate(const XState& x) {
  const std::size_t min_size = elfc::XSAVE_YMMH_OFFSET + (x.ymmh ? 256 : 0);
  if (x.size < min_size) throw std::invalid_argument("core_builder: XState.size too small");
  Bytes b(x.size, 0);
  const Bytes legacy = encode_fxsave(x.legacy);
  std::copy(legacy.begin(), legacy.end(), b.begin());
  put_u64(b, elfc::XSAVE_XCR0_OFFSET, x.xcr0);
  put_u64(b, elfc::XSAVE_HEADER_OFFSET, x.xstate_bv);
  put_u64(b, elfc::XSAVE_HEADER_OFFSET + 8, x.xcomp_bv);
  if (x.ymmh) {
    for (std::size_t i = 0; i < x.ymmh->size(); ++i) {
      put_bytes(b, elfc::XSAVE_YMMH_OFFSET + 16 * i, (*x.ymmh)[i].data(), 16);
    }
  }
  return b;
}

// struct elf_prpsinfo (x86_64, 136 bytes):
//   0 pr_state  1 pr_sname  2 pr_zomb  3 pr_nice  4 pad(4)  8 pr_flag (u64)  16 pr_uid  20 pr_gid
//  24 pr_pid  28 pr_ppid  32 pr_pgrp  36 pr_sid  40 pr_fname[16]  56 pr_psargs[80]
Bytes CoreBuilder::encode_prpsinfo(const PsInfoSpec& p) {
  Bytes b(elfc::PRPSINFO_SIZE, 0);
  b[0] = static_cast<std::uint8_t>(p.state);
  b[1] = static_cast<std::uint8_t>(p.sname);
  b[2] = static_cast<std::uint8_t>(p.zomb);
  b[3] = static_cast<std::uint8_t>(p.nice);
  put_u64(b, 8, p.flag);
  put_u32(b, 16, p.uid);
  put_u32(b, 20, p.gid);
  put_i32(b, 24, p.pid);
  put_i32(b, 28, p.ppid);
  put_i32(b, 32, p.pgrp);
  put_i32(b, 36, p.sid);
  put_string_field(b, 40, p.fname, 16);
  put_string_field(b, 56, p.psargs, 80);
  return b;
}

// siginfo_t (128 bytes): 0 si_signo  4 si_errno  8 si_code  (12 pad)  16 union:
//   _sigfault: si_addr (u64);  _kill: si_pid (i32), si_uid (u32)
Bytes CoreBuilder::encode_siginfo(const SigInfoSpec& s) {
  Bytes b(elfc::SIGINFO_SIZE, 0);
  put_i32(b, 0, s.signo);
  put_i32(b, 4, s.errno_);
  put_i32(b, 8, s.code);
  bool fault = false;
  switch (s.layout) {
    case SigInfoSpec::Layout::Fault: fault = true; break;
    case SigInfoSpec::Layout::Kill: fault = false; break;
    case SigInfoSpec::Layout::Auto:
      // SIGILL 4, SIGTRAP 5, SIGBUS 7, SIGFPE 8, SIGSEGV 11
      fault = s.signo == 4 || s.signo == 5 || s.signo == 7 || s.signo == 8 || s.signo == 11;
      break;
  }
  if (fault) {
    put_u64(b, 16, s.addr);
  } else {
    put_i32(b, 16, s.pid);
    put_u32(b, 20, s.uid);
  }
  return b;
}

// NT_AUXV: (a_type, a_val) u64 pairs up to and including AT_NULL.
Bytes CoreBuilder::encode_auxv(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& entries) {
  auto all = entries;
  if (all.empty() || all.back().first != elfc::AT_NULL) all.emplace_back(elfc::AT_NULL, 0);
  Bytes b(all.size() * 16, 0);
  for (std::size_t i = 0; i < all.size(); ++i) {
    put_u64(b, 16 * i, all[i].first);
    put_u64(b, 16 * i + 8, all[i].second);
  }
  return b;
}

// NT_FILE (fs/binfmt_elf.c fill_files_note): count, page_size, count x {start, end, pgoff},
// then count NUL-terminated paths back to back; descsz is exact (unpadded).
Bytes CoreBuilder::encode_file_note(std::uint64_t page_size, const std::vector<FileEntry>& entries) {
  Bytes b(16 + 24 * entries.size(), 0);
  put_u64(b, 0, entries.size());
  put_u64(b, 8, page_size);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    put_u64(b, 16 + 24 * i, entries[i].start);
    put_u64(b, 16 + 24 * i + 8, entries[i].end);
    put_u64(b, 16 + 24 * i + 16, entries[i].file_page_offset);
  }
  for (const auto& e : entries) {
    for (char c : e.path) b.push_back(static_cast<std::uint8_t>(c));
    b.push_back(0);
  }
  return b;
}

// ---------------------------------------------------------------- fluent setters

CoreBuilder& CoreBuilder::add_thread(ThreadSpec spec) {
  for (const auto& [name, value] : spec.regs) (void)reg_index(name);  // fail early on typos
  threads_.push_back(std::move(spec));
  return *this;
}
CoreBuilder& CoreBuilder::set_prpsinfo(PsInfoSpec spec) {
  psinfo_ = std::move(spec);
  return *this;
}
CoreBuilder& CoreBuilder::set_siginfo(SigInfoSpec spec) {
  siginfo_ = spec;
  return *this;
}
CoreBuilder& CoreBuilder::set_auxv(std::vector<std::pair<std::uint64_t, std::uint64_t>> entries) {
  auxv_ = std::move(entries);
  return *this;
}
CoreBuilder& CoreBuilder::set_file_note(std::uint64_t page_size_bytes, std::vector<FileEntry> entries) {
  files_.emplace(page_size_bytes, std::move(entries));
  return *this;
}
CoreBuilder& CoreBuilder::add_raw_note(std::string name, std::uint32_t note_type,
                                       std::vector<std::uint8_t> desc, RawNotePlacement where) {
  raw_.push_back(RawNote{std::move(name), note_type, std::move(desc), where});
  return *this;
}
CoreBuilder& CoreBuilder::add_segment(std::uint64_t vaddr, std::uint64_t memsz, std::uint32_t flags,
                                      std::vector<std::uint8_t> bytes) {
  segments_.push_back(Segment{vaddr, memsz, flags, std::move(bytes)});
  return *this;
}
CoreBuilder& CoreBuilder::note_order(NoteOrder order) {
  order_ = order;
  return *this;
}
CoreBuilder& CoreBuilder::machine(std::uint16_t e_machine) {
  machine_ = e_machine;
  return *this;
}
CoreBuilder& CoreBuilder::type(std::uint16_t e_type) {
  type_ = e_type;
  return *this;
}
CoreBuilder& CoreBuilder::elf_class32(bool on) {
  class32_ = on;
  return *this;
}
CoreBuilder& CoreBuilder::without_note_segment(bool on) {
  no_note_segment_ = on;
  return *this;
}
CoreBuilder& CoreBuilder::page_size(std::uint64_t bytes) {
  if (bytes == 0) throw std::invalid_argument("core_builder: page size 0");
  page_size_ = bytes;
  return *this;
}

// ---------------------------------------------------------------- build

namespace {

void put_ident(Bytes& b, std::uint8_t elf_class) {
  b[0] = 0x7f;
  b[1] = 'E';
  b[2] = 'L';
  b[3] = 'F';
  b[4] = elf_class;
  b[5] = 1;  // EI_DATA = ELFDATA2LSB
  b[6] = 1;  // EI_VERSION = EV_CURRENT
  b[7] = 0;  // EI_OSABI = ELFOSABI_NONE (what Linux writes)
}

// Per-note encoding (gABI): namesz, descsz, type (u32 each), name + NUL padded to 4, desc padded
// to 4. Returns the location of the note written at `off`.
NoteLocation put_note(Bytes& b, std::uint64_t off, const PendingNote& n) {
  NoteLocation loc;
  loc.name = n.name;
  loc.type = n.type;
  loc.thread = n.thread;
  loc.header_offset = off;
  const std::uint64_t namesz = n.name.size() + 1;
  put_u32(b, off, static_cast<std::uint32_t>(namesz));
  put_u32(b, off + 4, static_cast<std::uint32_t>(n.desc.size()));
  put_u32(b, off + 8, n.type);
  loc.name_offset = off + elfc::NHDR_SIZE;
  put_string_field(b, loc.name_offset, n.name, n.name.size());  // NUL already there (zeroed)
  loc.desc_offset = loc.name_offset + round_up(namesz, 4);
  loc.desc_size = n.desc.size();
  put_bytes(b, loc.desc_offset, n.desc.data(), n.desc.size());
  loc.end_offset = loc.desc_offset + round_up(n.desc.size(), 4);
  return loc;
}

std::uint64_t note_size(const PendingNote& n) {
  return elfc::NHDR_SIZE + round_up(n.name.size() + 1, 4) + round_up(n.desc.size(), 4);
}

}  // namespace

BuiltCore CoreBuilder::build() const {
  BuiltCore out;
  CoreLayout& L = out.layout;

  if (class32_) {
    // Minimal Elf32_Ehdr (52 bytes), no program headers: enough for "reject ELFCLASS32" tests.
    Bytes& b = out.bytes;
    b.assign(elfc::EHDR32_SIZE, 0);
    put_ident(b, elfc::ELFCLASS32);
    put_u16(b, 16, type_);
    put_u16(b, 18, machine_.value_or(elfc::EM_386));
    put_u32(b, 20, 1);  // e_version
    put_u16(b, 40, static_cast<std::uint16_t>(elfc::EHDR32_SIZE));  // e_ehsize
    put_u16(b, 42, 32);                                               // e_phentsize
    L.file_size = b.size();
    return out;
  }

  // Threads without an explicit cursig carry the first thread's (as the kernel writes them).
  std::vector<ThreadSpec> threads = threads_;
  const std::int16_t dump_signal = threads.empty() ? 0 : threads.front().cursig.value_or(0);
  for (auto& t : threads) t.cursig = t.cursig.value_or(dump_signal);

  // Collect the notes in the chosen order.
  std::vector<PendingNote> notes;
  for (const auto& r : raw_) {
    if (r.where == RawNotePlacement::AtStart) notes.push_back({r.name, r.type, -1, r.desc});
  }
  auto push_psinfo = [&] {
    if (psinfo_) notes.push_back({"CORE", elfc::NT_PRPSINFO, -1, encode_prpsinfo(*psinfo_)});
  };
  auto push_siginfo = [&] {
    if (siginfo_) notes.push_back({"CORE", elfc::NT_SIGINFO, -1, encode_siginfo(*siginfo_)});
  };
  auto push_auxv_files = [&] {
    if (auxv_) notes.push_back({"CORE", elfc::NT_AUXV, -1, encode_auxv(*auxv_)});
    if (files_) {
      notes.push_back({"CORE", elfc::NT_FILE, -1, encode_file_note(files_->first, files_->second)});
    }
  };
  auto push_fp = [&](const ThreadSpec& t, int idx) {
    if (t.fpregs) notes.push_back({"CORE", elfc::NT_PRFPREG, idx, encode_fxsave(*t.fpregs)});
    if (t.xstate) notes.push_back({"LINUX", elfc::NT_X86_XSTATE, idx, encode_xstate(*t.xstate)});
  };
  if (order_ == NoteOrder::Kernel) {
    // fs/binfmt_elf.c write_note_info(): the dumping thread's PRSTATUS, then the process-wide
    // notes, then that thread's other regsets; then each other thread's notes.
    for (std::size_t i = 0; i < threads.size(); ++i) {
      const int idx = static_cast<int>(i);
      notes.push_back({"CORE", elfc::NT_PRSTATUS, idx, encode_prstatus(threads[i])});
      if (i == 0) {
        push_psinfo();
        push_siginfo();
        push_auxv_files();
      }
      push_fp(threads[i], idx);
    }
    if (threads.empty()) {
      push_psinfo();
      push_siginfo();
      push_auxv_files();
    }
  } else {
    // gdb linux_make_corefile_notes(): PRPSINFO, threads (regsets then siginfo), AUXV, FILE.
    push_psinfo();
    for (std::size_t i = 0; i < threads.size(); ++i) {
      const int idx = static_cast<int>(i);
      notes.push_back({"CORE", elfc::NT_PRSTATUS, idx, encode_prstatus(threads[i])});
      push_fp(threads[i], idx);
      if (i == 0) push_siginfo();
    }
    if (threads.empty()) push_siginfo();
    push_auxv_files();
  }
  for (const auto& r : raw_) {
    if (r.where == RawNotePlacement::AtEnd) notes.push_back({r.name, r.type, -1, r.desc});
  }

  // Layout: Ehdr, Phdrs (PT_NOTE first, then PT_LOADs), notes, page-aligned segment data.
  const bool has_note = !no_note_segment_;
  const std::size_t phnum = (has_note ? 1 : 0) + segments_.size();
  if (phnum > 0xfffe) throw std::invalid_argument("core_builder: too many segments");
  L.phnum = static_cast<std::uint16_t>(phnum);
  L.phdr_offset = phnum ? elfc::EHDR64_SIZE : 0;
  std::uint64_t cursor = elfc::EHDR64_SIZE + phnum * elfc::PHDR64_SIZE;
  L.notes_offset = has_note ? cursor : 0;
  if (has_note) {
    for (const auto& n : notes) L.notes_size += note_size(n);
  }
  cursor += L.notes_size;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    cursor = round_up(cursor, page_size_);
    SegmentLocation loc;
    loc.phdr_offset = L.phdr_offset + ((has_note ? 1 : 0) + i) * elfc::PHDR64_SIZE;
    loc.data_offset = cursor;
    loc.vaddr = s.vaddr;
    loc.filesz = s.bytes.size();
    loc.memsz = s.memsz;
    loc.flags = s.flags;
    L.segments.push_back(loc);
    cursor += s.bytes.size();
  }
  L.file_size = cursor;

  Bytes& b = out.bytes;
  b.assign(L.file_size, 0);
  put_ident(b, elfc::ELFCLASS64);
  put_u16(b, 16, type_);
  put_u16(b, 18, machine_.value_or(elfc::EM_X86_64));
  put_u32(b, 20, 1);                  // e_version
  put_u64(b, 24, 0);                  // e_entry
  put_u64(b, 32, L.phdr_offset);      // e_phoff
  put_u64(b, 40, 0);                  // e_shoff
  put_u32(b, 48, 0);                  // e_flags
  put_u16(b, 52, static_cast<std::uint16_t>(elfc::EHDR64_SIZE));   // e_ehsize
  put_u16(b, 54, static_cast<std::uint16_t>(elfc::PHDR64_SIZE));   // e_phentsize
  put_u16(b, 56, L.phnum);            // e_phnum; e_shentsize/e_shnum/e_shstrndx stay 0

  // Elf64_Phdr: 0 p_type 4 p_flags 8 p_offset 16 p_vaddr 24 p_paddr 32 p_filesz 40 p_memsz 48 p_align
  if (has_note) {
    const std::uint64_t ph = L.phdr_offset;
    L.note_phdr_offset = ph;
    put_u32(b, ph, elfc::PT_NOTE);
    put_u64(b, ph + 8, L.notes_offset);
    put_u64(b, ph + 32, L.notes_size);
    put_u64(b, ph + 48, 4);  // kernel's fill_elf_note_phdr: p_align = 4, memsz/vaddr/flags 0
    std::uint64_t off = L.notes_offset;
    for (const auto& n : notes) {
      L.notes.push_back(put_note(b, off, n));
      off = L.notes.back().end_offset;
    }
  }
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const SegmentLocation& s = L.segments[i];
    put_u32(b, s.phdr_offset, elfc::PT_LOAD);
    put_u32(b, s.phdr_offset + 4, s.flags);
    put_u64(b, s.phdr_offset + 8, s.data_offset);
    put_u64(b, s.phdr_offset + 16, s.vaddr);
    put_u64(b, s.phdr_offset + 32, s.filesz);
    put_u64(b, s.phdr_offset + 40, s.memsz);
    put_u64(b, s.phdr_offset + 48, page_size_);
    put_bytes(b, s.data_offset, segments_[i].bytes.data(), segments_[i].bytes.size());
  }
  return out;
}

BuiltCore CoreBuilder::write(const std::filesystem::path& path) const {
  BuiltCore core = build();
  write_file(path, core.bytes);
  return core;
}

}  // namespace corelens::testing
