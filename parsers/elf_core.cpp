#include "parsers/elf_core.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "core/file/byte_reader.hpp"
#include "core/model/signals.hpp"
#include "core/model/strings.hpp"
#include "parsers/arch_layout.hpp"
#include "parsers/arch_x86_64.hpp"
#include "parsers/core_modules.hpp"
#include "parsers/core_notes.hpp"
#include "parsers/elf_image.hpp"

namespace corelens {
namespace {

// The sizes of the ELF header, a program header and a section header, per ELF class.
struct ClassSizes {
  std::uint64_t ehdr, phdr, shdr;
};
constexpr ClassSizes kElf64{64, 56, 64};
constexpr ClassSizes kElf32{52, 32, 40};

struct Header {
  bool is_64bit = true;
  std::endian order = std::endian::little;
  ClassSizes sizes = kElf64;
  std::uint16_t type = 0, machine = 0;
  std::uint64_t phoff = 0, shoff = 0;
  std::uint16_t phentsize = 0, phnum = 0, shentsize = 0, shnum = 0;
};

std::string describe_elf_type(std::uint16_t type) {
  switch (type) {
    case ET_REL: return "a relocatable object (ET_REL)";
    case ET_EXEC: return "an executable (ET_EXEC)";
    case ET_DYN: return "a shared object or PIE executable (ET_DYN)";
    default: return "an ELF file of type " + std::to_string(type);
  }
}

Result<Header> read_header(const ByteReader& file) {
  if (file.size() == 0) return fail(ErrorCode::not_a_dump, "the file is empty");
  if (file.size() < SELFMAG || std::memcmp(file.bytes().data(), ELFMAG, SELFMAG) != 0) {
    return fail(ErrorCode::not_a_dump, "not an ELF file (no ELF magic at offset 0)");
  }
  // e_type sits at offset 16 in both ELF classes and byte orders' first byte tells enough: say
  // "not a core" before "unsupported class" for executables and libraries.
  auto type_lo = file.u8(16), type_hi = file.u8(17);
  if (type_lo && type_hi) {
    bool big = file.u8(EI_DATA).value_or(0) == ELFDATA2MSB;
    auto as_le = static_cast<std::uint16_t>((*type_hi << 8) | *type_lo);
    auto as_be = static_cast<std::uint16_t>((*type_lo << 8) | *type_hi);
    auto type = big ? as_be : as_le;
    // A damaged EI_DATA must not turn a core into "not a core": either order reading ET_CORE will do.
    if (as_le != ET_CORE && as_be != ET_CORE) {
      return fail(ErrorCode::not_a_dump, "an ELF file, but not a core dump: it is " + describe_elf_type(type));
    }
  }
  if (file.size() < EI_NIDENT) return fail(ErrorCode::truncated, "the ELF header is truncated", 0);
  std::uint8_t cls = *file.u8(EI_CLASS);
  std::uint8_t data = *file.u8(EI_DATA);
  if (data != ELFDATA2LSB && data != ELFDATA2MSB) {
    return fail(ErrorCode::malformed, "unknown ELF data encoding " + std::to_string(data), EI_DATA);
  }
  if (cls != ELFCLASS64 && cls != ELFCLASS32) {
    return fail(ErrorCode::malformed, "unknown ELF class " + std::to_string(cls), EI_CLASS);
  }
  Header h;
  h.is_64bit = cls == ELFCLASS64;
  h.order = data == ELFDATA2MSB ? std::endian::big : std::endian::little;
  h.sizes = h.is_64bit ? kElf64 : kElf32;
  if (file.size() < h.sizes.ehdr) {
    return fail(ErrorCode::truncated, "the ELF header is truncated: the file has " +
                                          std::to_string(file.size()) + " bytes", 0);
  }
  ByteReader r(file.bytes(), 0, h.order);
  h.type = *r.u16(16);
  h.machine = *r.u16(18);
  if (h.is_64bit) {
    h.phoff = *r.u64(32);
    h.shoff = *r.u64(40);
    h.phentsize = *r.u16(54);
    h.phnum = *r.u16(56);
    h.shentsize = *r.u16(58);
    h.shnum = *r.u16(60);
  } else {
    h.phoff = *r.u32(28);
    h.shoff = *r.u32(32);
    h.phentsize = *r.u16(42);
    h.phnum = *r.u16(44);
    h.shentsize = *r.u16(46);
    h.shnum = *r.u16(48);
  }
  return h;
}

// Records one note, dispatching the ones we understand.
class NoteDecoder {
 public:
  NoteDecoder(ProcessDump& dump, const ElfCoreLimits& limits)
      : dump_(dump), limits_(limits), layout_(prstatus_layout(dump.arch)), word_(pointer_size(dump.arch)) {}

