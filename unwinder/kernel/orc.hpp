// The x86_64 kernel's ORC unwinder (arch/x86/kernel/unwind_orc.c), reimplemented over a dump's
// memory. ORC ("oops rewind capability") is what objtool generates for every kernel and module
// built with UNWINDER_ORC (Debian's): for each code address, where the caller's stack pointer is
// (sp_reg + sp_offset), where the caller's frame pointer was saved (bp_reg + bp_offset), and what
// kind of frame it is (a call, a full pt_regs, an iret frame, the end of the stack).
//
// In memory (vmlinux): __start_orc_unwind_ip .. __stop_orc_unwind_ip are s32 offsets, each relative
// to its own address, sorted at boot; __start_orc_unwind holds one 6-byte orc_entry per ip;
// orc_lookup[] (lookup_num_blocks u32) gives, per 256-byte block of [_stext, _etext), the first
// candidate entry. Modules keep their own pair of tables in struct module (see kernel_modules).
//
// Everything read here comes from a possibly hostile dump: every count is capped, every table is
// sampled before it is trusted, lookups are checked against the full table, and a walk is bounded
// by a frame cap, by the stacks it may use and by the rule that the stack only grows.
//
// Ownership: OrcTable holds plain addresses; the MemorySource it reads through is passed to each
// call and must outlive the call only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"

namespace corelens {

// Register numbers of orc_types.h: the same in every kernel that has ORC.
namespace orc_reg {
inline constexpr std::uint8_t undefined = 0, prev_sp = 1, dx = 2, di = 3, bp = 4, sp = 5, r10 = 6, r13 = 7,
                              bp_indirect = 8, sp_indirect = 9;
}

// Frame kinds, the same for both on-disk layouts.
enum class OrcType : std::uint8_t { undefined, end_of_stack, call, regs, regs_partial };

// One frame's unwind rule: from the kernel's ORC table in the dump, or a vmlinux's DWARF CFI
// translated into the same shape (vmlinux.hpp). Which one found a frame is the frame's origin.
struct OrcEntry {
  std::int16_t sp_offset = 0;
  std::int16_t bp_offset = 0;
  std::uint8_t sp_reg = orc_reg::undefined;
  std::uint8_t bp_reg = orc_reg::undefined;
  OrcType type = OrcType::undefined;
  bool signal = false;  // 6.4+: the next frame's ip is exact, not a return address
};

// The two layouts of struct orc_entry (6 bytes, packed, little-endian bitfields after two s16).
enum class OrcLayout {
  end_bit,  // 4.14 .. 6.3: sp_reg:4 bp_reg:4 type:2 (CALL 0, REGS 1, REGS_PARTIAL 2) end:1
  typed,    // 6.4+:        sp_reg:4 bp_reg:4 type:3 (UNDEFINED 0, END_OF_STACK 1, CALL 2, ...) signal:1
};
inline constexpr std::size_t kOrcEntrySize = 6;

// What differs between kernel versions, chosen from the release and then checked on the table.
struct OrcFlavor {
  OrcLayout layout = OrcLayout::end_bit;
  // 5.12+ ("x86/unwind/orc: Change REG_SP_INDIRECT"): caller sp = *(sp) + offset; before: *(sp + offset).
  bool sp_indirect_adds_after = true;
};
OrcFlavor orc_flavor_for_release(const std::string& release);
const char* to_string(OrcLayout layout);

// nullopt: these bytes cannot be an entry of LAYOUT (a register or type no kernel defines).
std::optional<OrcEntry> decode_orc_entry(std::span<const std::byte, kOrcEntrySize> bytes, OrcLayout layout);

// One pair of sorted tables in kernel memory.
struct OrcTableRef {
  std::uint64_t ip_table = 0;  // COUNT s32, each an offset from its own address
  std::uint64_t entries = 0;   // COUNT orc_entry
  std::uint64_t count = 0;
};

// The "fast lookup" of vmlinux: orc_lookup[(ip - text_start) / 256] is the first entry to search.
struct OrcLookupRef {
  std::uint64_t table = 0;  // u32 per block
  std::uint32_t blocks = 0;
  std::uint64_t text_start = 0, text_end = 0;
};

class OrcTable {
 public:
  OrcTable() = default;
  OrcTable(OrcTableRef ref, OrcFlavor flavor, std::optional<OrcLookupRef> lookup = std::nullopt)
      : ref_(ref), flavor_(flavor), lookup_(lookup) {}

