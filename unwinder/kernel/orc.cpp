#include "unwinder/kernel/orc.hpp"

#include <algorithm>
#include <cstring>

#include "core/model/strings.hpp"
#include "unwinder/kernel/stack_rule.hpp"
#include "unwinder/caller_strategy.hpp"

namespace corelens {
namespace {

// Indices into pt_regs (and into NT_PRSTATUS's user_regs_struct, which starts the same way).
constexpr std::size_t kR13 = 2, kBp = 4, kR10 = 7, kDx = 12, kDi = 14, kIp = 16, kCs = 17, kSp = 19;

constexpr std::array<std::string_view, kPtRegsCount> kPtRegsNames = {
    "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax",
    "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss"};

using PtRegs = std::array<std::uint64_t, kPtRegsCount>;

std::uint64_t le64(const std::byte* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
  return v;
}

std::optional<std::uint32_t> read_u32(const MemorySource& m, std::uint64_t addr) {
  std::byte b[4];
  if (!m.read(addr, b)) return std::nullopt;
  return std::to_integer<std::uint32_t>(b[0]) | std::to_integer<std::uint32_t>(b[1]) << 8 |
         std::to_integer<std::uint32_t>(b[2]) << 16 | std::to_integer<std::uint32_t>(b[3]) << 24;
}

// The kernel's fallback for a call through a NULL pointer: the return address is at the top.
constexpr OrcEntry kNullEntry{8, 0, orc_reg::sp, orc_reg::undefined, OrcType::call, false};

bool user_mode(const PtRegs& r) { return (r[kCs] & 3) == 3; }

std::vector<Register> registers_of(const PtRegs& r, bool full) {
  std::vector<Register> out;
  for (std::size_t i = 0; i < kPtRegsCount; ++i) {
    if (full || i >= kIp) out.push_back(Register{kPtRegsNames[i], r[i]});
  }
  return out;
}

// One walk: unwind_next_frame()'s state and rules (Linux 6.1), with our own bounds on top. The
// walk's strategies (caller_strategy.hpp) are the tables ORC and the vmlinux's DWARF CFI, each
// through the same step (step_with: an entry says where the caller is), and frame 0's prologue.
class Walker {
 public:
  Walker(const MemorySource& m, const OrcFinder& orc, const StackMap& stacks, const OrcWalkLimits& limits,
         const NoOrcFallback* fallback)
      : mem_(m), orc_(orc), stacks_(stacks), limits_(limits), fallback_(fallback) {}

  OrcWalk run(const RegisterSet& start);
  OrcWalk run(const OrcStartFrame& start);

  // What the strategies ask.
  const OrcFinder& tables() const { return orc_; }
  std::uint64_t ip() const { return ip_; }
  std::uint64_t lookup() const { return signal_ ? ip_ : ip_ - 1; }  // a return address is looked up at the call
  // One step with ENTRY (a table's, for lookup()): pass without one, or an undefined one; the walk
  // unchanged when the step fails.
  StepResult step_by(std::optional<OrcEntry> entry);
  // Frame 0's caller from its prologue, when no table describes it.
  StepResult step_by_prologue();

  // What walk_strategies asks (caller_strategy.hpp).
  std::size_t size() const { return out_.frames.size(); }
  void stamp(std::size_t from, FrameOrigin origin, FrameTrust trust) { stamp_frames(out_.frames, from, origin, trust); }
  UnwindStatus& status() { return out_.status; }
  void nothing_found() { out_.status = UnwindStatus::stopped(StopReason::no_caller, no_entry()); }
  void spent(BudgetEnd end) { out_.status = kernel_budget_status(end, limits_.max_frames); }

