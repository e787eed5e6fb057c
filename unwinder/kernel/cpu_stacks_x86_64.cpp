// x86_64's kernel stacks: the ORC walk over the stacks a CPU owns (see cpu_stacks.hpp).
#include "unwinder/kernel/cpu_stacks.hpp"

#include <algorithm>
#include <map>

#include "core/model/strings.hpp"
#include "unwinder/call_site_check.hpp"
#include "unwinder/kernel/module_dwarf.hpp"
#include "unwinder/kernel/modules.hpp"
#include "unwinder/kernel/orc.hpp"
#include "unwinder/kernel/prologue.hpp"
#include "unwinder/kernel/vmlinux.hpp"
#include "unwinder/target.hpp"
#include "unwinder/caller_strategy.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kMaxOrcEntries = 8u << 20;  // vmlinux has ~400,000; 8M is 48 MiB of entries
constexpr std::uint64_t kLookupBlock = 256;         // LOOKUP_BLOCK_SIZE of orc_lookup.h
constexpr std::uint64_t kIrqStackSize = 16384;      // IRQ_STACK_SIZE without KASAN

std::optional<OrcTable> load_vmlinux_orc(const KernelMemory& mem, const KernelSymbols& symbols,
                                         const std::string& release, const KernelLayout& layout, Diagnostics& diags) {
  auto ip_start = symbols.address_of("__start_orc_unwind_ip");
  auto ip_stop = symbols.address_of("__stop_orc_unwind_ip");
  auto orc_start = symbols.address_of("__start_orc_unwind");
  if (!ip_start || !ip_stop || !orc_start) {
    diags.info("orc-missing", "the dump's kallsyms names no ORC tables (__start_orc_unwind_ip ...): a kernel without "
                              "UNWINDER_ORC or kallsyms without KALLSYMS_ALL; kernel stacks are only scanned");
    return std::nullopt;
  }
  if (*ip_stop < *ip_start || (*ip_stop - *ip_start) % 4 != 0 || *ip_stop == *ip_start) {
    diags.warn("orc-bad-table", "the ORC ip table " + hex(*ip_start) + ".." + hex(*ip_stop) +
                                    " is empty or not a whole number of entries; kernel stacks are only scanned");
    return std::nullopt;
  }
  OrcTableRef ref{*ip_start, *orc_start, (*ip_stop - *ip_start) / 4};
  if (ref.count > kMaxOrcEntries) {
    diags.warn("orc-bad-table", "the ORC ip table claims " + std::to_string(ref.count) + " entries (at most " +
                                    std::to_string(kMaxOrcEntries) + " believed); kernel stacks are only scanned");
    return std::nullopt;
  }
  if (auto orc_stop = symbols.address_of("__stop_orc_unwind");
      orc_stop && (*orc_stop < *orc_start || *orc_stop - *orc_start != ref.count * kOrcEntrySize)) {
    diags.warn("orc-bad-table", "the ORC tables disagree: " + std::to_string(ref.count) + " ips but " +
                                    hex(*orc_stop - *orc_start) + " bytes of entries; kernel stacks are only scanned");
    return std::nullopt;
  }
  // Layout by release, then checked on a sample: a kernel whose orc_entry changed shape (6.4) or a
  // damaged table must not drive the walk.
  std::uint64_t low = layout.text.low ? layout.text.low : kStartKernelMap;
  std::uint64_t high = std::max(layout.text.high, layout.init_text.high);
  if (high == 0) high = kStartKernelMap + kKernelImageSize - 1;
  OrcFlavor flavor = orc_flavor_for_release(release);
  OrcTableCheck check = check_orc_table(mem, ref, flavor, low, high);
  if (!check.sane) {
    OrcFlavor other = flavor;
    other.layout = flavor.layout == OrcLayout::typed ? OrcLayout::end_bit : OrcLayout::typed;
    OrcTableCheck second = check_orc_table(mem, ref, other, low, high);
    if (!second.sane) {
      diags.warn("orc-bad-table", "the ORC table at " + hex(ref.ip_table) + " does not decode sanely in either known "
                                  "layout (" + check.describe() + "); kernel stacks are only scanned");
      return std::nullopt;
    }
    diags.info("orc-layout", "the ORC entries decode in the " + std::string(to_string(other.layout)) +
                                 " layout, not the one release " + release + " suggests (" + second.describe() + ")");
    flavor = other;
  }
  // orc_lookup speeds up the search; it is only used when its size is the one the linker gives it.
  std::optional<OrcLookupRef> lookup;
  auto table = symbols.address_of("orc_lookup");
  auto num = symbols.address_of("lookup_num_blocks");
  if (table && num && layout.text.high > layout.text.low) {
    auto blocks = mem.read_u32(*num);
    std::uint64_t want = (layout.text.high - layout.text.low + kLookupBlock - 1) / kLookupBlock + 1;
    if (blocks && *blocks == want) lookup = OrcLookupRef{*table, *blocks, layout.text.low, layout.text.high};
  }
  return OrcTable(ref, flavor, lookup);
}

