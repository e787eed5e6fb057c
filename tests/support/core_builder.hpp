// Test-only builder of synthetic x86_64 Linux ELF core files.
//
// Deliberately independent of the parser and of <elf.h>/<sys/procfs.h>: every field is encoded
// byte by byte, little-endian, from constants written here after the ELF gABI and the Linux
// kernel's layouts (include/uapi/linux/elfcore.h, arch/x86 user_regs_struct and fxsave/xsave,
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

namespace corelens::testing {

// ---- Constants (our own spelling; values from the ELF gABI and Linux uapi headers) ----
namespace elfc {
inline constexpr std::uint16_t ET_EXEC = 2;
inline constexpr std::uint16_t ET_DYN = 3;
inline constexpr std::uint16_t ET_CORE = 4;
inline constexpr std::uint16_t EM_386 = 3;
inline constexpr std::uint16_t EM_X86_64 = 62;
inline constexpr std::uint16_t EM_AARCH64 = 183;
inline constexpr std::uint8_t ELFCLASS32 = 1;
inline constexpr std::uint8_t ELFCLASS64 = 2;
inline constexpr std::uint32_t PT_LOAD = 1;
inline constexpr std::uint32_t PT_NOTE = 4;
inline constexpr std::uint32_t PF_X = 1;
inline constexpr std::uint32_t PF_W = 2;
inline constexpr std::uint32_t PF_R = 4;
inline constexpr std::uint32_t NT_PRSTATUS = 1;
inline constexpr std::uint32_t NT_PRFPREG = 2;  // a.k.a. NT_FPREGSET
inline constexpr std::uint32_t NT_PRPSINFO = 3;
inline constexpr std::uint32_t NT_AUXV = 6;
inline constexpr std::uint32_t NT_GDB_TDESC = 0xff000000;  // owner "GDB" (what gdb 13 gcore writes)
inline constexpr std::uint32_t NT_X86_XSTATE = 0x202;
inline constexpr std::uint32_t NT_X86_XSAVE_LAYOUT = 0x205;  // "LINUX", once, after all threads
inline constexpr std::uint32_t NT_SIGINFO = 0x53494749;  // "SIGI"
inline constexpr std::uint32_t NT_FILE = 0x46494c45;     // "FILE"
inline constexpr std::uint64_t AT_NULL = 0;

inline constexpr std::size_t EHDR64_SIZE = 64;
inline constexpr std::size_t EHDR32_SIZE = 52;
inline constexpr std::size_t PHDR64_SIZE = 56;
inline constexpr std::size_t NHDR_SIZE = 12;
inline constexpr std::size_t PRSTATUS_SIZE = 336;  // x86_64 struct elf_prstatus
inline constexpr std::size_t PRPSINFO_SIZE = 136;  // x86_64 struct elf_prpsinfo
inline constexpr std::size_t SIGINFO_SIZE = 128;   // siginfo_t
inline constexpr std::size_t FXSAVE_SIZE = 512;    // struct user_i387_struct
inline constexpr std::size_t PRSTATUS_PR_REG_OFFSET = 112;
inline constexpr std::size_t XSAVE_HEADER_OFFSET = 512;
inline constexpr std::size_t XSAVE_XCR0_OFFSET = 464;  // Linux puts XCR0 in sw_reserved
inline constexpr std::size_t XSAVE_YMMH_OFFSET = 576;
}  // namespace elfc

// user_regs_struct register names, in the kernel's order (index = slot in pr_reg).
inline constexpr std::array<const char*, 27> kX86_64RegNames = {
    "r15", "r14", "r13",     "r12",     "rbp", "rbx", "r11", "r10", "r9",
    "r8",  "rax", "rcx",     "rdx",     "rsi", "rdi", "orig_rax", "rip", "cs",
    "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs"};
// Slot of a register name in pr_reg; throws std::invalid_argument for an unknown name.
std::size_t reg_index(const std::string& name);

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
  std::map<std::string, std::uint64_t> regs;  // names from kX86_64RegNames; missing = 0
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
  CoreBuilder& add_segment(std::uint64_t vaddr, std::uint64_t memsz, std::uint32_t flags,
                           std::vector<std::uint8_t> bytes);

  CoreBuilder& note_order(NoteOrder order);
  CoreBuilder& machine(std::uint16_t e_machine);  // default EM_X86_64 (EM_386 if class32)
  CoreBuilder& type(std::uint16_t e_type);        // default ET_CORE
  CoreBuilder& elf_class32(bool on = true);  // just a 52-byte ELFCLASS32 header (EM_386 default)
  CoreBuilder& without_note_segment(bool on = true);  // no PT_NOTE at all
  CoreBuilder& page_size(std::uint64_t bytes);        // data alignment, default 4096

  BuiltCore build() const;
  BuiltCore write(const std::filesystem::path& path) const;  // build() then write_file()

  // Static descriptor encoders (the exact note payloads build() emits).
  static std::vector<std::uint8_t> encode_prstatus(const ThreadSpec& t);
  static std::vector<std::uint8_t> encode_fxsave(const FxSave& f);
  static std::vector<std::uint8_t> encode_xstate(const XState& x);
  static std::vector<std::uint8_t> encode_prpsinfo(const PsInfoSpec& p);
  static std::vector<std::uint8_t> encode_siginfo(const SigInfoSpec& s);
  static std::vector<std::uint8_t> encode_auxv(
      const std::vector<std::pair<std::uint64_t, std::uint64_t>>& entries);
  static std::vector<std::uint8_t> encode_file_note(std::uint64_t page_size,
                                                    const std::vector<FileEntry>& entries);

 private:
  struct RawNote {
    std::string name;
    std::uint32_t type;
    std::vector<std::uint8_t> desc;
    RawNotePlacement where;
  };
  struct Segment {
    std::uint64_t vaddr, memsz;
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
  std::optional<std::uint16_t> machine_;  // default: EM_X86_64 (EM_386 for elf_class32)
  std::uint16_t type_ = elfc::ET_CORE;
  bool class32_ = false;
  bool no_note_segment_ = false;
  std::uint64_t page_size_ = 4096;
};

// Little-endian byte helpers for damaging built files in tests (throw std::out_of_range).
void put_u16(std::vector<std::uint8_t>& b, std::uint64_t off, std::uint16_t v);
void put_u32(std::vector<std::uint8_t>& b, std::uint64_t off, std::uint32_t v);
void put_u64(std::vector<std::uint8_t>& b, std::uint64_t off, std::uint64_t v);
std::uint16_t get_u16(const std::vector<std::uint8_t>& b, std::uint64_t off);
std::uint32_t get_u32(const std::vector<std::uint8_t>& b, std::uint64_t off);
std::uint64_t get_u64(const std::vector<std::uint8_t>& b, std::uint64_t off);
void write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

}  // namespace corelens::testing
