// arm64's kernel stacks (see cpu_stacks.hpp), walked as arch/arm64/kernel/stacktrace.c does:
// each function's prologue stores a frame record {caller's x29, return address} and points x29 at
// it, so the records form a chain. Exception entry (kernel_entry in entry.S) saves a struct
// pt_regs and, for an exception taken in the kernel, stores {interrupted x29, interrupted pc} in
// its stackframe member and points x29 there: the chain runs through the interrupted context,
// whose pc is exact and whose registers the pt_regs hold. An exception from user space stores
// {0, 0} there instead: the final record, above which the pt_regs hold the user context.
// call_on_irq_stack stores a record on the task stack before switching to the IRQ stack, so the
// chain leaves the IRQ stack for the task's; as in the kernel, a walk may move from the IRQ
// (or overflow) stack to the task stack, never back, and on one stack records only go up.
//
// A frame whose pc is exact (frame 0; an interrupted context) may not have stored its record yet:
// its caller is then in x30. The vmlinux's DWARF CFI says where, else the function's prologue
// (prologue_aarch64.hpp). Return addresses saved with pointer authentication get their
// PAC bits back from VMCOREINFO's KERNELPACMASK.
#include <algorithm>
#include <array>

#include "core/model/kernel/kernel_memory_aarch64.hpp"
#include "core/model/strings.hpp"
#include "unwinder/kernel/cpu_stacks.hpp"
#include "unwinder/kernel/percpu.hpp"
#include "unwinder/kernel/prologue_aarch64.hpp"
#include "unwinder/kernel/vmlinux.hpp"
#include "unwinder/caller_strategy.hpp"

namespace corelens {
namespace {

constexpr unsigned kDwarfFp = 29, kDwarfSp = 31;   // arm64 DWARF register numbers
constexpr std::uint64_t kOverflowStackSize = 4096;  // OVERFLOW_STACK_SIZE
constexpr std::size_t kRegs = 34;                   // pt_regs/user_pt_regs: x0-x30, sp, pc, pstate
constexpr std::size_t kX29 = 29, kX30 = 30, kSp = 31, kPc = 32, kPstate = 33;
constexpr std::uint64_t kModeMask = 0xf;            // PSTATE.M[3:0]: 0 is EL0t (user)

std::string_view reg_name(std::size_t i) {
  static constexpr std::array<std::string_view, kRegs> kNames = {
      "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10", "x11",
      "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
      "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",  "pc",  "pstate"};
  return kNames[i];
}

// struct pt_regs, from BTF: regs[31], sp, pc, pstate at the start (user_pt_regs), stackframe[2].
// 6.1's offsets, used when BTF lacks them: user_pt_regs (34 words), orig_x0, syscallno and
// unused2, sdei_ttbr1, pmr_save, then stackframe[2] at 304; lockdep_hardirqs and exit_rcu end
// the struct at 336 bytes.
inline constexpr std::uint64_t kPtRegsStackframe61 = 304, kPtRegsSize61 = 336;
struct PtRegsLayout {
  std::uint64_t stackframe = kPtRegsStackframe61, size = kPtRegsSize61;
};

class StackSet final : public StackMap {
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

 private:
  std::vector<StackRegion> regions_;
};

// Where a walk stands: a frame's pc and x29, and what else is known there.
struct Point {
  std::uint64_t pc = 0, fp = 0;
  std::optional<std::uint64_t> sp, lr;
  bool exact = false;                             // frame 0 or an interrupted context: pc is not a return address
  std::optional<std::array<std::uint64_t, kRegs>> regs;  // a pt_regs (or the dump's note) at this frame
};

// One walk's state: where it stands, the stacks it has been on, its frames and status.
struct Aarch64Walk {
  const StackSet* stacks = nullptr;  // the stacks this walk may use
  Point p;
  StackRegion region;
  std::vector<StackRegion> visited;
  std::optional<std::uint64_t> last_record;  // records on one stack only go up
  std::vector<OrcFrame> frames;
  UnwindStatus unwind;
  std::size_t max_frames = 0;