// The tables of the kernel's ORC walk: the kernel's ORC table or a module's, and the vmlinux's
// DWARF CFI for kernel text (where ORC does not describe it or its step fails, or first of all
// when the caller asked for CFI first).
class KernelOrcFinder final : public OrcFinder {
 public:
  KernelOrcFinder(const MemorySource& mem, const OrcTable* vmlinux, const KernelLayout& layout,
                  const KernelModules& modules, const KernelDwarf& dwarf, Diagnostics& diags)
      : mem_(mem), vmlinux_(vmlinux), layout_(layout), modules_(modules), dwarf_(dwarf), diags_(diags) {}
  std::optional<OrcEntry> find(std::uint64_t ip) const override {
    if (layout_.is_text(ip)) return vmlinux_ != nullptr ? vmlinux_->find(mem_, ip) : std::nullopt;
    const KernelModule* m = modules_.containing(ip);
    if (vmlinux_ == nullptr || m == nullptr || m->orc.count == 0 || !module_table_sane(*m)) return std::nullopt;
    return OrcTable(m->orc, vmlinux_->flavor()).find(mem_, ip);
  }
  OrcFlavor flavor() const override { return vmlinux_ != nullptr ? vmlinux_->flavor() : OrcFlavor{}; }
  std::optional<OrcEntry> cfi(std::uint64_t ip) const override {
    if (dwarf_.vmlinux == nullptr || !layout_.is_text(ip)) return std::nullopt;
    return dwarf_.vmlinux->cfi_entry(ip - dwarf_.kernel_offset);
  }
  bool cfi_first() const override { return dwarf_.cfi_first; }

 private:
  // A module's table is checked the first time a walk needs it, as vmlinux's was at load.
  // The table also covers the module's init code, freed (and its extent forgotten) once it ran:
  // its addresses must lie in the module area, not all in the text. In a small module the init
  // entries are a good part of the table.
  bool module_table_sane(const KernelModule& m) const {
    auto [it, fresh] = checked_.emplace(m.address, false);
    if (fresh) {
      OrcTableCheck c = check_orc_table(mem_, m.orc, vmlinux_->flavor(), kModulesStart, kModulesEnd);
      it->second = c.sane;
      if (!c.sane) diags_.warn("orc-bad-module-table", "module " + m.name + "'s ORC table is not used: " + c.describe());
    }
    return it->second;
  }

  const MemorySource& mem_;
  const OrcTable* vmlinux_;
  const KernelLayout& layout_;
  const KernelModules& modules_;
  const KernelDwarf& dwarf_;
  Diagnostics& diags_;
  mutable std::map<std::uint64_t, bool> checked_;
};

// The stacks one CPU owns, from per-cpu variables (6.1 names; absent ones are simply unknown).
class CpuStackMap final : public StackMap {
 public:
  std::optional<StackRegion> region_of(std::uint64_t addr) const override {
    for (const auto& r : regions_) {
      if (r.contains(addr)) return r;
    }
    return std::nullopt;
  }
  void add(StackRegion r) {
    if (r.high > r.low) regions_.push_back(std::move(r));
  }
  bool empty() const { return regions_.empty(); }

 private:
  std::vector<StackRegion> regions_;
};

