#include "unwinder/unwind_rules.hpp"

#include <array>
#include <span>

#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"

namespace corelens {

std::optional<std::string> caller_rejected(const Target& target, const RawFrame& callee, const RawFrame& caller) {
  if (caller.sp && callee.sp) {
    if (*caller.sp == *callee.sp && caller.pc == callee.pc) {
      return "the unwinder is not making progress (same pc and stack pointer)";
    }
    // A signal frame's interrupted context may lie anywhere (sigaltstack); every other caller
    // is above its callee.
    if (*caller.sp < *callee.sp && !caller.is_activation) return "the stack pointer went backwards at " + hex(caller.pc);
  }
  if (caller.pc == 0) return "reached a zero return address";
  // A return address points just after a call, so the call itself (pc - 1) must be code.
  std::uint64_t code = caller.is_activation ? caller.pc : caller.pc - 1;
  if (!target.is_executable(code)) return "the return address " + hex(caller.pc) + " is not in executable memory";
  return std::nullopt;
}

bool is_bad_pc_frame(const Target& target, const RawFrame& callee, bool is_first_frame) {
  return is_first_frame && callee.sp && !target.is_executable(callee.pc);
}

namespace {

class StackWords {
 public:
  explicit StackWords(const Target& target)
      : target_(target), word_(pointer_size(target.arch())), order_(byte_order(target.arch())) {}
  unsigned size() const { return word_; }
  std::optional<std::uint64_t> at(std::uint64_t addr) const {
    std::array<std::byte, 8> bytes{};
    if (!target_.read_memory(addr, std::span(bytes.data(), word_))) return std::nullopt;
    ByteReader r(std::span<const std::byte>(bytes.data(), word_), 0, order_);
    if (word_ == 4) return std::uint64_t{*r.u32(0)};
    return *r.u64(0);
  }

