#include "core/analysis/raised_signals.hpp"

#include <array>
#include <string_view>

#include "core/analysis/memory_read.hpp"
#include "core/analysis/signature.hpp"
#include "core/model/signals.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr int kSigIll = 4, kSigTrap = 5, kSigBus = 7, kSigFpe = 8, kSigSegv = 11;
constexpr int kSiUser = 0, kSiQueue = -1, kSiTkill = -6;

// x86_64's struct rt_sigframe (arch/x86/include/asm/sigframe.h): the handler returns into
// __restore_rt, so at the trampoline sp points just past pretcode, at struct ucontext:
//   uc_flags 0, uc_link 8, uc_stack 16 (24 bytes), uc_mcontext 40 (struct sigcontext, 256 bytes),
//   uc_sigmask 296; then struct siginfo at 304, written only for SA_SIGINFO handlers.
constexpr std::uint64_t kMcontext = 40;
constexpr std::uint64_t kSiginfo = 304;
// struct sigcontext's general registers in order, 8 bytes each, from uc_mcontext.
constexpr std::array<std::string_view, 18> kSigcontextRegisters{
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi",
    "rsi", "rbp", "rbx", "rdx", "rax", "rcx", "rsp", "rip", "eflags"};
// After them: csgsfs (144), err (152), trapno (160), oldmask (168), cr2 (176).
constexpr std::uint64_t kErr = 152, kTrapno = 160, kCr2 = 176;

// x86 exception vectors the kernel turns into fault signals (arch/x86/kernel/traps.c, fault.c).
constexpr std::uint64_t kTrapDivide = 0, kTrapInvalidOpcode = 6, kTrapGeneralProtection = 13, kTrapPageFault = 14;
// A page fault's error code (X86_PF_*): the page was present, the access a write, a fetch.
constexpr std::uint64_t kPfProtection = 1, kPfWrite = 2, kPfInstruction = 16;

SignalReport make_signal(int signo, int code) {
  SignalReport s;
  s.number = signo;
  s.name = signal_name(signo);
  s.description = signal_description(signo);
  s.code = code;
  SiCodeText text = describe_si_code(signo, code);
  s.code_name = text.name;
  s.code_description = text.description;
  return s;
}

// The siginfo an SA_SIGINFO handler was given; nullopt when the bytes there are not one of SIGNO
// (a handler without SA_SIGINFO leaves whatever the stack held).
std::optional<SignalReport> read_siginfo(const MemorySource& memory, std::uint64_t at, int signo) {
  auto number = read_u32(memory, at);
  auto errnum = read_u32(memory, at + 4);
  auto code = read_u32(memory, at + 8);
  if (!number || !errnum || !code || static_cast<int>(*number) != signo || *errnum > 4095) return std::nullopt;
  int c = static_cast<int>(*code);
  // The kernel's own codes are small positive numbers; a process's are SI_USER, SI_QUEUE, SI_TKILL.
  bool kernel = c > 0 && c <= 0x80;
  if (!kernel && c != kSiUser && c != kSiQueue && c != kSiTkill) return std::nullopt;
  SignalReport s = make_signal(signo, c);
  s.errnum = static_cast<int>(*errnum);
  if (si_code_has_sender(signo, c)) {
    auto pid = read_u32(memory, at + 16);
    auto uid = read_u32(memory, at + 20);
    if (pid) s.sender_pid = static_cast<std::int32_t>(*pid);
    if (uid) s.sender_uid = *uid;
  } else if (signal_has_fault_address(signo)) {
    s.address = read_u64(memory, at + 16);
  }
  return s;
}

// The exception the CPU took, as the sigcontext records it, when it explains SIGNO: only then are
// trapno, err and cr2 this delivery's (the kernel leaves them from the last fault otherwise).
std::optional<SignalReport> signal_from_trap(const MemorySource& memory, std::uint64_t mcontext, int signo,
                                             std::string& access) {
  auto trapno = read_u64(memory, mcontext + kTrapno);
  auto err = read_u64(memory, mcontext + kErr);
  if (!trapno || !err) return std::nullopt;
  if (*trapno == kTrapPageFault && signo == kSigSegv) {
    auto cr2 = read_u64(memory, mcontext + kCr2);
    if (!cr2) return std::nullopt;
    SignalReport s = make_signal(kSigSegv, (*err & kPfProtection) != 0 ? 2 : 1);  // SEGV_ACCERR : SEGV_MAPERR
    s.address = *cr2;
    access = (*err & kPfInstruction) != 0 ? "execute" : (*err & kPfWrite) != 0 ? "write" : "read";
    return s;
  }
  if (*trapno == kTrapGeneralProtection && signo == kSigSegv) {
    SignalReport s = make_signal(kSigSegv, 0x80);  // SI_KERNEL: no fault address
    s.address = 0;
    return s;
  }
  if (*trapno == kTrapDivide && signo == kSigFpe) return make_signal(kSigFpe, 1);           // FPE_INTDIV
  if (*trapno == kTrapInvalidOpcode && signo == kSigIll) return make_signal(kSigIll, 2);    // ILL_ILLOPN
  return std::nullopt;
}

}  // namespace