// Where each CPU's stack pointers live: per-cpu variables, resolved once for all CPUs (a
// kallsyms lookup by name is a linear search; a machine may have thousands of CPUs).
struct PerCpuLayout {
  std::optional<std::uint64_t> offsets;  // __per_cpu_offset[]
  // Offsets of the variables in each CPU's per-cpu area. Up to 6.1, cpu_current_top_of_stack
  // (__switch_to() keeps the running task's stack top there; the TSS's sp1 up to 5.10),
  // hardirq_stack_ptr and current_task; since 6.2 they are in pcpu_hot.
  std::optional<std::uint64_t> top, irq, cea, current;
  struct Ist {
    const char* kind;
    std::uint64_t offset, size;
  };
  std::vector<Ist> ist;  // the NAME_stack members of struct cea_exception_stacks
};

PerCpuLayout per_cpu_layout(const KernelSymbols& symbols, const KernelBtf* btf) {
  PerCpuLayout l;
  l.offsets = symbols.address_of("__per_cpu_offset");
  l.top = symbols.address_of("cpu_current_top_of_stack");
  l.current = symbols.address_of("current_task");
  l.irq = symbols.address_of("hardirq_stack_ptr");
  if (auto hot = symbols.address_of("pcpu_hot"); hot && btf != nullptr) {
    if (auto at = btf->offset_of("pcpu_hot", "top_of_stack")) l.top = *hot + *at;
    if (auto at = btf->offset_of("pcpu_hot", "hardirq_stack_ptr")) l.irq = *hot + *at;
    if (auto at = btf->offset_of("pcpu_hot", "current_task")) l.current = *hot + *at;
  }
  // Up to 5.10 x86_64 kept the running task's stack top in the TSS: cpu_current_top_of_stack was
  // #defined as cpu_tss_rw.x86_tss.sp1.
  if (auto tss = symbols.address_of("cpu_tss_rw"); !l.top && tss && btf != nullptr) {
    if (auto at = btf->offset_of("tss_struct", "x86_tss.sp1")) l.top = *tss + *at;
  }
  l.cea = symbols.address_of("cea_exception_stacks");
  if (auto s = btf != nullptr ? btf->find_struct("cea_exception_stacks") : std::nullopt) {
    for (const char* kind : {"NMI", "DF", "DB", "MCE", "VC", "VC2"}) {
      auto m = btf->member(*s, std::string(kind) + "_stack");
      auto size = m ? btf->size_of(m->type) : std::nullopt;
      if (m && size && *size > 0 && *size <= (1u << 20)) l.ist.push_back({kind, m->offset, *size});
    }
  }
  return l;
}

CpuStackMap cpu_stacks(const KernelMemory& mem, const PerCpuLayout& l, std::uint32_t cpu) {
  CpuStackMap map;
  if (!l.offsets) return map;
  auto base = mem.read_u64(*l.offsets + 8ull * cpu);
  if (!base) return map;
  auto per_cpu = [&](std::optional<std::uint64_t> at) -> std::optional<std::uint64_t> {
    if (!at) return std::nullopt;
    auto v = mem.read_u64(*base + *at);
    if (!v || *v == 0) return std::nullopt;
    return *v;
  };
  auto top = per_cpu(l.top);
  if (top && *top > kKernelStackSize) map.add(StackRegion{*top - kKernelStackSize, *top, "task"});
  // hardirq_stack_ptr points at the IRQ stack's top word, which holds the interrupted sp.
  auto irq = per_cpu(l.irq);
  if (irq && *irq > kIrqStackSize) map.add(StackRegion{*irq + 8 - kIrqStackSize, *irq + 8, "IRQ"});
  // The IST stacks of the CPU entry area, between guard pages.
  if (auto cea = per_cpu(l.cea)) {
    for (const auto& ist : l.ist) map.add(StackRegion{*cea + ist.offset, *cea + ist.offset + ist.size, ist.kind});
  }
  return map;
}