  // What walk_strategies asks (caller_strategy.hpp).
  std::size_t size() const { return frames.size(); }
  void stamp(std::size_t from, FrameOrigin origin, FrameTrust trust) { stamp_frames(frames, from, origin, trust); }
  UnwindStatus& status() { return unwind; }
  void nothing_found() { unwind = UnwindStatus::stopped(StopReason::no_caller, "no caller found at " + hex(p.pc)); }
  void spent(BudgetEnd end) { unwind = kernel_budget_status(end, max_frames); }
};

class Aarch64Unwinder final : public KernelUnwinder::ArchWalker {

 public:
  Aarch64Unwinder(const KernelDump& dump, const KernelMemory& m, const KernelSymbols& s, const KernelBtf* btf,
                  Diagnostics& diags, KernelStackLimits l, KernelDwarf d)
      : mem_(m), symbols_(s), btf_(btf), limits_(l), dwarf_(d), per_cpu_(m, s, btf), namer_(m, s, layout_, modules_, dwarf_) {
    layout_ = kernel_layout(symbols_);
    layout_.kernel_offset = dump.vmcoreinfo.kernel_offset();
    entry_ = {symbols_.address_of("__entry_text_start").value_or(0), symbols_.address_of("__entry_text_end").value_or(0)};
    if (auto mask = dump.vmcoreinfo.number("KERNELPACMASK")) pac_mask_ = static_cast<std::uint64_t>(*mask);
    if (btf_ != nullptr && !symbols_.empty() && symbols_.address_of("modules")) {
      modules_ = read_kernel_modules(mem_, symbols_, *btf_, diags);
    }
    thread_size_ = kernel_thread_size(btf_);
    if (btf_ != nullptr) {
      if (auto at = btf_->offset_of("pt_regs", "stackframe")) pt_regs_.stackframe = *at;
      if (auto st = btf_->find_struct("pt_regs"); st && btf_->size_of(*st)) pt_regs_.size = *btf_->size_of(*st);
      auto fp = btf_->offset_of("task_struct", "thread.cpu_context.fp");
      auto sp = btf_->offset_of("task_struct", "thread.cpu_context.sp");
      auto pc = btf_->offset_of("task_struct", "thread.cpu_context.pc");
      if (fp && sp && pc) context_ = std::array{*fp, *sp, *pc};
      stack_member_ = btf_->offset_of("task_struct", "stack");
    }
  }

  StackReport unwind_cpu(const KernelCpu& cpu, std::optional<std::uint64_t> task) const override {
    StackSet stacks;
    if (task && stack_member_) {
      if (auto base = mem_.read_u64(*task + *stack_member_); base && *base != 0) {
        stacks.add(StackRegion{*base, *base + thread_size_, "task"});
      }
    }
    if (auto irq = per_cpu_.read_u64("irq_stack_ptr", 0, cpu.index)) stacks.add(StackRegion{*irq, *irq + thread_size_, "IRQ"});
    if (auto ovf = per_cpu_.address("overflow_stack", cpu.index)) stacks.add(StackRegion{*ovf, *ovf + kOverflowStackSize, "overflow"});
    Point start;
    std::array<std::uint64_t, kRegs> regs{};
    for (std::size_t i = 0; i < kRegs; ++i) regs[i] = cpu.registers.get(reg_name(i)).value_or(0);
    auto pc = cpu.registers.get("pc"), sp = cpu.registers.get("sp");
    if (!pc || !sp) {
      StackReport out;
      out.method = "none";
      out.unwind = UnwindStatus::stopped(StopReason::missing_registers, "the dump saved no pc/sp for this CPU");
      return out;
    }
    start.pc = *pc;
    start.sp = *sp;
    start.fp = regs[kX29];
    start.lr = strip_pac(regs[kX30]);
    start.exact = true;
    start.regs = regs;
    // A CPU stopped in user space: its context is all there is.
    if ((regs[kPstate] & kModeMask) == 0 && (*pc >> 63) == 0) {
      StackReport out;
      OrcFrame f = frame_at(start, kUserStackArea, FrameOrigin::context, FrameTrust::context);
      f.user = true;
      namer_.append(out.frames, {f});
      out.unwind = UnwindStatus::done("the CPU was in user space");
      out.method = "frame pointers";
      return out;
    }
    return walk(start, stacks);
  }