  void decode(const std::string& name, std::uint32_t type, const ByteReader& desc) {
    std::string tname = notes::type_name(name, type);
    if (dump_.notes.size() < limits_.max_notes) {
      dump_.notes.push_back(NoteInfo{name, type, tname, desc.base(), desc.size()});
    }
    if (name == "CORE") decode_core(type, desc);
    else if (name == "LINUX") decode_linux(type, desc);
    else if (name == "GDB" && type == notes::kGdbTdesc) {
      dump_.gdb_target_description = desc.fixed_string(0, std::min<std::uint64_t>(desc.size(), 1u << 20));
      saw_gdb_note_ = true;
    }
  }

  bool saw_gdb_note() const { return saw_gdb_note_; }
  bool saw_prpsinfo_first() const { return prpsinfo_first_; }

 private:
  Thread* current() { return dump_.threads.empty() ? nullptr : &dump_.threads.back(); }

  void decode_core(std::uint32_t type, const ByteReader& desc) {
    switch (type) {
      case notes::kPrStatus: {
        if (dump_.threads.size() >= limits_.max_threads) {
          if (dump_.threads.size() == limits_.max_threads) {
            dump_.diagnostics.warn("too-many-threads", "more than " + std::to_string(limits_.max_threads) +
                                                           " threads; the rest are ignored", desc.base());
          }
          return;
        }
        if (desc.size() < layout_->size) {
          dump_.diagnostics.warn("note-bad-size", "NT_PRSTATUS has " + std::to_string(desc.size()) +
                                                      " bytes, expected " + std::to_string(layout_->size) +
                                                      "; registers that do not fit are missing", desc.base());
        }
        Thread t;
        notes::decode_prstatus_header(desc, t, word_);
        decode_prstatus_registers(*layout_, desc, t);
        dump_.threads.push_back(std::move(t));
        return;
      }
      case notes::kFpRegSet:
        // The FXSAVE layout is x86_64's; other architectures' FP registers are not read (yet).
        if (Thread* t = current(); t != nullptr && dump_.arch == Arch::x86_64) x86_64::decode_fxsave(desc, *t);
        return;
      case notes::kPrPsInfo: {
        if (dump_.threads.empty()) prpsinfo_first_ = true;
        auto p = notes::decode_prpsinfo(desc, word_);
        if (p) dump_.psinfo = *p;
        else dump_.diagnostics.warn("note-bad-size", p.error().message, desc.base());
        return;
      }
      case notes::kSigInfo: {
        auto s = notes::decode_siginfo(desc, word_);
        if (!s) {
          dump_.diagnostics.warn("note-bad-size", s.error().message, desc.base());
          return;
        }
        if (Thread* t = current()) t->siginfo = *s;
        // gcore writes one per thread, SIGSTOP for the threads it stopped itself: the process's
        // signal is the first that is not gdb's own stop.
        constexpr int kSigStop = 19;
        if (!dump_.siginfo || (dump_.siginfo->signo == kSigStop && s->signo != kSigStop)) dump_.siginfo = *s;
        return;
      }
      case notes::kAuxv:
        dump_.auxv = notes::decode_auxv(desc, dump_.diagnostics, word_);
        return;
      case notes::kFile:
        dump_.files = notes::decode_file(desc, dump_.diagnostics, word_);
        return;
      default:
        return;
    }
  }

  void decode_linux(std::uint32_t type, const ByteReader& desc) {
    if (type == notes::kX86Xstate && dump_.arch == Arch::x86_64) {
      if (Thread* t = current()) x86_64::decode_xsave(desc, *t);
    }
  }