// For the call-site check of scanned words: code is readable kernel memory in the kernel's text.
class KernelCodeTarget final : public Target {
 public:
  KernelCodeTarget(const KernelMemory& mem, const KernelLayout& layout, const KernelModules& modules)
      : mem_(mem), layout_(layout), kmodules_(modules) {}
  Arch arch() const override { return Arch::x86_64; }
  Result<void> read_memory(std::uint64_t addr, std::span<std::byte> out) const override { return mem_.read(addr, out); }
  std::size_t thread_count() const override { return 0; }
  std::int32_t thread_id(std::size_t) const override { return 0; }
  const RegisterSet& initial_registers(std::size_t) const override { return none_; }
  const std::vector<Module>& modules() const override { return modules_; }
  bool is_executable(std::uint64_t addr) const override {
    return layout_.is_text(addr) || kmodules_.containing(addr) != nullptr;
  }

 private:
  const KernelMemory& mem_;
  const KernelLayout& layout_;
  const KernelModules& kmodules_;
  RegisterSet none_;
  std::vector<Module> modules_;
};

std::uint64_t le64(const std::byte* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
  return v;
}

// The words of [FROM, REGION.high) that look like return addresses: kernel text just after a
// call. What the oops prints with "?": possibly stale, never trusted for the story.
class ScannedStack {
 public:
  ScannedStack(const KernelMemory& mem, const KernelCodeTarget& code, const CallSiteCheck& calls, std::uint64_t from,
               const StackRegion& region)
      : mem_(mem), code_(code), calls_(calls), region_(region), end_(region.high & ~7ull), at_(from & ~7ull) {}

  // The next word above the last found that is a return address, as a frame.
  bool add_next() {
    while (at_ < end_) {
      if (chunk_.empty() || at_ >= chunk_at_ + chunk_.size()) {
        // A page at a time: a page the dump left out (makedumpfile drops free ones) is skipped whole.
        std::uint64_t chunk_end = std::min<std::uint64_t>(end_, (at_ & ~(kPageSize - 1)) + kPageSize);
        chunk_ = std::span<std::byte>(buf_.data(), chunk_end - at_);
        chunk_at_ = at_;
        if (!mem_.read(at_, chunk_)) {
          chunk_ = {};
          at_ = chunk_end;
          continue;
        }
      }
      std::uint64_t word = le64(chunk_.data() + (at_ - chunk_at_));
      at_ += 8;
      if (!code_.is_executable(word) || !calls_.is_return_address(code_, word)) continue;
      OrcFrame f;
      f.pc = word;
      f.sp = at_;
      f.stack = region_.kind;
      frames.push_back(std::move(f));
      return true;
    }
    return false;
  }

  // What walk_strategies asks (caller_strategy.hpp). The scan's own cap (the walk before it had
  // its own), or the end of the stack, ends it quietly: the walk's status is the ORC walk's.
  std::size_t size() const { return frames.size(); }
  void stamp(std::size_t from, FrameOrigin origin, FrameTrust trust) { stamp_frames(frames, from, origin, trust); }
  UnwindStatus& status() { return status_; }
  void nothing_found() {}
  void spent(BudgetEnd) {}

  std::vector<OrcFrame> frames;

 private:
  static constexpr std::uint64_t kPageSize = 4096;
  const KernelMemory& mem_;
  const KernelCodeTarget& code_;
  const CallSiteCheck& calls_;
  const StackRegion& region_;
  std::uint64_t end_;
  std::uint64_t at_;  // the next word to look at
  std::vector<std::byte> buf_ = std::vector<std::byte>(kPageSize);
  std::span<std::byte> chunk_;  // the words read, from CHUNK_AT
  std::uint64_t chunk_at_ = 0;
  UnwindStatus status_;
};

// The scan as a walk's strategy: every caller it finds is a word that may be stale.
class ScanCaller final : public CallerStrategy<ScannedStack> {
 public:
  FrameOrigin origin() const override { return FrameOrigin::scan; }
  FrameTrust trust() const override { return FrameTrust::scan; }
  StepResult caller_of_last(ScannedStack& stack) override { return stack.add_next() ? StepResult::caller : StepResult::end; }
};

std::vector<OrcFrame> scan_stack(const KernelMemory& mem, const KernelCodeTarget& code, const CallSiteCheck& calls,
                                 std::uint64_t from, const StackRegion& region, std::size_t max_frames,
                                 const std::function<bool()>& keep_going) {
  if (!region.contains(from)) return {};
  ScannedStack stack(mem, code, calls, from, region);
  ScanCaller scan;
  CallerStrategy<ScannedStack>* const strategies[] = {&scan};
  walk_strategies<ScannedStack>(WalkBudget{max_frames, keep_going}, stack, strategies);
  return std::move(stack.frames);
}

