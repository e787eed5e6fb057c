#include "unwinder/unwind_rules.hpp"

#include <array>

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

RawFrame caller_frame(const CallSiteCheck& check, std::uint64_t ret, std::uint64_t sp, FrameTrust trust,
                      FrameOrigin origin) {
  RawFrame f;
  f.pc = check.code_address(ret);
  f.sp = sp;
  f.trust = trust;
  f.origin = origin;
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

// arm: one EHABI step, on the callee's registers.
FallbackResult exidx_caller(const Target& target, const ArmExidx& exidx, const CallSiteCheck& check,
                            const RawFrame& callee, const FallbackRegisters& regs) {
  FallbackResult out;
  ArmExidx::Registers r{};
  static constexpr std::array<std::string_view, 16> kNames = {"r0", "r1", "r2",  "r3",  "r4", "r5", "r6", "r7",
                                                              "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};
  for (const auto& k : regs.known) {
    for (unsigned i = 0; i < kNames.size(); ++i) {
      if (k.name == kNames[i]) r[i] = static_cast<std::uint32_t>(k.value);
    }
  }
  if (callee.sp) r[13] = static_cast<std::uint32_t>(*callee.sp);
  r[15] = static_cast<std::uint32_t>(callee.pc);
  if (regs.lr) r[14] = static_cast<std::uint32_t>(*regs.lr);
  const std::uint64_t lookup = callee.is_activation ? callee.pc : callee.pc - 1;
  ArmExidx::Step step = exidx.step(r, static_cast<std::uint32_t>(lookup));
  // A function without an entry of its own falls to the entry of the one before it; the symbol
  // tables tell.
  std::optional<std::uint64_t> own = regs.function_start ? regs.function_start(lookup) : std::nullopt;
  if (own && step.outcome != ArmExidx::Outcome::no_entry && check.code_address(*own) > check.code_address(step.function_start)) {
    step = ArmExidx::Step{};
  }
  if (step.outcome == ArmExidx::Outcome::cant_unwind) {
    // EXIDX_CANTUNWIND ends the stack at the process's entry point (_start); elsewhere it only
    // says the code has no tables (built without them), and the other fallbacks take over.
    // The last entry of a table reaches to the module's end: where symbols say which function the
    // pc is in, that function must be the entry point's.
    auto entry = target.entry_point();
    bool at_entry = entry && *entry >= step.function_start && *entry < step.function_end;
    if (at_entry && own) at_entry = check.code_address(*own) == check.code_address(*entry);
    out.outermost = at_entry;
    if (at_entry) return out;
  }
  FrameTrust trust = FrameTrust::cfi;
  FrameOrigin origin = FrameOrigin::exidx;
  if ((step.outcome == ArmExidx::Outcome::no_entry || step.outcome == ArmExidx::Outcome::cant_unwind) && own) {
    // No table entry, or EXIDX_CANTUNWIND away from the entry point (glibc marks some of its C
    // functions so): the function's prologue says how it saved lr, as gdb's arm unwinder reads
    // it. Found without unwind information: trusted like a frame chain.
    step = exidx.prologue_step(r, *own);
    trust = FrameTrust::frame_pointer;
    origin = FrameOrigin::prologue;
  }
  if (step.outcome != ArmExidx::Outcome::caller) return out;
  RawFrame f = caller_frame(check, *step.caller[15], *step.caller[13], trust, origin);
  for (unsigned i = 4; i <= 11; ++i) {
    if (step.caller[i]) f.registers.push_back(Register{kNames[i], *step.caller[i]});
  }
  f.registers.push_back(Register{"sp", *step.caller[13]});
  f.registers.push_back(Register{"pc", f.pc});
  out.caller = std::move(f);
  return out;
}

}  // namespace

FallbackResult recover_caller(const Target& target, const CallSiteCheck& check, const RawFrame& callee,
                              const FallbackRegisters& regs, bool bad_pc) {
  FallbackResult out;
  if (!callee.sp) return out;
  const Arch arch = target.arch();
  const StackWords words(target);
  const std::uint64_t w = words.size();
  const std::uint64_t sp = *callee.sp;
  const bool has_link_register = !link_register(arch).empty();
  auto is_return_address = [&](std::uint64_t addr) { return check.is_return_address(target, addr); };
  auto found = [&](RawFrame f, std::optional<std::uint64_t> fp, bool exact) {
    // A handler's return into the signal trampoline: no call precedes its pc, so it is looked up
    // at the pc itself (its symbol, __restore_rt, and the CFI that restores the interrupted frame).
    if (check.is_signal_trampoline(target, f.pc)) f.is_activation = true;
    out.caller = std::move(f);
    out.caller_fp = fp;
    out.exact_sp = exact;
    return out;
  };
  // 0. A call through a bad pointer faults before the target's first instruction: the return
  //    address is where the call put it, at [sp] on x86 (the CIE's initial rule: CFA = sp +
  //    word, return address at CFA - word), in the link register elsewhere (the stack is
  //    untouched). The frame pointer still belongs to the caller, so it must not be followed:
  //    that would skip the caller.
  // A return address whose code is unavailable (call_site_check.hpp) is taken where the ABI
  // says it is (here, and in a frame chain), never from a scan: it is found with lower trust.
  auto unverifiable = [&](std::uint64_t addr) { return check.is_unverifiable(target, addr); };
  if (bad_pc) {
    if (has_link_register) {
      if (regs.lr && is_return_address(*regs.lr)) return found(caller_frame(check, *regs.lr, sp, FrameTrust::cfi, FrameOrigin::call_site), regs.fp, true);
      if (regs.lr && unverifiable(*regs.lr)) return found(caller_frame(check, *regs.lr, sp, FrameTrust::scan, FrameOrigin::call_site), regs.fp, true);
    } else if (auto ret = words.at(sp); ret && (is_return_address(*ret) || unverifiable(*ret))) {
      FrameTrust trust = is_return_address(*ret) ? FrameTrust::cfi : FrameTrust::scan;
      return found(caller_frame(check, *ret, sp + w, trust, FrameOrigin::call_site), regs.fp, true);
    }
  }
  // 1. arm's own unwind tables.
  if (arch == Arch::arm && regs.exidx != nullptr && !bad_pc) {
    FallbackResult e = exidx_caller(target, *regs.exidx, check, callee, regs);
    if (e.caller || e.outermost) return e;
  }
  // 2. A leaf's caller is in the link register (frame 0 only: REGS.lr is set only then). Its
  //    stack pointer is not known better than the callee's: a leaf may have allocated a frame.
  if (has_link_register && !bad_pc && link_register_is_caller(target, check, callee, regs)) {
    if (arch == Arch::ppc64le) {
      // The back chain tells: if the leaf made no frame, sp is its caller's, and the caller's own
      // return address sits at 16 past the next frame; if it made one, [sp] is the caller's sp.
      auto next = words.at(sp);
      auto returns_at = [&](std::uint64_t caller_sp) {
        auto up = words.at(caller_sp);
        auto ret = up ? words.at(*up + 16) : std::nullopt;
        return ret && is_return_address(*ret);
      };
      std::uint64_t caller_sp = sp;
      if (!returns_at(sp) && next && *next > sp && *next - sp < (1u << 20) && returns_at(*next)) caller_sp = *next;
      return found(caller_frame(check, *regs.lr, caller_sp, FrameTrust::frame_pointer, FrameOrigin::link_register), regs.fp, true);
    }
    return found(caller_frame(check, *regs.lr, sp, FrameTrust::frame_pointer, FrameOrigin::link_register), regs.fp, false);
  }
  // 3. The frame chain, unless a return address lies between sp and its return-address slot.
  constexpr std::uint64_t kMaxFrameSize = 1u << 20;
  constexpr std::uint64_t kMaxCheckedWords = 4096;
  auto return_address_below = [&](std::uint64_t slot) {
    std::uint64_t first = (sp + w - 1) & ~(w - 1);
    for (std::uint64_t addr = first, n = 0; addr < slot && n < kMaxCheckedWords; addr += w, ++n) {
      if (auto word = words.at(addr); word && *word != callee.pc && is_return_address(*word)) return true;
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
      if (ret && is_return_address(*ret)) {
        return found(caller_frame(check, *ret, *next, FrameTrust::frame_pointer, FrameOrigin::frame_pointer), std::nullopt, true);
      }
    }
  } else if (arch == Arch::x86_64 || arch == Arch::i386 || arch == Arch::aarch64) {
    const std::optional<std::uint64_t>& fp = regs.fp;
    if (fp && *fp >= sp && *fp - sp < kMaxFrameSize && (*fp & (w - 1)) == 0) {
      auto ret = words.at(*fp + w);
      auto next_fp = words.at(*fp);
      // Unverifiable: the chain must at least go up the stack, as every frame chain does.
      const bool verified = ret && is_return_address(*ret);
      const bool unverified = ret && next_fp && !verified && unverifiable(*ret) && *next_fp > *fp &&
                              *next_fp - *fp < kMaxFrameSize;
      if (ret && next_fp && (verified || unverified) && !return_address_below(*fp + w)) {
        // x86 pushes the frame pointer right below the return address: the caller's sp is just
        // above them. aarch64's frame record sits at the bottom of the frame: sp is above it.
        return found(caller_frame(check, *ret, *fp + 2 * w, verified ? FrameTrust::frame_pointer : FrameTrust::scan,
                                  FrameOrigin::frame_pointer),
                     *next_fp, arch != Arch::aarch64);
      }
    }
  }
  // 4. A scan of the stack above sp for a word that is a return address. The caller's sp is
  //    exact on x86 (the call pushed the word); elsewhere the word is wherever the caller's
  //    callee saved the link register.
  constexpr std::uint64_t kScanWords = 4096;
  const std::uint64_t start = (sp + w - 1) & ~(w - 1);
  for (std::uint64_t i = 0; i < kScanWords; ++i) {
    std::uint64_t addr = start + i * w;
    auto word = words.at(addr);
    if (!word) break;  // the end of the saved stack
    if (check.code_address(*word) == callee.pc || !is_return_address(*word)) continue;
    // The frame pointer is unknown; the callee, having none, likely kept the caller's.
    return found(caller_frame(check, *word, addr + w, FrameTrust::scan, FrameOrigin::scan), regs.fp, !has_link_register);
  }
  return out;
}

bool time_to_ask_keep_going(std::size_t frames) {
  constexpr std::size_t kCancelCheckEvery = 4096;
  return frames % kCancelCheckEvery == 0;
}

}  // namespace corelens