  StackReport unwind_task(std::uint64_t task, const StackRegion& stack) const override {
    StackReport out;
    out.method = "none";
    if (!context_) {
      out.unwind = UnwindStatus::stopped(StopReason::not_unwound, "BTF has no task_struct.thread.cpu_context");
      return out;
    }
    auto fp = mem_.read_u64(task + (*context_)[0]);
    auto sp = mem_.read_u64(task + (*context_)[1]);
    auto pc = mem_.read_u64(task + (*context_)[2]);
    if (!fp || !sp || !pc) {
      out.unwind = UnwindStatus::stopped(StopReason::missing_memory, "the cpu_context cpu_switch_to() saved in the task cannot be read");
      return out;
    }
    // cpu_switch_to() saved the return address into __switch_to (or ret_from_fork for a task
    // that never ran) and __switch_to's frame pointer.
    Point start;
    start.pc = strip_pac(*pc);
    start.fp = *fp;
    start.sp = *sp;
    StackSet stacks;
    stacks.add(stack);
    return walk(start, stacks);
  }

 private:
  std::uint64_t strip_pac(std::uint64_t v) const {
    if (pac_mask_ == 0) return v;
    return (v >> 55) & 1 ? v | pac_mask_ : v & ~pac_mask_;
  }

  OrcFrame frame_at(const Point& p, std::string stack, FrameOrigin origin, FrameTrust trust) const {
    OrcFrame f;
    f.pc = p.pc;
    f.sp = p.sp.value_or(0);
    f.exact_pc = p.exact;
    f.stack = std::move(stack);
    f.origin = origin;
    f.trust = trust;
    if (p.regs) {
      for (std::size_t i = 0; i < kRegs; ++i) f.registers.push_back(Register{reg_name(i), (*p.regs)[i]});
    } else {
      f.registers = {Register{"pc", p.pc}, Register{"x29", p.fp}};
      if (p.sp) f.registers.push_back(Register{"sp", *p.sp});
    }
    return f;
  }

  // The caller of an exact frame by the vmlinux's CFI, or nullopt.
  std::optional<Point> caller_by_cfi(const Point& p) const {
    if (!p.exact || !p.sp) return std::nullopt;
    if (dwarf_.vmlinux == nullptr || !layout_.is_text(p.pc) || p.pc < dwarf_.kernel_offset) return std::nullopt;
    auto row = dwarf_.vmlinux->cfi_row(p.pc - dwarf_.kernel_offset, kDwarfFp);
    if (!row) return std::nullopt;
    std::optional<std::uint64_t> base = row->cfa_reg == kDwarfSp ? p.sp
                                        : row->cfa_reg == kDwarfFp ? std::optional(p.fp)
                                                                   : std::nullopt;
    if (!base) return std::nullopt;
    std::uint64_t cfa = *base + static_cast<std::uint64_t>(row->cfa_offset);
    auto value = [&](const Vmlinux::CfiRow::Saved& s, std::optional<std::uint64_t> reg) -> std::optional<std::uint64_t> {
      if (s.in_register) return reg;
      auto v = mem_.read_u64(cfa + static_cast<std::uint64_t>(s.cfa_offset));
      return v ? std::optional(*v) : std::nullopt;
    };
    auto ra = value(row->ra, p.lr);
    auto fp = value(row->fp, p.fp);
    if (!ra || !fp) return std::nullopt;
    Point c;
    c.pc = strip_pac(*ra);
    c.fp = *fp;
    c.sp = cfa;
    return c;
  }

  // The caller of an exact frame whose prologue has not stored its record yet (or whose epilogue
  // reloaded it): x30, by the function's code; nullopt when the record holds it.
  std::optional<Point> caller_by_prologue(const Point& p) const {
    if (!p.exact || !p.sp) return std::nullopt;
    auto sym = symbols_.lookup(p.pc);
    if (!sym || !p.lr || sym->offset > (1u << 16)) return std::nullopt;
    std::uint64_t start = p.pc - sym->offset;
    std::array<std::uint8_t, kAarch64PrologueBytes> code{};
    std::array<std::uint32_t, 2> around{};  // the instructions at pc - 4 and pc
    if (!mem_.read(start, std::as_writable_bytes(std::span(code)))) return std::nullopt;
    if (sym->offset >= 4 && !mem_.read(p.pc - 4, std::as_writable_bytes(std::span(around)))) return std::nullopt;
    Aarch64FrameAt at = aarch64_frame_at(code, start, p.pc, around[0], around[1]);
    if (at.record) return std::nullopt;
    Point c;
    c.pc = *p.lr;
    c.fp = p.fp;
    c.sp = *p.sp + at.sp_adjust;
    return c;
  }