 private:
  StepResult step_with(const OrcEntry& orc);
  std::string no_entry() const;
  bool described() const;
  void loop();
  bool stack_readable(std::uint64_t addr, std::uint64_t len) const;
  std::optional<std::uint64_t> deref(std::uint64_t addr) const;
  std::optional<PtRegs> deref_regs(std::uint64_t addr, bool full) const;
  std::optional<std::uint64_t> get_reg(std::size_t index) const;
  void emit(bool exact, bool user);
  StepResult fail(StopReason reason, std::string why) {
    out_.status = UnwindStatus::stopped(reason, std::move(why));
    return StepResult::failed;
  }

  const MemorySource& mem_;
  const OrcFinder& orc_;
  const StackMap& stacks_;
  OrcWalkLimits limits_;
  const NoOrcFallback* fallback_ = nullptr;
  OrcWalk out_;
  // unwind_state
  std::uint64_t ip_ = 0, sp_ = 0, bp_ = 0;
  bool signal_ = true;
  std::optional<PtRegs> regs_;     // the pt_regs the current frame came from, if any
  bool full_regs_ = false;
  std::optional<PtRegs> prev_regs_;  // full regs seen before an iret frame (NMI in IRQ entry)
  std::optional<KernelStackRule> rule_;  // the kernel's stack rule, and the stack the walk is on
  const StackRegion& region() const { return rule_->region(); }
};

bool Walker::stack_readable(std::uint64_t addr, std::uint64_t len) const {
  if (region().contains(addr, len)) return true;
  auto other = stacks_.region_of(addr);
  return other && other->contains(addr, len);
}

std::optional<std::uint64_t> Walker::deref(std::uint64_t addr) const {
  if (!stack_readable(addr, 8)) return std::nullopt;
  std::byte b[8];
  if (!mem_.read(addr, b)) return std::nullopt;
  return le64(b);
}

std::optional<PtRegs> Walker::deref_regs(std::uint64_t addr, bool full) const {
  // A full pt_regs starts at ADDR; an iret frame (ip, cs, flags, sp, ss) is at ADDR, the rest of
  // the pt_regs around it being unknown.
  std::uint64_t from = full ? addr : addr - kIretOffset;
  std::uint64_t skip = full ? 0 : kIretOffset;
  if (!full && addr < kIretOffset) return std::nullopt;
  if (!stack_readable(from + skip, kPtRegsSize - skip)) return std::nullopt;
  std::array<std::byte, kPtRegsSize> b{};
  if (!mem_.read(from + skip, std::span(b).subspan(0, kPtRegsSize - skip))) return std::nullopt;
  PtRegs r{};
  for (std::size_t i = skip / 8; i < kPtRegsCount; ++i) r[i] = le64(b.data() + (i * 8 - skip));
  return r;
}

std::optional<std::uint64_t> Walker::get_reg(std::size_t index) const {
  if (!regs_) return std::nullopt;
  if (full_regs_) return (*regs_)[index];
  if (prev_regs_) return (*prev_regs_)[index];
  return std::nullopt;
}

// Adds the frame the walk stands on; walk_strategies sets a caller's origin and trust.
void Walker::emit(bool exact, bool user) {
  OrcFrame f;
  f.origin = FrameOrigin::context;
  f.pc = ip_;
  f.sp = sp_;
  f.exact_pc = exact;
  f.user = user;
  f.stack = user ? kUserStackArea : region().kind;
  f.trust = FrameTrust::context;
  if (regs_ && !out_.frames.empty()) {
    f.registers = registers_of(*regs_, full_regs_);
  } else if (!out_.frames.empty()) {
    f.registers = {Register{"rip", ip_}, Register{"rsp", sp_}, Register{"rbp", bp_}};
  }
  out_.frames.push_back(std::move(f));
  // Where the walk stands, for a stack scan to go on from when it stops.
  if (!user) {
    out_.stop_sp = sp_;
    out_.stop_region = region();
  }
}

StepResult Walker::step_by(std::optional<OrcEntry> entry) {
  // An undefined entry (code objtool does not describe) is no information: the next table's, or
  // the prologue's turn.
  if (!entry || entry->type == OrcType::undefined) return StepResult::pass;
  struct Saved {
    std::uint64_t ip, sp, bp;
    bool signal, full_regs;
    std::optional<PtRegs> regs, prev_regs;
    std::optional<KernelStackRule> rule;
    std::size_t frames;
    std::uint64_t stop_sp;
    StackRegion stop_region;
  } saved{ip_, sp_, bp_, signal_, full_regs_, regs_, prev_regs_, rule_, out_.frames.size(), out_.stop_sp, out_.stop_region};
  StepResult r = step_with(*entry);
  if (r == StepResult::failed) {
    ip_ = saved.ip, sp_ = saved.sp, bp_ = saved.bp, signal_ = saved.signal, full_regs_ = saved.full_regs;
    regs_ = saved.regs, prev_regs_ = saved.prev_regs, rule_ = saved.rule;
    out_.frames.resize(saved.frames);
    out_.stop_sp = saved.stop_sp, out_.stop_region = saved.stop_region;
  }
  return r;
}

// Whether a table has an entry for the walk's last frame (the NULL-pointer entry for pc 0).
bool Walker::described() const {
  if (ip_ == 0) return true;
  std::optional<OrcEntry> e = orc_.find(lookup());
  return (e && e->type != OrcType::undefined) || orc_.cfi(lookup());
}

// Why no table describes the walk's last frame.
std::string Walker::no_entry() const {
  std::optional<OrcEntry> e = ip_ == 0 ? std::nullopt : orc_.find(lookup());
  if (e && e->type == OrcType::undefined) {
    return "the ORC entry for " + hex(ip_) + " is undefined (code objtool does not describe)";
  }
  return "no ORC entry for " + hex(ip_);
}

StepResult Walker::step_with(const OrcEntry& orc) {
  std::uint64_t orig_ip = ip_, prev_sp = sp_;
  if (orc.type == OrcType::end_of_stack) {
    out_.status = UnwindStatus::done("the end-of-stack entry");
    return StepResult::end;
  }

  std::uint64_t sp = 0;
  bool indirect = false;
  bool switches = false;  // a frame that may move to another stack
  // Entry code keeps the stack pointer in a register that only a full pt_regs records.
  auto from_regs = [&](std::size_t index) -> bool {
    auto v = get_reg(index);
    if (!v) return false;
    sp = *v;
    switches = true;
    return true;
  };
  switch (orc.sp_reg) {
    case orc_reg::sp: sp = sp_ + static_cast<std::uint64_t>(std::int64_t{orc.sp_offset}); break;
    case orc_reg::bp:
      // Up to 5.10 the IRQ stack switch (asm_call_on_stack, asm_call_sysvec_on_stack) kept the old
      // stack's frame in rbp: a frame based on rbp may return to another stack.
      sp = bp_ + static_cast<std::uint64_t>(std::int64_t{orc.sp_offset});
      switches = true;
      break;
    case orc_reg::sp_indirect:
      sp = orc_.flavor().sp_indirect_adds_after ? sp_ : sp_ + static_cast<std::uint64_t>(std::int64_t{orc.sp_offset});
      indirect = true;
      break;
    case orc_reg::bp_indirect:
      sp = bp_ + static_cast<std::uint64_t>(std::int64_t{orc.sp_offset});
      indirect = true;
      break;
    case orc_reg::r10: if (!from_regs(kR10)) return fail(StopReason::missing_registers, "the ORC entry for " + hex(ip_) + " needs r10, which is unknown here"); break;
    case orc_reg::r13: if (!from_regs(kR13)) return fail(StopReason::missing_registers, "the ORC entry for " + hex(ip_) + " needs r13, which is unknown here"); break;
    case orc_reg::di: if (!from_regs(kDi)) return fail(StopReason::missing_registers, "the ORC entry for " + hex(ip_) + " needs rdi, which is unknown here"); break;
    case orc_reg::dx: if (!from_regs(kDx)) return fail(StopReason::missing_registers, "the ORC entry for " + hex(ip_) + " needs rdx, which is unknown here"); break;
    default: return fail(StopReason::no_caller, "the ORC entry for " + hex(ip_) + " has an unknown sp register " + std::to_string(orc.sp_reg));
  }
  if (indirect) {
    // The IRQ stack switch (call_on_stack) saves the old sp at the top of the new stack.
    auto v = deref(sp);
    if (!v) return fail(StopReason::missing_memory, "cannot read the saved stack pointer at " + hex(sp));
    sp = *v;
    if (orc.sp_reg == orc_reg::sp_indirect && orc_.flavor().sp_indirect_adds_after) {
      sp += static_cast<std::uint64_t>(std::int64_t{orc.sp_offset});
    }
    switches = true;
  }

  switch (orc.type) {
    case OrcType::call: {
      auto ra = deref(sp - 8);
      if (!ra) return fail(StopReason::missing_memory, "cannot read the return address at " + hex(sp - 8));
      ip_ = *ra;
      sp_ = sp;
      regs_.reset();
      prev_regs_.reset();
      signal_ = orc.signal;
      break;
    }
    case OrcType::regs: {
      auto r = deref_regs(sp, true);
      if (!r) return fail(StopReason::missing_memory, "cannot read the pt_regs at " + hex(sp) + " for " + hex(orig_ip));
      ip_ = (*r)[kIp];
      sp_ = (*r)[kSp];
      regs_ = r;
      prev_regs_.reset();
      full_regs_ = true;
      signal_ = true;
      switches = true;
      break;
    }
    case OrcType::regs_partial: {
      auto r = deref_regs(sp, false);
      if (!r) return fail(StopReason::missing_memory, "cannot read the iret frame at " + hex(sp) + " for " + hex(orig_ip));
      ip_ = (*r)[kIp];
      sp_ = (*r)[kSp];
      if (full_regs_ && regs_) prev_regs_ = regs_;
      regs_ = r;
      full_regs_ = false;
      signal_ = true;
      switches = true;
      break;
    }
    default: return fail(StopReason::no_caller, "the ORC entry for " + hex(orig_ip) + " has an unknown type");
  }

  switch (orc.bp_reg) {
    case orc_reg::undefined:
      if (auto v = get_reg(kBp)) bp_ = *v;
      break;
    case orc_reg::prev_sp: {
      auto v = deref(sp + static_cast<std::uint64_t>(std::int64_t{orc.bp_offset}));
      if (!v) return fail(StopReason::missing_memory, "cannot read the saved rbp for " + hex(orig_ip));
      bp_ = *v;
      break;
    }
    case orc_reg::bp: {
      auto v = deref(bp_ + static_cast<std::uint64_t>(std::int64_t{orc.bp_offset}));
      if (!v) return fail(StopReason::missing_memory, "cannot read the saved rbp for " + hex(orig_ip));
      bp_ = *v;
      break;
    }
    default: return fail(StopReason::no_caller, "the ORC entry for " + hex(orig_ip) + " has an unknown bp register " + std::to_string(orc.bp_reg));
  }

  // User space ends the kernel stack: the pt_regs at the top of the task stack hold its context.
  if (regs_ && user_mode(*regs_)) {
    emit(true, true);
    out_.status = UnwindStatus::done("reached user space");
    return StepResult::last_caller;
  }
  if (auto refused = rule_->refuses(orig_ip, prev_sp, sp_, switches)) return fail(StopReason::rule, std::move(*refused));
  emit(signal_, false);
  return StepResult::caller;
}

StepResult Walker::step_by_prologue() {
  // Frame 0 only, from the CPU's registers, and only where no table had anything to say.
  if (fallback_ == nullptr || out_.frames.size() != 1 || regs_ == std::nullopt || described()) return StepResult::pass;
  std::string why = no_entry();
  auto caller = fallback_->caller_of(ip_, sp_);
  if (!caller || caller->caller_sp <= sp_ || !region().contains(caller->caller_sp - 8)) return fail(StopReason::no_caller, std::move(why));
  auto ra = deref(caller->caller_sp - 8);
  if (!ra || !fallback_->returns_from(*ra, ip_)) return fail(StopReason::no_caller, why + "; its prologue gives no return address that calls it");
  if (caller->rbp_slot) {
    auto bp = deref(*caller->rbp_slot);
    if (!bp) return fail(StopReason::missing_memory, why + "; the rbp its prologue saved cannot be read");
    bp_ = *bp;
  }
  ip_ = *ra;
  sp_ = caller->caller_sp;
  regs_.reset();
  prev_regs_.reset();
  signal_ = false;
  emit(false, false);
  return StepResult::caller;
}

OrcWalk Walker::run(const RegisterSet& start) {
  PtRegs r{};
  for (std::size_t i = 0; i < kPtRegsCount; ++i) r[i] = start.get(kPtRegsNames[i]).value_or(0);
  auto rip = start.get("rip"), rsp = start.get("rsp");
  if (!rip || !rsp) {
    out_.status = UnwindStatus::stopped(StopReason::missing_registers, "the dump saved no rip/rsp for this CPU");
    return out_;
  }
  ip_ = *rip;
  sp_ = *rsp;
  bp_ = r[kBp];
  regs_ = r;
  full_regs_ = true;
  signal_ = true;
  rule_.emplace(stacks_, limits_.max_stacks, sp_);
  bool user = start.get("cs") && user_mode(r);
  emit(true, user);
  if (user) {
    out_.status = UnwindStatus::done("the CPU was in user space");
    return out_;
  }
  loop();
  return out_;
}

OrcWalk Walker::run(const OrcStartFrame& start) {
  ip_ = start.ip;
  sp_ = start.sp;
  bp_ = start.bp;
  signal_ = start.exact;
  rule_.emplace(stacks_, limits_.max_stacks, sp_);
  emit(start.exact, false);
  loop();
  return out_;
}

void Walker::loop() {
  // The kernel's ORC tables: the vmlinux's, or the module's that holds the code. A call through a
  // NULL pointer has the kernel's own fallback entry.
  auto orc = step_caller<Walker>(FrameOrigin::orc, FrameTrust::cfi, [](Walker& w) {
    return w.step_by(w.ip() == 0 ? std::optional(kNullEntry) : w.tables().find(w.lookup()));
  });
  // The vmlinux's DWARF CFI, as ORC entries: where ORC has no entry, or where its step fails (it
  // knows nothing of the stack switches inline assembly makes, call_on_irqstack; ORC may be
  // damaged), or first of all (--kernel-unwinder dwarf-cfi).
  auto cfi = step_caller<Walker>(FrameOrigin::vmlinux_cfi, FrameTrust::cfi, [](Walker& w) {
    return w.ip() == 0 ? StepResult::pass : w.step_by(w.tables().cfi(w.lookup()));
  });
  // Frame 0 in code no table describes (kernel_prologue.hpp): what its prologue pushed. Its trust
  // is the user walk's for a prologue step: checked, but no table describes it.
  auto prologue = step_caller<Walker>(FrameOrigin::prologue, FrameTrust::frame_pointer, [](Walker& w) { return w.step_by_prologue(); });
  CallerStrategy<Walker>* const orc_first[] = {&orc, &cfi, &prologue};
  CallerStrategy<Walker>* const cfi_first[] = {&cfi, &orc, &prologue};
  walk_strategies<Walker>(WalkBudget{limits_.max_frames, limits_.keep_going}, *this,
                          orc_.cfi_first() ? std::span(cfi_first) : std::span(orc_first));
  for (const OrcFrame& f : out_.frames) {
    out_.used_dwarf_cfi |= f.origin == FrameOrigin::vmlinux_cfi;
    out_.frame0_without_orc |= f.origin == FrameOrigin::prologue;
  }
}

}  // namespace

OrcFlavor orc_flavor_for_release(const std::string& release) {
  unsigned major = 0, minor = 0;
  if (std::sscanf(release.c_str(), "%u.%u", &major, &minor) != 2) return {};
  OrcFlavor f;
  f.layout = (major > 6 || (major == 6 && minor >= 4)) ? OrcLayout::typed : OrcLayout::end_bit;
  f.sp_indirect_adds_after = major > 5 || (major == 5 && minor >= 12);
  return f;
}

const char* to_string(OrcLayout layout) {
  return layout == OrcLayout::typed ? "6.4+ (type:3 signal:1)" : "4.14-6.3 (type:2 end:1)";
}

std::optional<OrcEntry> decode_orc_entry(std::span<const std::byte, kOrcEntrySize> b, OrcLayout layout) {
  OrcEntry e;
  auto s16 = [&](std::size_t at) {
    return static_cast<std::int16_t>(std::to_integer<std::uint16_t>(b[at]) | std::to_integer<std::uint16_t>(b[at + 1]) << 8);
  };
  e.sp_offset = s16(0);
  e.bp_offset = s16(2);
  auto regs = std::to_integer<std::uint8_t>(b[4]);
  auto bits = std::to_integer<std::uint8_t>(b[5]);
  e.sp_reg = regs & 0xf;
  e.bp_reg = regs >> 4;
  if (e.sp_reg > orc_reg::sp_indirect) return std::nullopt;
  if (e.bp_reg != orc_reg::undefined && e.bp_reg != orc_reg::prev_sp && e.bp_reg != orc_reg::bp) return std::nullopt;
  if (layout == OrcLayout::end_bit) {
    unsigned type = bits & 3;
    bool end = (bits >> 2) & 1;
    if ((bits >> 3) != 0 || type == 3) return std::nullopt;
    if (e.sp_reg == orc_reg::undefined) {
      e.type = end ? OrcType::end_of_stack : OrcType::undefined;
    } else {
      e.type = type == 0 ? OrcType::call : type == 1 ? OrcType::regs : OrcType::regs_partial;
    }
  } else {
    unsigned type = bits & 7;
    if ((bits >> 4) != 0 || type > 4) return std::nullopt;
    e.signal = (bits >> 3) & 1;
    constexpr OrcType kTypes[] = {OrcType::undefined, OrcType::end_of_stack, OrcType::call, OrcType::regs,
                                  OrcType::regs_partial};
    e.type = kTypes[type];
  }
  return e;
}

std::optional<std::uint64_t> OrcTable::ip_at(const MemorySource& m, std::uint64_t i) const {
  if (i >= ref_.count) return std::nullopt;
  std::uint64_t at = ref_.ip_table + 4 * i;
  auto rel = read_u32(m, at);
  if (!rel) return std::nullopt;
  return at + static_cast<std::uint64_t>(std::int64_t{static_cast<std::int32_t>(*rel)});
}

std::optional<OrcEntry> OrcTable::entry_at(const MemorySource& m, std::uint64_t i) const {
  if (i >= ref_.count) return std::nullopt;
  std::array<std::byte, kOrcEntrySize> b{};
  if (!m.read(ref_.entries + kOrcEntrySize * i, b)) return std::nullopt;
  return decode_orc_entry(b, flavor_.layout);
}

std::optional<std::uint64_t> OrcTable::search(const MemorySource& m, std::uint64_t first, std::uint64_t last,
                                              std::uint64_t ip) const {
  // The rightmost entry at or below IP: section terminators share an address with the real entry
  // after them and must lose to it.
  std::optional<std::uint64_t> found;
  std::uint64_t lo = first, hi = last + 1;  // [lo, hi)
  while (lo < hi) {
    std::uint64_t mid = lo + (hi - lo) / 2;
    auto at = ip_at(m, mid);
    if (!at) return std::nullopt;
    if (*at <= ip) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return found;
}

std::optional<OrcEntry> OrcTable::find(const MemorySource& m, std::uint64_t ip) const {
  if (ref_.count == 0) return std::nullopt;
  std::optional<std::uint64_t> found;
  if (lookup_ && ip >= lookup_->text_start && ip < lookup_->text_end && lookup_->blocks >= 2) {
    // LOOKUP_BLOCK_SIZE of arch/x86/kernel/unwind_orc.c: orc_lookup has one index per 256 bytes of text.
    constexpr std::uint64_t kLookupBlockSize = 256;
    std::uint64_t idx = (ip - lookup_->text_start) / kLookupBlockSize;
    auto start = idx + 1 < lookup_->blocks ? read_u32(m, lookup_->table + 4 * idx) : std::nullopt;
    auto stop = idx + 1 < lookup_->blocks ? read_u32(m, lookup_->table + 4 * (idx + 1)) : std::nullopt;
    if (start && stop && *start <= *stop && *stop < ref_.count) {
      found = search(m, *start, *stop, ip);
      // The lookup table is data from the dump too: keep its answer only if the full table agrees.
      if (found) {
        auto next = ip_at(m, *found + 1);
        if (*found + 1 < ref_.count && (!next || *next <= ip)) found.reset();
      }
    }
  }
  if (!found) found = search(m, 0, ref_.count - 1, ip);
  if (!found) return std::nullopt;
  return entry_at(m, *found);
}

std::string OrcTableCheck::describe() const {
  return std::to_string(sampled) + " entries sampled: " + std::to_string(decoded) + " decode, " +
         std::to_string(calls) + " are calls, " + std::to_string(ips_in_range) + " addresses in kernel text, " +
         std::to_string(ips_sorted) + " in order";
}

OrcTableCheck check_orc_table(const MemorySource& m, const OrcTableRef& ref, OrcFlavor flavor, std::uint64_t text_low,
                              std::uint64_t text_high) {
  OrcTableCheck c;
  OrcTable t(ref, flavor);
  std::uint64_t n = std::min<std::uint64_t>(ref.count, kOrcSample);
  std::uint64_t prev = 0;
  for (std::uint64_t k = 0; k < n; ++k) {
    std::uint64_t i = n == 1 ? 0 : k * (ref.count - 1) / (n - 1);
    ++c.sampled;
    auto ip = t.ip_at(m, i);
    if (ip && *ip >= text_low && *ip < text_high) ++c.ips_in_range;
    if (ip && *ip >= prev) ++c.ips_sorted;
    if (ip) prev = *ip;
    auto e = t.entry_at(m, i);
    if (e) ++c.decoded;
    if (e && e->type == OrcType::call) ++c.calls;
  }
  // A real table: every sampled entry decodes, nearly all are in order and in the text, and most
  // are calls (each function has several call-type entries, entry code few regs ones).
  auto share = [&](std::size_t x, double f) { return static_cast<double>(x) >= f * static_cast<double>(c.sampled); };
  c.sane = c.sampled > 0 && share(c.decoded, 0.95) && share(c.calls, 0.5) && share(c.ips_in_range, 0.95) &&
           share(c.ips_sorted, 0.95);
  return c;
}

StackRegion unknown_stack_around(std::uint64_t sp) {
  std::uint64_t low = sp & ~(kKernelStackSize - 1);
  return StackRegion{low, low + kKernelStackSize, "unknown"};
}

std::span<const std::string_view, kPtRegsCount> pt_regs_names() { return kPtRegsNames; }

OrcWalk orc_walk(const MemorySource& memory, const OrcFinder& orc, const StackMap& stacks, const OrcStartFrame& start,
                 const OrcWalkLimits& limits) {
  return Walker(memory, orc, stacks, limits, nullptr).run(start);
}

OrcWalk orc_walk(const MemorySource& memory, const OrcFinder& orc, const StackMap& stacks, const RegisterSet& start,
                 const OrcWalkLimits& limits, const NoOrcFallback* fallback) {
  return Walker(memory, orc, stacks, limits, fallback).run(start);
}

}  // namespace corelens
