// Test-only builder of synthetic Linux ELF core files, in either ELF class and byte order, for any
// machine whose struct elf_prstatus it knows (x86_64 by default; aarch64, i386, arm, ppc64). The
// kernel's ELF vmcores are built with it too (kernel/kernel_dump_builder.hpp).
//
// Deliberately independent of the parser and of <elf.h>/<sys/procfs.h>: every field is encoded
// through ByteWriter from constants written here after the ELF gABI and the Linux kernel's
// layouts (include/uapi/linux/elfcore.h, arch/*/include/uapi/asm/ptrace.h, arch/x86 fxsave/xsave,
// siginfo_t, fs/binfmt_elf.c for NT_FILE and for the order and placement of everything). A wrong
// layout in the parser therefore cannot hide behind a shared definition. The self-test
// (core_builder_selftest.cpp) checks the output against eu-readelf, binutils readelf and gdb.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/byte_writer.hpp"
#include "tests/support/elf_writer.hpp"

namespace corelens::testing {


// user_regs_struct register names, in the kernel's order (index = slot in pr_reg).
inline constexpr std::array<const char*, 27> kX86_64RegNames = {
    "r15", "r14", "r13",     "r12",     "rbp", "rbx", "r11", "r10", "r9",
    "r8",  "rax", "rcx",     "rdx",     "rsi", "rdi", "orig_rax", "rip", "cs",
    "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs"};
// Slot of a register name in pr_reg; throws std::invalid_argument for an unknown name.
std::size_t reg_index(const std::string& name);

// Where a machine's struct elf_prstatus keeps what the builder writes. 64-bit ABIs share the
// generic layout up to pr_reg (pr_pid @32, four 16-byte timevals @48, pr_reg @112); the 32-bit
// ones halve the longs (pr_pid @24, 8-byte timevals @40, pr_reg @72).
struct PrStatusLayout {
  std::size_t size;       // sizeof(struct elf_prstatus)
  std::size_t slots;      // ELF_NGREG
  std::size_t slot_size;  // bytes per pr_reg slot
  std::size_t fpvalid;    // pr_fpvalid, right after pr_reg
};
// The layout of FORMAT's machine: x86_64 (27 slots), aarch64 (user_pt_regs: 34), i386 (17),
// arm (18), ppc64 (48), s390x (27 8-byte slots, though its access registers are 4 bytes each);
// throws std::invalid_argument for another machine (write its NT_PRSTATUS with add_raw_note).
PrStatusLayout prstatus_layout(const ElfFormat& format);

struct TimeVal {
  std::int64_t sec = 0;
  std::int64_t usec = 0;
};

// The 512-byte fxsave area (NT_PRFPREG; also bytes 0..511 of NT_X86_XSTATE).
struct FxSave {
  std::uint16_t fcw = 0x037f;
  std::uint16_t fsw = 0;
  std::uint16_t ftw = 0;  // abridged tag word
  std::uint16_t fop = 0;
  std::uint64_t fip = 0;
  std::uint64_t fdp = 0;
  std::uint32_t mxcsr = 0x1f80;
  std::uint32_t mxcsr_mask = 0xffff;
  std::array<std::array<std::uint8_t, 10>, 8> st{};    // 80-bit st0..st7 (each in a 16-byte slot)
  std::array<std::array<std::uint8_t, 16>, 16> xmm{};  // xmm0..xmm15
};

// NT_X86_XSTATE: standard-format xsave area.
struct XState {
  FxSave legacy;
  std::uint64_t xcr0 = 0x7;       // written at offset 464 (sw_reserved word 0), as Linux does
  std::uint64_t xstate_bv = 0x7;  // xsave header at 512 (x87 | SSE | AVX)
  std::uint64_t xcomp_bv = 0;
  std::optional<std::array<std::array<std::uint8_t, 16>, 16>> ymmh;  // upper halves at 576
  std::size_t size = 832;  // 832 (x87+SSE+AVX), 2688 (+AVX-512), ...; must be >= 576 (+256 if ymmh)
};

struct ThreadSpec {
  std::int32_t tid = 1;  // pr_pid
  // pr_cursig. Unset: the first thread's value (the kernel writes the dump signal into every
  // thread's prstatus; bfd/gdb take the core's signal from the LAST prstatus note).
  std::optional<std::int16_t> cursig;
  // struct elf_siginfo pr_info (signo, code, errno); signo defaults to the resolved cursig.
  std::optional<std::int32_t> info_signo;
  std::int32_t info_code = 0;
  std::int32_t info_errno = 0;
  std::uint64_t sigpend = 0;
  std::uint64_t sighold = 0;
  std::int32_t ppid = 0;
  std::int32_t pgrp = 0;
  std::int32_t sid = 0;
  TimeVal utime, stime, cutime, cstime;
  std::map<std::string, std::uint64_t> regs;  // x86_64 only: names from kX86_64RegNames; missing = 0
  std::vector<std::uint64_t> reg_slots;       // any machine: pr_reg from slot 0 (after regs)
  std::optional<FxSave> fpregs;               // emits NT_PRFPREG ("CORE")
  std::optional<XState> xstate;               // emits NT_X86_XSTATE ("LINUX")
  std::optional<std::int32_t> fpvalid;        // default: 1 if fpregs, else 0
};

struct PsInfoSpec {
  std::int8_t state = 0;
  char sname = 'R';
  std::int8_t zomb = 0;
  std::int8_t nice = 0;
  std::uint64_t flag = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int32_t pid = 1, ppid = 0, pgrp = 0, sid = 0;
  std::string fname;   // copied raw into pr_fname[16]; 16 chars = no terminator
  std::string psargs;  // copied raw into pr_psargs[80]
};

struct SigInfoSpec {
  enum class Layout { Auto, Fault, Kill };
  std::int32_t signo = 11;
  std::int32_t errno_ = 0;
  std::int32_t code = 0;
  std::uint64_t addr = 0;  // si_addr (fault layout)
  std::int32_t pid = 0;    // si_pid (kill layout)
  std::uint32_t uid = 0;   // si_uid (kill layout)
  // Auto: SIGILL/SIGTRAP/SIGBUS/SIGFPE/SIGSEGV use the fault layout, anything else kill.
  Layout layout = Layout::Auto;
};

struct FileEntry {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::uint64_t file_page_offset = 0;  // in units of page_size (vm_pgoff), as the kernel writes
  std::string path;
};

enum class NoteOrder {
  Kernel,  // T0: PRSTATUS, PRPSINFO, SIGINFO, AUXV, FILE, FPREGSET, XSTATE; Tn: PRSTATUS, FP, XSTATE
  Gcore,   // PRPSINFO; per thread PRSTATUS, FPREGSET, XSTATE (+SIGINFO after T0); AUXV; FILE
};
enum class RawNotePlacement { AtEnd, AtStart };

// Where things landed in the built file: for tests that damage exact bytes.
struct NoteLocation {
  std::string name;
  std::uint32_t type = 0;
  int thread = -1;                 // index into add_thread order, -1 = process-wide/raw
  std::uint64_t header_offset = 0;  // Elf64_Nhdr: namesz at +0, descsz at +4, type at +8
  std::uint64_t name_offset = 0;
  std::uint64_t desc_offset = 0;
  std::uint64_t desc_size = 0;
  std::uint64_t end_offset = 0;  // first byte after the padded descriptor
};
struct SegmentLocation {
  std::uint64_t phdr_offset = 0;  // this PT_LOAD's program header entry
  std::uint64_t data_offset = 0;  // == p_offset
  std::uint64_t vaddr = 0;
  std::uint64_t filesz = 0;
  std::uint64_t memsz = 0;
  std::uint32_t flags = 0;
};
struct CoreLayout {
  std::uint64_t phdr_offset = 0;       // program header table (e_phoff)
  std::uint16_t phnum = 0;
  std::uint64_t note_phdr_offset = 0;  // PT_NOTE entry (0 if none)
  std::uint64_t notes_offset = 0;      // PT_NOTE data (p_offset)
  std::uint64_t notes_size = 0;        // p_filesz
  std::vector<NoteLocation> notes;     // in file order
  std::vector<SegmentLocation> segments;
  std::uint64_t file_size = 0;