bool is_fault_signal(int signo) {
  return signo == kSigSegv || signo == kSigBus || signo == kSigIll || signo == kSigFpe || signo == kSigTrap;
}

bool is_sent_fault_signal(const SignalReport& signal) {
  return is_fault_signal(signal.number) &&
         (signal.code == kSiUser || signal.code == kSiQueue || signal.code == kSiTkill);
}

std::optional<FirstDelivery> read_first_delivery(const ThreadReport& thread, const MemorySource& memory, Arch arch,
                                                 int signo) {
  std::size_t trampoline = thread.frames.size();
  for (std::size_t i = 1; i < thread.frames.size() && trampoline == thread.frames.size(); ++i) {
    if (thread.frames[i].signal_frame) trampoline = i;  // named __restore_rt (libc's symbols)
  }
  // Without libc's symbols: the unwinder looks up both the trampoline (entered by no call) and
  // the frame it interrupted at their own pc, not pc - 1, unlike every called frame.
  auto activation = [&](std::size_t i) {
    return !thread.frames[i].inlined && thread.frames[i].lookup_pc == thread.frames[i].pc;
  };
  for (std::size_t i = 1; i + 1 < thread.frames.size() && trampoline == thread.frames.size(); ++i) {
    if (activation(i) && activation(i + 1)) trampoline = i;
  }
  if (trampoline == 0 || trampoline + 1 >= thread.frames.size()) return std::nullopt;
  FirstDelivery d;
  d.handler_frame = trampoline - 1;
  // Inlined frames share the handler's pc: the handler is the outermost of them, next to the
  // trampoline; the interrupted frame is the innermost below it.
  d.handler = thread.frames[d.handler_frame].function;
  d.interrupted_frame = trampoline + 1;
  const Frame& tramp = thread.frames[trampoline];
  if (arch != Arch::x86_64 || !tramp.sp) return d;
  const std::uint64_t uc = *tramp.sp;
  std::vector<Register> regs;
  for (std::size_t i = 0; i < kSigcontextRegisters.size(); ++i) {
    auto v = read_u64(memory, uc + kMcontext + 8 * i);
    if (!v) return d;
    regs.push_back({kSigcontextRegisters[i], *v});  // static names: Register holds a view
  }
  // The layout is confirmed by the unwinder: the saved rip is where it found the interrupted frame.
  const Frame& interrupted = thread.frames[d.interrupted_frame];
  if (regs[16].value != interrupted.pc) return d;
  d.registers = std::move(regs);
  if (auto s = read_siginfo(memory, uc + kSiginfo, signo)) {
    d.signal = *s;
    d.source = "siginfo";
    // The same delivery's page fault: its error code says read, write or fetch.
    std::string access;
    auto trap = signal_from_trap(memory, uc + kMcontext, signo, access);
    if (trap && trap->address && s->address && *trap->address == *s->address) d.access = access;
  } else if (auto t = signal_from_trap(memory, uc + kMcontext, signo, d.access)) {
    d.signal = *t;
    d.source = "trap";
  }
  return d;
}

std::optional<std::size_t> signal_sending_frame(const ThreadReport& thread) {
  static constexpr std::array<std::string_view, 16> kSenders{
      "raise", "__GI_raise", "gsignal", "kill", "__kill", "__GI___kill", "tgkill", "__GI_tgkill", "tkill",
      "pthread_kill", "__pthread_kill", "__GI___pthread_kill", "__pthread_kill_implementation",
      "__pthread_kill_internal", "sigqueue", "__sigqueue"};
  std::optional<std::size_t> last;
  // Only the innermost frames: a sender further down called something else since.
  for (std::size_t i = 0; i < thread.frames.size() && i < 8; ++i) {
    std::string base = function_base_name(thread.frames[i].function);
    bool sender = false;
    for (auto n : kSenders) sender |= base == n;
    if (sender) last = i;
    else if (last) break;
  }
  return last;
}

}  // namespace corelens