  ProcessDump& dump_;
  const ElfCoreLimits& limits_;
  const PrStatusLayout* layout_;  // never null: parse_elf_core refuses architectures without one
  unsigned word_;                 // bytes in a long: 8, or 4 on 32-bit architectures
  bool saw_gdb_note_ = false;
  bool prpsinfo_first_ = false;
};

// Walks the notes of one PT_NOTE segment; stops at the first note whose sizes do not fit.
void read_note_segment(const ByteReader& seg, NoteDecoder& decoder, Diagnostics& diags) {
  std::uint64_t pos = 0;
  while (pos < seg.size()) {
    if (!seg.has(pos, 12)) {
      diags.warn("note-truncated", "a note header is cut off by the end of the note segment",
                 seg.base() + pos);
      return;
    }
    std::uint64_t namesz = *seg.u32(pos);
    std::uint64_t descsz = *seg.u32(pos + 4);
    std::uint32_t type = *seg.u32(pos + 8);
    std::uint64_t name_off = pos + 12;
    std::uint64_t desc_off = name_off + ((namesz + 3) & ~std::uint64_t{3});
    std::uint64_t desc_end = desc_off + descsz;  // cannot overflow: both are < 2^33
    if (desc_off > seg.size() || desc_end > seg.size()) {
      diags.warn("note-bad-size",
                 "a note (type " + hex(type) + ") claims " + std::to_string(descsz) +
                     " bytes of data, past the end of its segment; the notes after it are lost",
                 seg.base() + pos);
      return;
    }
    std::string name = seg.fixed_string(name_off, namesz);
    decoder.decode(printable(name), type, *seg.sub(desc_off, descsz));
    pos = (desc_end + 3) & ~std::uint64_t{3};
  }
}

// gcore and very large processes may have more than 0xfffe program headers: then e_phnum is
// PN_XNUM and the real count is sh_info of section header 0.
std::uint64_t program_header_count(const ByteReader& file, const Header& h) {
  if (h.phnum != PN_XNUM) return h.phnum;
  if (h.shoff == 0) return 0;
  return file.u32(h.shoff + (h.is_64bit ? 44 : 28)).value_or(0);  // sh_info of section 0
}

void check_truncation(const ByteReader& file, const Header& h, const std::vector<ElfProgramHeader>& phdrs,
                      Diagnostics& diags) {
  std::uint64_t needed = 0;
  // gcore writes section headers after everything else: their end is the file's end.
  std::uint64_t sh_end = 0;
  if (h.shoff != 0 && h.shentsize == h.sizes.shdr &&
      !add_overflows(h.shoff, std::uint64_t{h.shnum} * h.sizes.shdr, &sh_end)) {
    needed = sh_end;
  }
  for (const auto& p : phdrs) {
    std::uint64_t end = 0;
    if (p.filesz == 0 || add_overflows(p.offset, p.filesz, &end)) continue;
    needed = std::max(needed, end);
  }
  if (needed > file.size()) {
    diags.error("core-truncated",
                "the core is truncated: it has " + std::to_string(file.size()) + " bytes but its segments need " +
                    std::to_string(needed) + "; memory past the end reads as not saved",
                file.size());
  }
}

}  // namespace

Result<ProcessDump> parse_elf_core(std::shared_ptr<const MappedFile> mapped, const ElfCoreLimits& limits) {
  auto header = read_header(ByteReader(mapped->bytes()));
  if (!header) return unexpected(header.error());
  const Header& h = *header;
  // Every field of the core, notes included, is in the byte order its header names.
  ByteReader file(mapped->bytes(), 0, h.order);

  ProcessDump dump;
  dump.file = mapped;
  dump.arch = arch_from_elf_machine(h.machine, h.is_64bit, h.order == std::endian::big);
  if (dump.arch == Arch::unknown || prstatus_layout(dump.arch) == nullptr) {
    return fail(ErrorCode::unsupported,
                "a core of an architecture this version cannot read (e_machine " + std::to_string(h.machine) + ", " +
                    (h.is_64bit ? "64" : "32") + "-bit, " + (h.order == std::endian::big ? "big" : "little") +
                    "-endian); it reads x86_64, aarch64, i386, arm, ppc64le and s390x");
  }

  std::uint64_t phnum = program_header_count(file, h);
  if (phnum == 0) return fail(ErrorCode::malformed, "the core has no program headers");
  if (h.phentsize != h.sizes.phdr) {
    return fail(ErrorCode::malformed, "unexpected program header size " + std::to_string(h.phentsize),
                h.is_64bit ? 54 : 42);
  }
  if (phnum > limits.max_program_headers) {
    dump.diagnostics.warn("too-many-segments", "the core claims " + std::to_string(phnum) +
                                                   " program headers; only the first " +
                                                   std::to_string(limits.max_program_headers) + " are read");
    phnum = limits.max_program_headers;
  }
  // Read as many program headers as the file holds; a truncated table keeps its first entries.
  std::vector<ElfProgramHeader> phdrs;
  for (std::uint64_t i = 0; i < phnum; ++i) {
    std::uint64_t off = 0;
    if (mul_overflows(i, h.sizes.phdr, &off) || add_overflows(off, h.phoff, &off) || !file.has(off, h.sizes.phdr)) {
      dump.diagnostics.error("phdrs-truncated", "the program header table is cut off after " +
                                                    std::to_string(i) + " of " + std::to_string(phnum) +
                                                    " entries", off);
      break;
    }
    phdrs.push_back(decode_program_header(file, off, h.is_64bit));
  }
  if (phdrs.empty()) return fail(ErrorCode::truncated, "the core ends before its program headers", h.phoff);
  check_truncation(file, h, phdrs, dump.diagnostics);

  NoteDecoder decoder(dump, limits);
  std::vector<MemorySegment> segments;
  bool saw_note = false;
  for (const auto& p : phdrs) {
    if (p.type == PT_NOTE) {
      saw_note = true;
      if (p.offset >= file.size()) {
        dump.diagnostics.error("notes-missing", "the note segment lies past the end of the file", p.offset);
        continue;
      }
      std::uint64_t avail = std::min(p.filesz, file.size() - p.offset);
      if (avail < p.filesz) {
        dump.diagnostics.error("notes-truncated", "the note segment is cut off by the end of the file",
                               p.offset + avail);
      }
      mapped->will_need(p.offset, avail);  // read whole, front to back: readahead pays here
      read_note_segment(*file.sub(p.offset, avail), decoder, dump.diagnostics);
    } else if (p.type == PT_LOAD) {
      std::uint64_t end = 0;
      if (p.memsz == 0 || add_overflows(p.vaddr, p.memsz, &end)) {
        if (p.memsz != 0) dump.diagnostics.warn("segment-wraps", "a segment at " + hex(p.vaddr) + " wraps around the address space");
        continue;
      }
      Mapping m;
      m.start = p.vaddr;
      m.end = end;
      m.flags = (p.flags & PF_R ? kRead : 0) | (p.flags & PF_W ? kWrite : 0) | (p.flags & PF_X ? kExec : 0);
      m.core_offset = p.offset;
      m.saved = std::min(p.filesz, p.memsz);
      if (p.offset >= file.size()) m.saved = 0;
      else m.saved = std::min(m.saved, file.size() - p.offset);
      dump.mappings.push_back(m);
      segments.push_back(MemorySegment{p.vaddr, p.memsz, p.offset, m.saved});
    }
  }
  if (!saw_note) dump.diagnostics.error("notes-missing", "the core has no PT_NOTE segment: no threads or registers");

  std::sort(dump.mappings.begin(), dump.mappings.end(),
            [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
  dump.memory = AddressSpace(mapped, std::move(segments));
  // gcore: its own notes, PRPSINFO first. qemu-user: neither NT_SIGINFO nor NT_FILE, which every
  // kernel since Linux 3.7 writes.
  if (decoder.saw_gdb_note() || decoder.saw_prpsinfo_first()) dump.producer = "gdb";
  else if (!dump.siginfo && dump.files.empty()) dump.producer = "qemu-user";
  else dump.producer = "kernel";

  std::sort(dump.files.begin(), dump.files.end(),
            [](const FileRange& a, const FileRange& b) { return a.start < b.start; });
  // Name each mapping after the file behind it (NT_FILE), for the map and for modules.
  for (auto& m : dump.mappings) {
    auto it = std::upper_bound(dump.files.begin(), dump.files.end(), m.start,
                               [](std::uint64_t a, const FileRange& f) { return a < f.start; });
    if (it == dump.files.begin()) continue;
    --it;
    if (m.start < it->end) {
      m.path = it->path;
      m.file_offset = it->file_offset + (m.start - it->start);
    }
  }

  if (dump.threads.empty()) {
    dump.diagnostics.error("no-threads", "the core has no NT_PRSTATUS note: no thread registers");
  }
  if (!dump.psinfo) dump.diagnostics.warn("no-prpsinfo", "the core has no NT_PRPSINFO note: no command line");
  if (!dump.siginfo) {
    dump.diagnostics.info("no-siginfo", "the core has no NT_SIGINFO note: the signal comes from pr_cursig, "
                                        "without si_code or fault address");
  }
  discover_modules(dump);
  if (dump.files.empty()) {
    // Without NT_FILE, the dynamic linker's list in memory names the modules (core_link_map.hpp);
    // only the memory map loses its file names.
    dump.diagnostics.info("no-file-note", "the core has no NT_FILE note: modules come from the dynamic linker's "
                                          "list in memory; mappings are named after the modules covering them");
  }
  return dump;
}

}  // namespace corelens