class NoOrc final : public OrcFinder {
 public:
  std::optional<OrcEntry> find(std::uint64_t) const override { return std::nullopt; }
  OrcFlavor flavor() const override { return {}; }
};

class OneStack final : public StackMap {
 public:
  explicit OneStack(StackRegion r) : r_(std::move(r)) {}
  std::optional<StackRegion> region_of(std::uint64_t addr) const override {
    return r_.contains(addr) ? std::optional(r_) : std::nullopt;
  }

 private:
  StackRegion r_;
};


// Where __switch_to_asm() left a switched-out task: task->thread.sp points at its struct
// inactive_task_frame (callee-saved registers, rbp, the return address into __schedule).
struct SwitchFrame {
  std::uint64_t thread_sp = 0, frame_bp = 0, frame_ret = 0, frame_size = 0;
};
std::optional<SwitchFrame> switch_frame_layout(const KernelBtf* btf) {
  if (btf == nullptr) return std::nullopt;
  auto sp = btf->offset_of("task_struct", "thread.sp");
  auto frame = btf->find_struct("inactive_task_frame");
  if (!sp || !frame) return std::nullopt;
  auto bp = btf->member(*frame, "bp"), ret = btf->member(*frame, "ret_addr");
  auto size = btf->size_of(*frame);
  if (!bp || !ret || !size) return std::nullopt;
  return SwitchFrame{*sp, bp->offset, ret->offset, *size};
}

class X86_64Unwinder final : public KernelUnwinder::ArchWalker {
 public:
  X86_64Unwinder(const KernelDump& dump, const KernelMemory& m, const KernelSymbols& s, const KernelBtf* btf,
                 Diagnostics& diags, KernelStackLimits l, KernelDwarf d)
      : mem(m), symbols(s), limits(l), dwarf(d), namer(m, s, layout, modules, dwarf) {
    layout = kernel_layout(symbols);
    layout.kernel_offset = dump.vmcoreinfo.kernel_offset();
    std::string release = dump.vmcoreinfo.osrelease().empty() ? dump.header_release : dump.vmcoreinfo.osrelease();
    if (!symbols.empty()) vmlinux = load_vmlinux_orc(mem, symbols, release, layout, diags);
    if (btf != nullptr && !symbols.empty()) modules = read_kernel_modules(mem, symbols, *btf, diags);
    if (dwarf.vmlinux != nullptr && !dwarf.vmlinux->has_cfi()) dwarf.cfi_first = false;
    if (vmlinux || (dwarf.vmlinux != nullptr && dwarf.vmlinux->has_cfi())) {
      finder.emplace(mem, vmlinux ? &*vmlinux : nullptr, layout, modules, dwarf, diags);
    }
    code.emplace(mem, layout, modules);
    prologue.emplace(mem, symbols);
    per_cpu = per_cpu_layout(symbols, btf);
    switch_frame = switch_frame_layout(btf);
    ret_from_fork = symbols.address_of("ret_from_fork");
  }

  StackReport unwind_cpu(const KernelCpu& cpu, std::optional<std::uint64_t>) const override {
    CpuStackMap stacks = cpu_stacks(mem, per_cpu, cpu.index);
    if (!finder) {
      // No usable ORC table: frame 0 from the registers, then the scan.
      OrcWalk walk = orc_walk(mem, no_orc, stacks, cpu.registers, OrcWalkLimits{1, 1, {}});
      if (!walk.status.complete()) walk.status = UnwindStatus::stopped(StopReason::no_caller, "no usable ORC table");
      return finish(std::move(walk), "none");
    }
    OrcWalk walk = orc_walk(mem, *finder, stacks, cpu.registers, OrcWalkLimits{limits.max_frames, 6, limits.keep_going}, &*prologue);
    std::string method = method_of(walk);
    return finish(std::move(walk), std::move(method));
  }