  StackRegion region_of(const StackSet& stacks, std::uint64_t a) const {
    return stacks.region_of(a).value_or(unknown_stack_around(a));
  }

  // The caller C of an exact frame, found without its record: the walk stands there.
  StepResult took(Aarch64Walk& w, const StackSet& stacks, std::optional<Point> c) const {
    if (!c) return StepResult::pass;
    w.p = *c;
    w.frames.push_back(frame_at(w.p, region_of(stacks, w.p.sp.value_or(w.p.fp)).kind, FrameOrigin::context, FrameTrust::context));
    return StepResult::caller;
  }

  // The record at x29: {caller's x29, return address}.
  StepResult caller_by_record(Aarch64Walk& w, const StackSet& stacks) const {
    Point& p = w.p;
    auto stop = [&](StopReason reason, std::string why) {
      w.unwind = UnwindStatus::stopped(reason, std::move(why));
      return StepResult::end;
    };
    if (p.fp == 0) return stop(StopReason::no_caller, "x29 is 0 at " + hex(p.pc) + ": no frame record");
    if (p.fp % 8 != 0) return stop(StopReason::rule, "x29 " + hex(p.fp) + " is misaligned at " + hex(p.pc));
    StackRegion next = region_of(stacks, p.fp);
    if (next.low == w.region.low && next.high == w.region.high) {
      if (w.last_record && p.fp <= *w.last_record) {
        return stop(StopReason::rule, "the frame record at " + hex(p.fp) + " is not above the last one (" + hex(*w.last_record) + ")");
      }
    } else {
      bool seen = std::any_of(w.visited.begin(), w.visited.end(), [&](const StackRegion& v) { return v.low == next.low; });
      if (seen || w.region.kind == "task") {
        return stop(StopReason::rule, "the frame record at " + hex(p.fp) + " goes back from the " + w.region.kind +
                                          " stack to the " + next.kind + " stack");
      }
      w.region = next;
      w.visited.push_back(next);
    }
    w.last_record = p.fp;
    auto rec_fp = mem_.read_u64(p.fp);
    auto rec_pc = mem_.read_u64(p.fp + 8);
    if (!rec_fp || !rec_pc) return stop(StopReason::missing_memory, "the frame record at " + hex(p.fp) + " cannot be read");
    const std::uint64_t regs_at = p.fp - pt_regs_.stackframe;
    if (*rec_fp == 0 && *rec_pc == 0) {
      // The final record, in the pt_regs an entry from user space saved: the user context above.
      auto user = read_pt_regs(regs_at, w.region);
      if (user && ((*user)[kPstate] & kModeMask) == 0 && (*user)[kPc] != 0 && ((*user)[kPc] >> 63) == 0) {
        Point u;
        u.pc = (*user)[kPc];
        u.fp = (*user)[kX29];
        u.sp = (*user)[kSp];
        u.exact = true;
        u.regs = user;
        OrcFrame f = frame_at(u, kUserStackArea, FrameOrigin::context, FrameTrust::context);
        f.user = true;
        w.frames.push_back(std::move(f));
        w.unwind = UnwindStatus::done("reached user space");
        return StepResult::last_caller;
      }
      w.unwind = UnwindStatus::done("the final frame record");
      return StepResult::end;
    }
    // An exception entry's record is the stackframe of the pt_regs it saved: the next frame is
    // the interrupted context, its pc exact and its registers known.
    if (entry_.contains(p.pc)) {
      auto r = read_pt_regs(regs_at, w.region);
      if (r && (*r)[kPc] == strip_pac(*rec_pc) && (*r)[kX29] == *rec_fp) {
        Point i;
        i.pc = (*r)[kPc];
        i.fp = (*r)[kX29];
        i.sp = (*r)[kSp];
        i.lr = strip_pac((*r)[kX30]);
        i.exact = true;
        i.regs = r;
        p = i;
        w.frames.push_back(frame_at(p, w.region.kind, FrameOrigin::context, FrameTrust::context));
        return StepResult::caller;
      }
    }
    Point c;
    c.pc = strip_pac(*rec_pc);
    c.fp = *rec_fp;
    p = c;
    w.frames.push_back(frame_at(p, w.region.kind, FrameOrigin::context, FrameTrust::context));
    return StepResult::caller;
  }

