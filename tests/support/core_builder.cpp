// See core_builder.hpp. The note descriptors are encoded in core_note_encoders.cpp; this file
// places them, the program headers and the segments, as fs/binfmt_elf.c and gdb's gcore do.
#include "tests/support/core_builder.hpp"

#include <stdexcept>

namespace corelens::testing {
namespace {

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
                                      std::vector<std::uint8_t> bytes, std::uint64_t paddr) {
  segments_.push_back(Segment{vaddr, memsz, paddr, flags, std::move(bytes)});
  return *this;
}
CoreBuilder& CoreBuilder::note_order(NoteOrder order) {
  order_ = order;
  return *this;
}
CoreBuilder& CoreBuilder::format(ElfFormat f) {
  format_ = f;
  machine_.reset();
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

BuiltCore CoreBuilder::build() const {
  BuiltCore out;
  CoreLayout& L = out.layout;

  if (class32_) {
    // Just an Elf32_Ehdr (52 bytes), no program headers: enough for "reject ELFCLASS32" tests.
    ElfFormat f32 = format_;
    f32.is64 = false;
    f32.machine = machine_.value_or(elfc::EM_386);
    ByteWriter w(f32, elfc::EHDR32_SIZE);
    put_ehdr(w, {.type = type_});
    out.bytes = w.take();
    L.file_size = out.bytes.size();
    return out;
  }
  const ElfFormat& f = format_;  // the notes' encoding; machine() overrides e_machine only
  const ElfSizes sizes = elf_sizes(f);

  // Threads without an explicit cursig carry the first thread's (as the kernel writes them).
  std::vector<ThreadSpec> threads = threads_;
  const std::int16_t dump_signal = threads.empty() ? 0 : threads.front().cursig.value_or(0);
  for (auto& t : threads) t.cursig = t.cursig.value_or(dump_signal);

  // Collect the notes in the chosen order.
  std::vector<PendingNote> notes;
  for (const auto& r : raw_) {
    if (r.where == RawNotePlacement::AtStart) notes.push_back({r.name, r.type, -1, r.desc});
  }
  auto push_prstatus = [&](std::size_t i) {
    notes.push_back({"CORE", elfc::NT_PRSTATUS, static_cast<int>(i), encode_prstatus(threads[i], f)});
  };
  auto push_psinfo = [&] {
    if (psinfo_) notes.push_back({"CORE", elfc::NT_PRPSINFO, -1, encode_prpsinfo(*psinfo_, f)});
  };
  auto push_siginfo = [&] {
    if (siginfo_) notes.push_back({"CORE", elfc::NT_SIGINFO, -1, encode_siginfo(*siginfo_, f)});
  };
  auto push_auxv_files = [&] {
    if (auxv_) notes.push_back({"CORE", elfc::NT_AUXV, -1, encode_auxv(*auxv_, f)});
    if (files_) {
      notes.push_back({"CORE", elfc::NT_FILE, -1, encode_file_note(files_->first, files_->second, f)});
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
      push_prstatus(i);
      if (i == 0) {
        push_psinfo();
        push_siginfo();
        push_auxv_files();
      }
      push_fp(threads[i], static_cast<int>(i));
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
      push_prstatus(i);
      push_fp(threads[i], static_cast<int>(i));
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
  if (phnum > 0xfffe) throw std::invalid_argument("core_builder: too many segments");  // PN_XNUM
  L.phnum = static_cast<std::uint16_t>(phnum);
  L.phdr_offset = phnum ? sizes.ehdr : 0;
  std::uint64_t cursor = sizes.ehdr + phnum * sizes.phdr;
  L.notes_offset = has_note ? cursor : 0;
  if (has_note) {
    for (const auto& n : notes) L.notes_size += note_size(n.name, n.desc.size());
  }
  cursor += L.notes_size;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    cursor = round_up(cursor, page_size_);
    SegmentLocation loc;
    loc.phdr_offset = L.phdr_offset + ((has_note ? 1 : 0) + i) * sizes.phdr;
    loc.data_offset = cursor;
    loc.vaddr = s.vaddr;
    loc.filesz = s.bytes.size();
    loc.memsz = s.memsz;
    loc.flags = s.flags;
    L.segments.push_back(loc);
    cursor += s.bytes.size();
  }
  L.file_size = cursor;

  ElfFormat header = f;
  if (machine_) header.machine = *machine_;
  ByteWriter w(header, L.file_size);
  put_ehdr(w, {.type = type_, .phoff = L.phdr_offset, .phnum = L.phnum});
  if (has_note) {
    L.note_phdr_offset = L.phdr_offset;
    // The kernel's fill_elf_note_phdr: p_align 4; vaddr, memsz and flags 0.
    put_phdr(w, L.note_phdr_offset, {.type = elfc::PT_NOTE, .offset = L.notes_offset, .filesz = L.notes_size, .align = 4});
    std::uint64_t off = L.notes_offset;
    for (const auto& n : notes) {
      NoteLocation loc{n.name, n.type, n.thread, off};
      loc.name_offset = off + elfc::NHDR_SIZE;
      loc.desc_offset = put_note(w, off, n.name, n.type, n.desc);
      loc.desc_size = n.desc.size();
      loc.end_offset = off + note_size(n.name, n.desc.size());
      L.notes.push_back(loc);
      off = loc.end_offset;
    }
  }
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const SegmentLocation& s = L.segments[i];
    put_phdr(w, s.phdr_offset, {.type = elfc::PT_LOAD, .flags = s.flags, .offset = s.data_offset, .vaddr = s.vaddr,
                                .paddr = segments_[i].paddr, .filesz = s.filesz, .memsz = s.memsz, .align = page_size_});
    w.bytes(s.data_offset, segments_[i].bytes);
  }
  out.bytes = w.take();
  return out;
}

BuiltCore CoreBuilder::write(const std::filesystem::path& path) const {
  BuiltCore core = build();
  write_file(path, core.bytes);
  return core;
}

}  // namespace corelens::testing
