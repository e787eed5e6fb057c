#include "core/model/signals.hpp"

#include <array>
#include <string_view>

namespace corelens {
namespace {

struct SignalEntry {
  std::string_view name;
  std::string_view description;
};

// Indexed by signal number (x86_64, asm-generic numbering).
constexpr std::array<SignalEntry, 32> kSignals = {{
    {"", ""},
    {"SIGHUP", "Hangup"},
    {"SIGINT", "Interrupt"},
    {"SIGQUIT", "Quit"},
    {"SIGILL", "Illegal instruction"},
    {"SIGTRAP", "Trace/breakpoint trap"},
    {"SIGABRT", "Aborted"},
    {"SIGBUS", "Bus error"},
    {"SIGFPE", "Floating point exception"},
    {"SIGKILL", "Killed"},
    {"SIGUSR1", "User defined signal 1"},
    {"SIGSEGV", "Segmentation fault"},
    {"SIGUSR2", "User defined signal 2"},
    {"SIGPIPE", "Broken pipe"},
    {"SIGALRM", "Alarm clock"},
    {"SIGTERM", "Terminated"},
    {"SIGSTKFLT", "Stack fault"},
    {"SIGCHLD", "Child exited"},
    {"SIGCONT", "Continued"},
    {"SIGSTOP", "Stopped (signal)"},
    {"SIGTSTP", "Stopped"},
    {"SIGTTIN", "Stopped (tty input)"},
    {"SIGTTOU", "Stopped (tty output)"},
    {"SIGURG", "Urgent I/O condition"},
    {"SIGXCPU", "CPU time limit exceeded"},
    {"SIGXFSZ", "File size limit exceeded"},
    {"SIGVTALRM", "Virtual timer expired"},
    {"SIGPROF", "Profiling timer expired"},
    {"SIGWINCH", "Window changed"},
    {"SIGIO", "I/O possible"},
    {"SIGPWR", "Power failure"},
    {"SIGSYS", "Bad system call"},
}};

constexpr int kSigRtMin = 32;  // the kernel's SIGRTMIN; glibc reserves 32 and 33 for itself
constexpr int kSigRtMax = 64;

enum : int { kSIGILL = 4, kSIGTRAP = 5, kSIGBUS = 7, kSIGFPE = 8, kSIGSEGV = 11, kSIGCHLD = 17,
             kSIGPOLL = 29, kSIGSYS = 31 };

struct CodeEntry {
  int code;
  std::string_view name;
  std::string_view description;
};

// Codes a process (not the kernel's fault handling) uses: zero or negative.
constexpr CodeEntry kSenderCodes[] = {
    {0, "SI_USER", "sent by kill, sigsend or raise"},
    {0x80, "SI_KERNEL", "sent by the kernel"},
    {-1, "SI_QUEUE", "sent by sigqueue"},
    {-2, "SI_TIMER", "POSIX timer expired"},
    {-3, "SI_MESGQ", "POSIX message queue state changed"},
    {-4, "SI_ASYNCIO", "AIO completed"},
    {-5, "SI_SIGIO", "queued SIGIO"},
    {-6, "SI_TKILL", "sent by tkill or tgkill"},
    {-7, "SI_DETHREAD", "sent by execve killing subsidiary threads"},
    {-60, "SI_ASYNCNL", "sent by asynchronous name lookup completion"},
};

constexpr CodeEntry kSegvCodes[] = {
    {1, "SEGV_MAPERR", "address not mapped to object"},
    {2, "SEGV_ACCERR", "invalid permissions for mapped object"},
    {3, "SEGV_BNDERR", "failed address bound checks"},
    {4, "SEGV_PKUERR", "failed protection key checks"},
    {5, "SEGV_ACCADI", "ADI not enabled for mapped object"},
    {6, "SEGV_ADIDERR", "disrupting MCD error"},
    {7, "SEGV_ADIPERR", "precise MCD exception"},
    {8, "SEGV_MTEAERR", "asynchronous ARM MTE error"},
    {9, "SEGV_MTESERR", "synchronous ARM MTE exception"},
    {10, "SEGV_CPERR", "control protection fault"},
};
constexpr CodeEntry kBusCodes[] = {
    {1, "BUS_ADRALN", "invalid address alignment"},
    {2, "BUS_ADRERR", "non-existent physical address"},
    {3, "BUS_OBJERR", "object specific hardware error"},
    {4, "BUS_MCEERR_AR", "hardware memory error consumed on a machine check: action required"},
    {5, "BUS_MCEERR_AO", "hardware memory error detected in process but not consumed: action optional"},
};
constexpr CodeEntry kIllCodes[] = {
    {1, "ILL_ILLOPC", "illegal opcode"},
    {2, "ILL_ILLOPN", "illegal operand"},
    {3, "ILL_ILLADR", "illegal addressing mode"},
    {4, "ILL_ILLTRP", "illegal trap"},
    {5, "ILL_PRVOPC", "privileged opcode"},
    {6, "ILL_PRVREG", "privileged register"},
    {7, "ILL_COPROC", "coprocessor error"},
    {8, "ILL_BADSTK", "internal stack error"},
    {9, "ILL_BADIADDR", "unimplemented instruction address"},
};
constexpr CodeEntry kFpeCodes[] = {
    {1, "FPE_INTDIV", "integer divide by zero"},
    {2, "FPE_INTOVF", "integer overflow"},
    {3, "FPE_FLTDIV", "floating-point divide by zero"},
    {4, "FPE_FLTOVF", "floating-point overflow"},
    {5, "FPE_FLTUND", "floating-point underflow"},
    {6, "FPE_FLTRES", "floating-point inexact result"},
    {7, "FPE_FLTINV", "floating-point invalid operation"},
    {8, "FPE_FLTSUB", "subscript out of range"},
    {14, "FPE_FLTUNK", "undiagnosed floating-point exception"},
    {15, "FPE_CONDTRAP", "trap on condition"},
};
constexpr CodeEntry kTrapCodes[] = {
    {1, "TRAP_BRKPT", "process breakpoint"},
    {2, "TRAP_TRACE", "process trace trap"},
    {3, "TRAP_BRANCH", "process taken branch trap"},
    {4, "TRAP_HWBKPT", "hardware breakpoint or watchpoint"},
    {5, "TRAP_UNK", "undiagnosed trap"},
    {6, "TRAP_PERF", "perf event with sigtrap=1"},
};
constexpr CodeEntry kChldCodes[] = {
    {1, "CLD_EXITED", "child has exited"},
    {2, "CLD_KILLED", "child was killed"},
    {3, "CLD_DUMPED", "child terminated abnormally"},
    {4, "CLD_TRAPPED", "traced child has trapped"},
    {5, "CLD_STOPPED", "child has stopped"},
    {6, "CLD_CONTINUED", "stopped child has continued"},
};
constexpr CodeEntry kPollCodes[] = {
    {1, "POLL_IN", "data input available"},
    {2, "POLL_OUT", "output buffers available"},
    {3, "POLL_MSG", "input message available"},
    {4, "POLL_ERR", "I/O error"},
    {5, "POLL_PRI", "high priority input available"},
    {6, "POLL_HUP", "device disconnected"},
};
constexpr CodeEntry kSysCodes[] = {
    {1, "SYS_SECCOMP", "seccomp triggered"},
    {2, "SYS_USER_DISPATCH", "syscall user dispatch triggered"},
};

template <std::size_t N>
const CodeEntry* lookup(const CodeEntry (&table)[N], int code) {
  for (const auto& e : table) {
    if (e.code == code) return &e;
  }
  return nullptr;
}

const CodeEntry* lookup_signal_specific(int signo, int code) {
  switch (signo) {
    case kSIGSEGV: return lookup(kSegvCodes, code);
    case kSIGBUS: return lookup(kBusCodes, code);
    case kSIGILL: return lookup(kIllCodes, code);
    case kSIGFPE: return lookup(kFpeCodes, code);
    case kSIGTRAP: return lookup(kTrapCodes, code);
    case kSIGCHLD: return lookup(kChldCodes, code);
    case kSIGPOLL: return lookup(kPollCodes, code);
    case kSIGSYS: return lookup(kSysCodes, code);
    default: return nullptr;
  }
}

}  // namespace

std::string signal_name(int signo) {
  if (signo > 0 && signo < static_cast<int>(kSignals.size())) return std::string(kSignals[signo].name);
  if (signo >= kSigRtMin && signo <= kSigRtMax) {
    return signo == kSigRtMin ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(signo - kSigRtMin);
  }
  return "SIG" + std::to_string(signo);
}

std::string signal_description(int signo) {
  if (signo > 0 && signo < static_cast<int>(kSignals.size())) {
    return std::string(kSignals[signo].description);
  }
  if (signo >= kSigRtMin && signo <= kSigRtMax) return "Real-time signal " + std::to_string(signo - kSigRtMin);
  return "Unknown signal " + std::to_string(signo);
}

SiCodeText describe_si_code(int signo, int code) {
  // Positive codes below SI_KERNEL are signal-specific; SI_KERNEL and codes <= 0 are generic.
  if (code > 0 && code < 0x80) {
    if (const CodeEntry* e = lookup_signal_specific(signo, code)) {
      return {std::string(e->name), std::string(e->description)};
    }
    return {"", "signal-specific code " + std::to_string(code)};
  }
  if (const CodeEntry* e = lookup(kSenderCodes, code)) {
    return {std::string(e->name), std::string(e->description)};
  }
  return {"", "unknown code " + std::to_string(code)};
}

bool signal_has_fault_address(int signo) {
  return signo == kSIGSEGV || signo == kSIGBUS || signo == kSIGILL || signo == kSIGFPE ||
         signo == kSIGTRAP;
}

bool si_code_has_sender(int signo, int code) {
  if (code == 0 || code == -1 || code == -6) return true;  // SI_USER, SI_QUEUE, SI_TKILL
  return signo == kSIGCHLD && code > 0;
}

}  // namespace corelens