  // nth note of that type (and name, if given); throws std::out_of_range if absent.
  const NoteLocation& note(std::uint32_t type, std::size_t nth = 0,
                           const std::string& name = {}) const;
};

struct BuiltCore {
  std::vector<std::uint8_t> bytes;
  CoreLayout layout;
};

class CoreBuilder {
 public:
  CoreBuilder& add_thread(ThreadSpec spec);
  CoreBuilder& set_prpsinfo(PsInfoSpec spec);
  CoreBuilder& set_siginfo(SigInfoSpec spec);
  CoreBuilder& set_auxv(std::vector<std::pair<std::uint64_t, std::uint64_t>> entries);
  CoreBuilder& set_file_note(std::uint64_t page_size, std::vector<FileEntry> entries);
  CoreBuilder& add_raw_note(std::string name, std::uint32_t type, std::vector<std::uint8_t> desc,
                            RawNotePlacement where = RawNotePlacement::AtEnd);
  // PT_LOAD; filesz = bytes.size() (may be < memsz: the unsaved tail). flags: elfc::PF_R|PF_W|PF_X.
  // PADDR: p_paddr, which a kernel's vmcore sets (a user core leaves it 0).
  CoreBuilder& add_segment(std::uint64_t vaddr, std::uint64_t memsz, std::uint32_t flags,
                           std::vector<std::uint8_t> bytes, std::uint64_t paddr = 0);

