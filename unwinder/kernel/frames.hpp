// What every architecture's kernel stack walk shares: the frame types a walk produces, where the
// kernel's text is, naming a frame as the oops does ("sysrq_handle_crash+0x16/0x20",
// "f+0x1/0x8 [pvpanic]"), file:line and inlined calls from the vmlinux's or a module's DWARF.
//
// Ownership: plain values; KernelFrameNamer references what it reads, which must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/model/kernel/kernel_memory.hpp"
#include "core/model/report.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "unwinder/kernel/modules.hpp"
#include "unwinder/kernel/orc.hpp"

namespace corelens {

class Vmlinux;            // unwinder/kernel_vmlinux.hpp
class KernelModuleDwarf;  // unwinder/kernel_module_dwarf.hpp

// A kernel stack is a StackReport (core/model/stack.hpp): Frames with their kernel facts (the
// stack area, the oops-style name, the origin: context, orc, vmlinux_cfi, frame_pointer,
// prologue, scan), the walk's status and its method in words ("ORC", "ORC, then a stack scan",
// "frame pointers", "stack scan", "none").

struct KernelStackLimits {
  std::size_t max_frames = 256;
  std::size_t max_scan_frames = 64;
  // The front end's cancel question, asked as each walk starts (WalkBudget); false: the walk
  // stops with StopReason::cancelled. Empty: the walks cannot be cancelled.
  std::function<bool()> keep_going;
};

// A vmlinux with DWARF, when one was found (its build-id checked): file:line and inlined calls for
// kernel frames, and its DWARF CFI as an unwinder for code ORC has no entry for (x86_64), or for
// frames whose pc is exact (arm64: frame 0, an interrupted context), or before ORC when CFI_FIRST
// (to compare the two). Module code has neither: ORC or frame records, and the module's symbols.
struct KernelDwarf {
  Vmlinux* vmlinux = nullptr;       // null: none. Used (and its caches filled) by one walk at a time
  std::uint64_t kernel_offset = 0;  // run-time minus link-time address of the kernel image (KASLR)
  bool cfi_first = false;
  KernelModuleDwarf* modules = nullptr;  // the modules' .ko files; null: none looked for
};

struct TextRange {
  std::uint64_t low = 0, high = 0;
  bool contains(std::uint64_t a) const { return a >= low && a < high; }
};

// What the dump's kallsyms tells about the kernel image.
struct KernelLayout {
  TextRange text;       // [_stext, _etext): x86_64's orc_lookup covers it
  TextRange init_text;  // [_sinittext, _einittext): freed after boot, still in the ORC table
  std::optional<std::uint64_t> kernel_offset;  // KASLR: runtime address - vmlinux's link-time address
  bool is_text(std::uint64_t a) const { return text.contains(a) || init_text.contains(a); }
};
KernelLayout kernel_layout(const KernelSymbols& symbols);

// Turns a walk's frames into the stack a report shows: each named, with DWARF where there is some.
class KernelFrameNamer {
 public:
  KernelFrameNamer(const KernelMemory& memory, const KernelSymbols& symbols, const KernelLayout& layout,
                   const KernelModules& modules, const KernelDwarf& dwarf)
      : mem_(memory), symbols_(symbols), layout_(layout), modules_(modules), dwarf_(dwarf) {}
  // FRAMES in order, the user context (if any) last.
  void append(std::vector<Frame>& out, const std::vector<OrcFrame>& frames) const;

 private:
  void symbolize(Frame& f) const;
  void add_with_dwarf(std::vector<Frame>& out, Frame f) const;

  const KernelMemory& mem_;
  const KernelSymbols& symbols_;
  const KernelLayout& layout_;
  const KernelModules& modules_;
  const KernelDwarf& dwarf_;
};

}  // namespace corelens