  StackReport walk(Point p, const StackSet& stacks) const {
    StackReport out;
    out.method = "frame pointers";
    Aarch64Walk w;
    w.p = p;
    w.region = region_of(stacks, p.sp.value_or(p.fp));
    w.visited = {w.region};
    w.max_frames = limits_.max_frames;
    w.frames.push_back(frame_at(p, w.region.kind, FrameOrigin::context, FrameTrust::context));
    w.stacks = &stacks;
    // The strategies, in order: for a frame whose pc is exact (frame 0, an interrupted context),
    // whose record may not be stored yet, the vmlinux's DWARF CFI, then the function's prologue;
    // then the frame record at x29. A prologue or frame-record step is trusted as the user walk's
    // frame pointer and prologue steps are: checked, but no unwind table describes it.
    auto cfi = step_caller<Aarch64Walk>(FrameOrigin::vmlinux_cfi, FrameTrust::cfi,
                                        [this](Aarch64Walk& a) { return took(a, *a.stacks, caller_by_cfi(a.p)); });
    auto prologue = step_caller<Aarch64Walk>(FrameOrigin::prologue, FrameTrust::frame_pointer,
                                             [this](Aarch64Walk& a) { return took(a, *a.stacks, caller_by_prologue(a.p)); });
    auto record = step_caller<Aarch64Walk>(FrameOrigin::frame_pointer, FrameTrust::frame_pointer,
                                           [this](Aarch64Walk& a) { return caller_by_record(a, *a.stacks); });
    CallerStrategy<Aarch64Walk>* const strategies[] = {&cfi, &prologue, &record};
    walk_strategies<Aarch64Walk>(WalkBudget{limits_.max_frames, limits_.keep_going}, w, strategies);
    out.unwind = std::move(w.unwind);
    if (std::any_of(w.frames.begin(), w.frames.end(), [](const OrcFrame& f) { return f.origin == FrameOrigin::vmlinux_cfi; })) {
      out.method = "frame pointers (DWARF CFI for exact pcs)";
    }
    namer_.append(out.frames, w.frames);
    return out;
  }

  std::optional<std::array<std::uint64_t, kRegs>> read_pt_regs(std::uint64_t at, const StackRegion& region) const {
    if (!region.contains(at, pt_regs_.size)) return std::nullopt;
    std::array<std::uint64_t, kRegs> r{};
    if (!mem_.read(at, std::as_writable_bytes(std::span(r)))) return std::nullopt;
    return r;
  }

  const KernelMemory& mem_;
  const KernelSymbols& symbols_;
  const KernelBtf* btf_;
  KernelStackLimits limits_;
  KernelDwarf dwarf_;
  KernelPerCpu per_cpu_;
  KernelLayout layout_;
  KernelModules modules_;
  KernelFrameNamer namer_;
  TextRange entry_;
  std::uint64_t pac_mask_ = 0;
  std::uint64_t thread_size_ = kKernelStackSize;
  PtRegsLayout pt_regs_;
  std::optional<std::array<std::uint64_t, 3>> context_;  // task_struct.thread.cpu_context: fp, sp, pc
  std::optional<std::uint64_t> stack_member_;            // task_struct.stack
};

}  // namespace

std::unique_ptr<KernelUnwinder::ArchWalker> make_aarch64_unwinder(const KernelDump& dump, const KernelMemory& memory,
                                                            const KernelSymbols& symbols, const KernelBtf* btf,
                                                            Diagnostics& diags, const KernelStackLimits& limits,
                                                            const KernelDwarf& dwarf) {
  return std::make_unique<Aarch64Unwinder>(dump, memory, symbols, btf, diags, limits, dwarf);
}

}  // namespace corelens