  CoreBuilder& note_order(NoteOrder order);
  // ELF class, byte order and machine of the whole core (default: 64-bit little-endian x86_64);
  // the notes are encoded for it.
  CoreBuilder& format(ElfFormat f);
  // e_machine alone (the notes stay the format's): a header that lies, or an unknown machine.
  CoreBuilder& machine(std::uint16_t e_machine);  // default: the format's (EM_386 if class32)
  CoreBuilder& type(std::uint16_t e_type);        // default ET_CORE
  // Just a 52-byte ELFCLASS32 header (EM_386 default), for "reject this" tests; a whole 32-bit
  // core is format({.is64 = false, ...}).
  CoreBuilder& elf_class32(bool on = true);
  CoreBuilder& without_note_segment(bool on = true);  // no PT_NOTE at all
  CoreBuilder& page_size(std::uint64_t bytes);        // data alignment, default 4096

  BuiltCore build() const;
  BuiltCore write(const std::filesystem::path& path) const;  // build() then write_file()

  // Static descriptor encoders (the exact note payloads build() emits), for FORMAT (default:
  // x86_64); core_note_encoders.cpp.
  static Bytes encode_prstatus(const ThreadSpec& t, const ElfFormat& format = {});
  static Bytes encode_fxsave(const FxSave& f);
  static Bytes encode_xstate(const XState& x);
  static Bytes encode_prpsinfo(const PsInfoSpec& p, const ElfFormat& format = {});
  static Bytes encode_siginfo(const SigInfoSpec& s, const ElfFormat& format = {});
  static Bytes encode_auxv(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& entries,
                           const ElfFormat& format = {});
  static Bytes encode_file_note(std::uint64_t page_size, const std::vector<FileEntry>& entries,
                                const ElfFormat& format = {});

 private:
  struct RawNote {
    std::string name;
    std::uint32_t type;
    std::vector<std::uint8_t> desc;
    RawNotePlacement where;
  };
  struct Segment {
    std::uint64_t vaddr, memsz, paddr;
    std::uint32_t flags;
    std::vector<std::uint8_t> bytes;
  };
  std::vector<ThreadSpec> threads_;
  std::optional<PsInfoSpec> psinfo_;
  std::optional<SigInfoSpec> siginfo_;
  std::optional<std::vector<std::pair<std::uint64_t, std::uint64_t>>> auxv_;
  std::optional<std::pair<std::uint64_t, std::vector<FileEntry>>> files_;
  std::vector<RawNote> raw_;
  std::vector<Segment> segments_;
  NoteOrder order_ = NoteOrder::Kernel;
  ElfFormat format_;
  std::optional<std::uint16_t> machine_;  // default: the format's (EM_386 for elf_class32)
  std::uint16_t type_ = elfc::ET_CORE;
  bool class32_ = false;
  bool no_note_segment_ = false;
  std::uint64_t page_size_ = 4096;
};

// put_u16 ... get_u64 and write_file, for damaging built files: byte_writer.hpp.

}  // namespace corelens::testing