 private:
  const Target& target_;
  unsigned word_;
  std::endian order_;
};

// A caller at the return address RET with stack pointer SP; the walk sets its origin and trust
// (stamp_caller). UNVERIFIED: RET's code could not be read to check it follows a call.
RawFrame caller_frame(const CallSiteCheck& check, std::uint64_t ret, std::uint64_t sp, bool unverified = false) {
  RawFrame f;
  f.pc = check.code_address(ret);
  f.sp = sp;
  f.unverified = unverified;
  return f;
}

// Frame 0's link register as its caller: a leaf keeps its return address there. Accepted only
// when the call before it calls the function frame 0 is in: after any call of its own, a function
// that saved the link register finds its own call site there, not its caller's.
bool link_register_is_caller(const Target& target, const CallSiteCheck& check, const RawFrame& callee,
                             const FallbackRegisters& regs) {
  if (!regs.lr) return false;
  auto site = check.call_before(target, *regs.lr);
  if (!site) return false;
  // Thumb symbols and call targets may carry bit 0: compare code addresses. (Plain values, not
  // optionals: g++ 12 warns maybe-uninitialized on the optional here.)
  auto found = regs.function_start ? regs.function_start(callee.pc) : std::nullopt;
  const bool have_own = found.has_value();
  const std::uint64_t own_start = have_own ? check.code_address(*found) : 0;
  if (site->target) {
    if (have_own) return check.code_address(*site->target) == own_start;
    // Without symbols: the call goes to an entry at or below the pc, within a function's reach.
    constexpr std::uint64_t kMaxFunctionSize = 1u << 20;
    return *site->target <= callee.pc && callee.pc - *site->target < kMaxFunctionSize;
  }
  // An indirect call: the caller is another function than frame 0's own.
  if (!have_own) return false;
  auto caller_start = regs.function_start(site->address);
  return caller_start && check.code_address(*caller_start) != own_start;
}

}  // namespace

namespace {

constexpr std::array<std::string_view, 16> kArmNames = {"r0", "r1", "r2",  "r3",  "r4", "r5", "r6", "r7",
                                                        "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};

// arm: what the EHABI tables say of the callee, on its registers.
struct ExidxLookup {
  ArmExidx::Registers r{};
  ArmExidx::Step step;
  std::optional<std::uint64_t> own;  // the start of the callee's function, by the symbol tables
  bool at_entry = false;             // EXIDX_CANTUNWIND at the process's entry point: the stack's end
};
ExidxLookup exidx_lookup(const FallbackInput& in) {
  const FallbackRegisters& regs = in.regs;
  const RawFrame& callee = in.callee;
  ExidxLookup x;
  for (const auto& k : regs.known) {
    for (unsigned i = 0; i < kArmNames.size(); ++i) {
      if (k.name == kArmNames[i]) x.r[i] = static_cast<std::uint32_t>(k.value);
    }
  }
  if (callee.sp) x.r[13] = static_cast<std::uint32_t>(*callee.sp);
  x.r[15] = static_cast<std::uint32_t>(callee.pc);
  if (regs.lr) x.r[14] = static_cast<std::uint32_t>(*regs.lr);
  const std::uint64_t lookup = callee.is_activation ? callee.pc : callee.pc - 1;
  x.step = regs.exidx->step(x.r, static_cast<std::uint32_t>(lookup));
  // A function without an entry of its own falls to the entry of the one before it; the symbol
  // tables tell.
  x.own = regs.function_start ? regs.function_start(lookup) : std::nullopt;
  if (x.own && x.step.outcome != ArmExidx::Outcome::no_entry &&
      in.check.code_address(*x.own) > in.check.code_address(x.step.function_start)) {
    x.step = ArmExidx::Step{};
  }
  if (x.step.outcome == ArmExidx::Outcome::cant_unwind) {
    // EXIDX_CANTUNWIND ends the stack at the process's entry point (_start); elsewhere it only
    // says the code has no tables (built without them), and the other fallbacks take over.
    // The last entry of a table reaches to the module's end: where symbols say which function the
    // pc is in, that function must be the entry point's.
    auto entry = in.target.entry_point();
    x.at_entry = entry && *entry >= x.step.function_start && *entry < x.step.function_end;
    if (x.at_entry && x.own) x.at_entry = in.check.code_address(*x.own) == in.check.code_address(*entry);
  }
  return x;
}

// The caller an EHABI step (or the prologue's) recovered, with the registers it restored.
FallbackResult arm_caller(const FallbackInput& in, const ArmExidx::Step& step) {
  FallbackResult out;
  if (step.outcome != ArmExidx::Outcome::caller) return out;
  RawFrame f = caller_frame(in.check, *step.caller[15], *step.caller[13]);
  for (unsigned i = 4; i <= 11; ++i) {
    if (step.caller[i]) f.registers.push_back(Register{kArmNames[i], *step.caller[i]});
  }
  f.registers.push_back(Register{"sp", *step.caller[13]});
  f.registers.push_back(Register{"pc", f.pc});
  out.caller = std::move(f);
  return out;
}

bool arm_tables(const FallbackInput& in) {
  return in.target.arch() == Arch::arm && in.regs.exidx != nullptr && !in.bad_pc && in.callee.sp;
}

// The caller OUT found, as the walk takes it.
FallbackResult found(const FallbackInput& in, RawFrame f, std::optional<std::uint64_t> fp, bool exact) {
  // A handler's return into the signal trampoline: no call precedes its pc, so it is looked up
  // at the pc itself (its symbol, __restore_rt, and the CFI that restores the interrupted frame).
  if (in.check.is_signal_trampoline(in.target, f.pc)) f.is_activation = true;
  FallbackResult out;
  out.caller = std::move(f);
  out.caller_fp = fp;
  out.exact_sp = exact;
  return out;
}

// 0. A call through a bad pointer faults before the target's first instruction: the return
//    address is where the call put it, at [sp] on x86 (the CIE's initial rule: CFA = sp + word,
//    return address at CFA - word), in the link register elsewhere (the stack is untouched). The
//    frame pointer still belongs to the caller, so it must not be followed: that would skip the
//    caller. A return address whose code is unavailable (call_site_check.hpp) is taken where the
//    ABI says it is (here, and in a frame chain), never from a scan: it is found with lower trust.
FallbackResult call_site_caller(const FallbackInput& in) {
  if (!in.bad_pc || !in.callee.sp) return {};
  const std::uint64_t sp = *in.callee.sp;
  auto is_return_address = [&](std::uint64_t addr) { return in.check.is_return_address(in.target, addr); };
  auto unverifiable = [&](std::uint64_t addr) { return in.check.is_unverifiable(in.target, addr); };
  const std::optional<std::uint64_t>& lr = in.regs.lr;
  if (!link_register(in.target.arch()).empty()) {
    if (lr && is_return_address(*lr)) return found(in, caller_frame(in.check, *lr, sp), in.regs.fp, true);
    if (lr && unverifiable(*lr)) return found(in, caller_frame(in.check, *lr, sp, true), in.regs.fp, true);
    return {};
  }
  const StackWords words(in.target);
  if (auto ret = words.at(sp); ret && (is_return_address(*ret) || unverifiable(*ret))) {
    return found(in, caller_frame(in.check, *ret, sp + words.size(), !is_return_address(*ret)), in.regs.fp, true);
  }
  return {};
}

// 1. arm's own unwind tables.
FallbackResult exidx_caller(const FallbackInput& in) {
  if (!arm_tables(in)) return {};
  ExidxLookup x = exidx_lookup(in);
  if (x.at_entry) {
    FallbackResult out;
    out.outermost = true;
    return out;
  }
  return arm_caller(in, x.step);
}

// 1b. No table entry, or EXIDX_CANTUNWIND away from the entry point (glibc marks some of its C
//     functions so): the function's prologue says how it saved lr, as gdb's arm unwinder reads
//     it. Found without unwind information: trusted like a frame chain.
FallbackResult arm_prologue_caller(const FallbackInput& in) {
  if (!arm_tables(in)) return {};
  ExidxLookup x = exidx_lookup(in);
  const bool no_table = x.step.outcome == ArmExidx::Outcome::no_entry || x.step.outcome == ArmExidx::Outcome::cant_unwind;
  if (x.at_entry || !no_table || !x.own) return {};
  return arm_caller(in, in.regs.exidx->prologue_step(x.r, *x.own));
}

// 2. A leaf's caller is in the link register (frame 0 only: REGS.lr is set only then). Its stack
//    pointer is not known better than the callee's: a leaf may have allocated a frame.
FallbackResult link_register_caller(const FallbackInput& in) {
  const Arch arch = in.target.arch();
  if (link_register(arch).empty() || in.bad_pc || !in.callee.sp) return {};
  if (!link_register_is_caller(in.target, in.check, in.callee, in.regs)) return {};
  const std::uint64_t sp = *in.callee.sp;
  const std::uint64_t lr = *in.regs.lr;
  if (arch == Arch::ppc64le) {
    // The back chain tells: if the leaf made no frame, sp is its caller's, and the caller's own
    // return address sits at 16 past the next frame; if it made one, [sp] is the caller's sp.
    const StackWords words(in.target);
    auto next = words.at(sp);
    auto returns_at = [&](std::uint64_t caller_sp) {
      auto up = words.at(caller_sp);
      auto ret = up ? words.at(*up + 16) : std::nullopt;
      return ret && in.check.is_return_address(in.target, *ret);
    };
    std::uint64_t caller_sp = sp;
    if (!returns_at(sp) && next && *next > sp && *next - sp < (1u << 20) && returns_at(*next)) caller_sp = *next;
    return found(in, caller_frame(in.check, lr, caller_sp), in.regs.fp, true);
  }
  return found(in, caller_frame(in.check, lr, sp), in.regs.fp, false);
}

// 3. The frame chain, unless a return address lies between sp and its return-address slot.
FallbackResult frame_chain_caller(const FallbackInput& in) {
  if (!in.callee.sp) return {};
  const Arch arch = in.target.arch();
  const StackWords words(in.target);
  const std::uint64_t w = words.size();
  const std::uint64_t sp = *in.callee.sp;
  auto is_return_address = [&](std::uint64_t addr) { return in.check.is_return_address(in.target, addr); };
  constexpr std::uint64_t kMaxFrameSize = 1u << 20;
  constexpr std::uint64_t kMaxCheckedWords = 4096;
  auto return_address_below = [&](std::uint64_t slot) {
    std::uint64_t first = (sp + w - 1) & ~(w - 1);
    for (std::uint64_t addr = first, n = 0; addr < slot && n < kMaxCheckedWords; addr += w, ++n) {
      if (auto word = words.at(addr); word && *word != in.callee.pc && is_return_address(*word)) return true;
    }
    return false;
  };
  if (arch == Arch::ppc64le) {
    // The back chain: 0(r1) is the caller's r1; the caller saved its own return address at
    // 16(its caller's r1), i.e. the callee's return address is at [caller r1 + 16].
    auto next = words.at(sp);
    if (next && *next > sp && *next - sp < kMaxFrameSize && (*next & 15) == 0) {
      auto ret = words.at(*next + 16);
      // The back chain is the ABI's, kept by every function: no check against a stale record.
      if (ret && is_return_address(*ret)) return found(in, caller_frame(in.check, *ret, *next), std::nullopt, true);
    }
  } else if (arch == Arch::x86_64 || arch == Arch::i386 || arch == Arch::aarch64) {
    const std::optional<std::uint64_t>& fp = in.regs.fp;
    if (fp && *fp >= sp && *fp - sp < kMaxFrameSize && (*fp & (w - 1)) == 0) {
      auto ret = words.at(*fp + w);
      auto next_fp = words.at(*fp);
      // Unverifiable: the chain must at least go up the stack, as every frame chain does.
      const bool verified = ret && is_return_address(*ret);
      const bool unverified = ret && next_fp && !verified && in.check.is_unverifiable(in.target, *ret) &&
                              *next_fp > *fp && *next_fp - *fp < kMaxFrameSize;
      if (ret && next_fp && (verified || unverified) && !return_address_below(*fp + w)) {
        // x86 pushes the frame pointer right below the return address: the caller's sp is just
        // above them. aarch64's frame record sits at the bottom of the frame: sp is above it.
        return found(in, caller_frame(in.check, *ret, *fp + 2 * w, !verified), *next_fp, arch != Arch::aarch64);
      }
    }
  }
  return {};
}

// 4. A scan of the stack above sp for a word that is a return address. The caller's sp is exact
//    on x86 (the call pushed the word); elsewhere the word is wherever the caller's callee saved
//    the link register.
FallbackResult scan_caller(const FallbackInput& in) {
  if (!in.callee.sp) return {};
  const StackWords words(in.target);
  const std::uint64_t w = words.size();
  constexpr std::uint64_t kScanWords = 4096;
  const std::uint64_t start = (*in.callee.sp + w - 1) & ~(w - 1);
  for (std::uint64_t i = 0; i < kScanWords; ++i) {
    std::uint64_t addr = start + i * w;
    auto word = words.at(addr);
    if (!word) break;  // the end of the saved stack
    if (in.check.code_address(*word) == in.callee.pc || !in.check.is_return_address(in.target, *word)) continue;
    // The frame pointer is unknown; the callee, having none, likely kept the caller's.
    return found(in, caller_frame(in.check, *word, addr + w), in.regs.fp, link_register(in.target.arch()).empty());
  }
  return {};
}

constexpr Fallback kFallbacks[] = {
    {FrameOrigin::call_site, FrameTrust::cfi, &call_site_caller},
    {FrameOrigin::exidx, FrameTrust::cfi, &exidx_caller},
    {FrameOrigin::prologue, FrameTrust::frame_pointer, &arm_prologue_caller},
    {FrameOrigin::link_register, FrameTrust::frame_pointer, &link_register_caller},
    {FrameOrigin::frame_pointer, FrameTrust::frame_pointer, &frame_chain_caller},
    {FrameOrigin::scan, FrameTrust::scan, &scan_caller},
};

}  // namespace

std::span<const Fallback> fallbacks() { return kFallbacks; }

void stamp_caller(RawFrame& frame, FrameOrigin origin, FrameTrust trust) {
  frame.origin = origin;
  frame.trust = frame.unverified ? FrameTrust::scan : trust;
}

FallbackResult recover_caller(const Target& target, const CallSiteCheck& check, const RawFrame& callee,
                              const FallbackRegisters& regs, bool bad_pc) {
  const FallbackInput in{target, check, callee, regs, bad_pc};
  for (const Fallback& f : fallbacks()) {
    FallbackResult r = f.find(in);
    if (r.caller) stamp_caller(*r.caller, f.origin, f.trust);
    if (r.caller || r.outermost) return r;
  }
  return {};
}

bool time_to_ask_keep_going(std::size_t frames) {
  constexpr std::size_t kCancelCheckEvery = 4096;
  return frames % kCancelCheckEvery == 0;
}

}  // namespace corelens