  StackReport unwind_task(std::uint64_t task, const StackRegion& stack) const override {
    StackReport s;
    s.method = "none";
    if (!switch_frame) {
      s.unwind = UnwindStatus::stopped(StopReason::not_unwound, "BTF has no task_struct.thread.sp or struct inactive_task_frame");
      return s;
    }
    auto sp = mem.read_u64(task + switch_frame->thread_sp);
    if (!sp) {
      s.unwind = UnwindStatus::stopped(StopReason::missing_memory, "task->thread.sp cannot be read");
      return s;
    }
    if (!stack.contains(*sp, switch_frame->frame_size)) {
      s.unwind = UnwindStatus::stopped(StopReason::rule, "its saved sp " + hex(*sp) + " is not on its stack " + hex(stack.low));
      return s;
    }
    auto bp = mem.read_u64(*sp + switch_frame->frame_bp);
    auto ret = mem.read_u64(*sp + switch_frame->frame_ret);
    if (!bp || !ret) {
      s.unwind = UnwindStatus::stopped(StopReason::missing_memory, "the frame __switch_to_asm() saved at " + hex(*sp) + " cannot be read");
      return s;
    }
    OrcStartFrame start{*ret, *sp + switch_frame->frame_size, *bp, ret_from_fork && *ret == *ret_from_fork};
    OneStack stacks(stack);
    if (!finder) {
      OrcWalk walk = orc_walk(mem, no_orc, stacks, start, OrcWalkLimits{1, 1, {}});
      if (!walk.status.complete()) walk.status = UnwindStatus::stopped(StopReason::no_caller, "no usable ORC table");
      return finish(std::move(walk), "none");
    }
    OrcWalk walk = orc_walk(mem, *finder, stacks, start, OrcWalkLimits{limits.max_frames, 1, limits.keep_going});
    std::string method = method_of(walk);
    return finish(std::move(walk), std::move(method));
  }

 private:
  // How a walk's frames were found, in words.
  std::string method_of(const OrcWalk& walk) const {
    if (dwarf.cfi_first) return walk.used_dwarf_cfi ? "DWARF CFI (ORC where it has none)" : "ORC (no DWARF CFI for these frames)";
    if (walk.frame0_without_orc) return "ORC (frame 0 by its prologue: no ORC there)";
    if (walk.used_dwarf_cfi) return vmlinux ? "ORC (DWARF CFI where ORC has none)" : "DWARF CFI (no usable ORC table)";
    return "ORC";
  }

  // The scan where the walk failed, then each frame named.
  StackReport finish(OrcWalk walk, std::string method) const {
    StackReport out;
    out.method = std::move(method);
    out.unwind = walk.status;
    std::vector<OrcFrame> frames = std::move(walk.frames);
    if (!walk.status.complete() && !frames.empty() && walk.stop_sp != 0) {
      auto scanned = scan_stack(mem, *code, calls, walk.stop_sp, walk.stop_region, limits.max_scan_frames, limits.keep_going);
      if (!scanned.empty()) out.method = finder ? out.method + ", then a stack scan" : "stack scan";
      for (auto& f : scanned) frames.push_back(std::move(f));
    }
    namer.append(out.frames, frames);
    return out;
  }

  const KernelMemory& mem;
  const KernelSymbols& symbols;
  KernelStackLimits limits;
  KernelLayout layout;
  std::optional<OrcTable> vmlinux;
  KernelModules modules;
  KernelDwarf dwarf;
  std::optional<KernelOrcFinder> finder;
  std::optional<KernelCodeTarget> code;
  CallSiteCheck calls{Arch::x86_64};
  std::optional<KernelPrologueFallback> prologue;
  PerCpuLayout per_cpu;
  NoOrc no_orc;
  std::optional<SwitchFrame> switch_frame;
  std::optional<std::uint64_t> ret_from_fork;
  KernelFrameNamer namer;
};

}  // namespace

std::unique_ptr<KernelUnwinder::ArchWalker> make_x86_64_unwinder(const KernelDump& dump, const KernelMemory& memory,
                                                           const KernelSymbols& symbols, const KernelBtf* btf,
                                                           Diagnostics& diags, const KernelStackLimits& limits,
                                                           const KernelDwarf& dwarf) {
  return std::make_unique<X86_64Unwinder>(dump, memory, symbols, btf, diags, limits, dwarf);
}

}  // namespace corelens