  const OrcTableRef& ref() const { return ref_; }
  const OrcFlavor& flavor() const { return flavor_; }
  bool empty() const { return ref_.count == 0; }
  // The entry for IP: the rightmost one whose address is <= IP (__orc_find). nullopt when IP is
  // before the first entry or the table cannot be read or decoded there.
  std::optional<OrcEntry> find(const MemorySource& memory, std::uint64_t ip) const;
  // The address the I-th entry covers from.
  std::optional<std::uint64_t> ip_at(const MemorySource& memory, std::uint64_t i) const;
  std::optional<OrcEntry> entry_at(const MemorySource& memory, std::uint64_t i) const;

 private:
  std::optional<std::uint64_t> search(const MemorySource& memory, std::uint64_t first, std::uint64_t last,
                                      std::uint64_t ip) const;
  OrcTableRef ref_;
  OrcFlavor flavor_;
  std::optional<OrcLookupRef> lookup_;
};

// A sample of a table, to decide whether it is what we think it is before walking with it.
struct OrcTableCheck {
  bool sane = false;
  std::size_t sampled = 0, decoded = 0, calls = 0, ips_in_range = 0, ips_sorted = 0;
  std::string describe() const;  // "512 entries sampled: 512 decode, 402 calls, ..."
};
inline constexpr std::size_t kOrcSample = 512;
// IPs must lie in [TEXT_LOW, TEXT_HIGH) and not decrease; entries must decode in FLAVOR's layout,
// and most must be calls (a wrong layout reads them as UNDEFINED or REGS_PARTIAL).
OrcTableCheck check_orc_table(const MemorySource& memory, const OrcTableRef& ref, OrcFlavor flavor,
                              std::uint64_t text_low, std::uint64_t text_high);

// The unwind tables of an ORC walk, each a strategy of its own (orc.cpp): the kernel's ORC (the
// vmlinux's table or a module's) and the vmlinux's DWARF CFI translated into ORC entries. Behind
// an interface so the walker can be tested on synthetic tables.
class OrcFinder {
 public:
  virtual ~OrcFinder() = default;
  // The ORC entry covering IP, in whichever ORC table has it (vmlinux, a module).
  virtual std::optional<OrcEntry> find(std::uint64_t ip) const = 0;
  virtual OrcFlavor flavor() const = 0;
  // The vmlinux's DWARF CFI at IP (table dwarf_cfi), for kernel text; nullopt: none.
  virtual std::optional<OrcEntry> cfi(std::uint64_t ip) const {
    (void)ip;
    return std::nullopt;
  }
  // Whether the walk asks the CFI before ORC (--kernel-unwinder dwarf-cfi); else after it, where
  // ORC has no entry or its step fails.
  virtual bool cfi_first() const { return false; }
};

// Frame 0 in code no table describes (see prologue.hpp): the walk's last strategy, optional,
// used for frame 0 only.
struct NoOrcFrame {
  std::uint64_t caller_sp = 0;               // the sp after the return: the return address is below it
  std::optional<std::uint64_t> rbp_slot;     // where the caller's rbp was saved, if it was
};
class NoOrcFallback {
 public:
  virtual ~NoOrcFallback() = default;
  virtual std::optional<NoOrcFrame> caller_of(std::uint64_t ip, std::uint64_t sp) const = 0;
  // Evidence for the frame: RA follows a direct call of the function that contains IP.
  virtual bool returns_from(std::uint64_t ra, std::uint64_t ip) const = 0;
};

// The stacks a CPU may be running on, so that a walk stays on them.
struct StackRegion {
  std::uint64_t low = 0, high = 0;  // [low, high)
  std::string kind;                 // "task", "IRQ", "NMI", "DF", "DB", "MCE", "VC", "unknown"
  bool contains(std::uint64_t addr, std::uint64_t len = 8) const {
    return addr >= low && addr < high && high - addr >= len;
  }
};
class StackMap {
 public:
  virtual ~StackMap() = default;
  // The known stack containing ADDR; nullopt when ADDR is on none the map knows.
  virtual std::optional<StackRegion> region_of(std::uint64_t addr) const = 0;
};
// Used when SP lies on no known stack: THREAD_SIZE (16 KiB) around it, as task stacks are aligned.
inline constexpr std::uint64_t kKernelStackSize = 16384;
StackRegion unknown_stack_around(std::uint64_t sp);

// One frame found by the walk.
struct OrcFrame {
  std::uint64_t pc = 0;
  std::uint64_t sp = 0;
  bool exact_pc = false;   // frame 0, and a context an exception interrupted: pc is not a return address
  bool user = false;       // the user-space context below the kernel stack (pt_regs with CPL 3)
  std::string stack;       // the StackRegion kind the frame's sp is on; "user" for the user frame
  FrameTrust trust = FrameTrust::cfi;
  // What found it: context (frame 0), orc or vmlinux_cfi (the table the callee's entry came
  // from), prologue (frame 0 had no entry: kernel_prologue), scan.
  FrameOrigin origin = FrameOrigin::orc;
  std::vector<Register> registers;  // what the walk knows at this frame: rip, rsp, rbp or a pt_regs
};

// The stamp of a kernel walk (caller_strategy.hpp): ORIGIN and TRUST on FRAMES from index FROM on.
inline void stamp_frames(std::vector<OrcFrame>& frames, std::size_t from, FrameOrigin origin, FrameTrust trust) {
  for (std::size_t i = from; i < frames.size(); ++i) {
    frames[i].origin = origin;
    frames[i].trust = trust;
  }
}

struct OrcWalkLimits {
  std::size_t max_frames = 256;  // a 16 KiB stack holds far fewer real frames
  std::size_t max_stacks = 6;    // exception, IRQ, task, and a few unknown ones
  std::function<bool()> keep_going;  // KernelStackLimits::keep_going; empty: cannot be cancelled
};

struct OrcWalk {
  std::vector<OrcFrame> frames;
  bool frame0_without_orc = false;  // frame 1 came from NoOrcFallback (its origin is prologue)
  bool used_dwarf_cfi = false;      // some frame's origin is vmlinux_cfi
  UnwindStatus status;      // complete (user space or the end-of-stack entry), or why the walk stopped
  // Where a stack scan may continue when the walk failed: the last good sp and its stack.
  std::uint64_t stop_sp = 0;
  StackRegion stop_region;
};

// pt_regs of x86_64, in order: the same 21 names as NT_PRSTATUS's user_regs_struct prefix.
inline constexpr std::size_t kPtRegsCount = 21;
inline constexpr std::size_t kPtRegsSize = kPtRegsCount * 8;
inline constexpr std::size_t kIretOffset = 16 * 8;  // offsetof(struct pt_regs, ip)
std::span<const std::string_view, kPtRegsCount> pt_regs_names();

// Walks from START (a CPU's registers) as unwind_next_frame() would, frame 0 included.
// Where a task the scheduler switched out stands: its inactive_task_frame's return address (exact
// only for a task that never ran: ret_from_fork), the sp above that frame and the saved rbp.
struct OrcStartFrame {
  std::uint64_t ip = 0, sp = 0, bp = 0;
  bool exact = false;
};
OrcWalk orc_walk(const MemorySource& memory, const OrcFinder& orc, const StackMap& stacks, const OrcStartFrame& start,
                 const OrcWalkLimits& limits = {});

// FALLBACK, when given, is asked for frame 0's caller when ORC has no entry for frame 0.
OrcWalk orc_walk(const MemorySource& memory, const OrcFinder& orc, const StackMap& stacks, const RegisterSet& start,
                 const OrcWalkLimits& limits = {}, const NoOrcFallback* fallback = nullptr);

}  // namespace corelens
