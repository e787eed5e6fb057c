// Signal names and si_code texts. Values are checked twice: against the literal numbers of the
// Linux uapi (asm-generic/siginfo.h) and against this host's <signal.h>, so a wrong table entry
// cannot agree with the test by accident.
#include "core/model/signals.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <limits>
#include <set>
#include <string>

namespace corelens {
namespace {

TEST(SignalName, ClassicSignals) {
  EXPECT_EQ(signal_name(4), "SIGILL");
  EXPECT_EQ(signal_name(6), "SIGABRT");
  EXPECT_EQ(signal_name(7), "SIGBUS");
  EXPECT_EQ(signal_name(8), "SIGFPE");
  EXPECT_EQ(signal_name(11), "SIGSEGV");
  EXPECT_EQ(signal_name(19), "SIGSTOP");
  EXPECT_EQ(signal_name(31), "SIGSYS");
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGBUS), "SIGBUS");
  EXPECT_EQ(signal_name(SIGSTKFLT), "SIGSTKFLT");
  EXPECT_EQ(signal_name(SIGPWR), "SIGPWR");
  EXPECT_EQ(signal_name(SIGWINCH), "SIGWINCH");
  EXPECT_EQ(signal_name(SIGSYS), "SIGSYS");
}

TEST(SignalName, EveryClassicNumberHasItsOwnName) {
  std::set<std::string> seen;
  for (int s = 1; s < 32; ++s) {
    std::string n = signal_name(s);
    EXPECT_EQ(n.rfind("SIG", 0), 0u) << s;
    EXPECT_TRUE(seen.insert(n).second) << "duplicate name " << n;
    EXPECT_FALSE(signal_description(s).empty()) << s;
  }
}

TEST(SignalName, RealTimeSignals) {
  EXPECT_EQ(signal_name(32), "SIGRTMIN");
  EXPECT_EQ(signal_name(33), "SIGRTMIN+1");
  EXPECT_EQ(signal_name(34), "SIGRTMIN+2");
  EXPECT_EQ(signal_name(64), "SIGRTMIN+32");
  EXPECT_EQ(signal_description(35), "Real-time signal 3");
}

TEST(SignalName, UnknownNumbers) {
  EXPECT_EQ(signal_name(0), "SIG0");
  EXPECT_EQ(signal_name(65), "SIG65");
  EXPECT_EQ(signal_name(-1), "SIG-1");
  EXPECT_EQ(signal_name(1000000), "SIG1000000");
  EXPECT_EQ(signal_description(0), "Unknown signal 0");
  EXPECT_EQ(signal_description(99), "Unknown signal 99");
}

TEST(SignalDescription, AsStrsignalSaysIt) {
  EXPECT_EQ(signal_description(11), "Segmentation fault");
  EXPECT_EQ(signal_description(6), "Aborted");
  EXPECT_EQ(signal_description(8), "Floating point exception");
  EXPECT_EQ(signal_description(4), "Illegal instruction");
  EXPECT_EQ(signal_description(7), "Bus error");
}

void expect_code(int signo, int code, const std::string& name, const std::string& words) {
  SiCodeText t = describe_si_code(signo, code);
  EXPECT_EQ(t.name, name) << "signal " << signo << " code " << code;
  if (!words.empty()) {
    EXPECT_NE(t.description.find(words), std::string::npos)
        << "signal " << signo << " code " << code << ": " << t.description;
  }
}

TEST(SiCode, FaultCodes) {
  expect_code(11, 1, "SEGV_MAPERR", "not mapped");
  expect_code(11, 2, "SEGV_ACCERR", "permissions");
  expect_code(8, 1, "FPE_INTDIV", "divide by zero");
  expect_code(4, 2, "ILL_ILLOPN", "illegal operand");
  expect_code(4, 1, "ILL_ILLOPC", "illegal opcode");
  expect_code(7, 1, "BUS_ADRALN", "alignment");
  expect_code(7, 2, "BUS_ADRERR", "");
  expect_code(5, 1, "TRAP_BRKPT", "breakpoint");
  expect_code(17, 3, "CLD_DUMPED", "");
  expect_code(31, 1, "SYS_SECCOMP", "seccomp");
}

TEST(SiCode, FaultCodesMatchTheHostHeaders) {
  expect_code(SIGSEGV, SEGV_MAPERR, "SEGV_MAPERR", "");
  expect_code(SIGSEGV, SEGV_ACCERR, "SEGV_ACCERR", "");
  expect_code(SIGSEGV, SEGV_PKUERR, "SEGV_PKUERR", "");
  expect_code(SIGSEGV, SEGV_MTESERR, "SEGV_MTESERR", "");
  expect_code(SIGBUS, BUS_MCEERR_AR, "BUS_MCEERR_AR", "");
  expect_code(SIGILL, ILL_BADSTK, "ILL_BADSTK", "");
  expect_code(SIGFPE, FPE_INTOVF, "FPE_INTOVF", "");
  expect_code(SIGFPE, FPE_FLTINV, "FPE_FLTINV", "");
  expect_code(SIGFPE, FPE_FLTSUB, "FPE_FLTSUB", "");
  expect_code(SIGTRAP, TRAP_TRACE, "TRAP_TRACE", "");
  expect_code(SIGCHLD, CLD_EXITED, "CLD_EXITED", "");
  expect_code(SIGPOLL, POLL_HUP, "POLL_HUP", "");
}

TEST(SiCode, FpeUndiagnosedAndCondTrapHaveTheKernelsNumbers) {
  // asm-generic/siginfo.h: 9..13 are the (unused) __FPE_DEC*/__FPE_INV* codes,
  // FPE_FLTUNK = 14, FPE_CONDTRAP = 15. glibc agrees (FPE_FLTUNK = 14).
  static_assert(FPE_FLTUNK == 14 && FPE_CONDTRAP == 15);
  // BUG: the table has FPE_FLTUNK = 9 and FPE_CONDTRAP = 10.
  expect_code(SIGFPE, 14, "FPE_FLTUNK", "undiagnosed");
  expect_code(SIGFPE, 15, "FPE_CONDTRAP", "");
  EXPECT_NE(describe_si_code(SIGFPE, 9).name, "FPE_FLTUNK");
  EXPECT_NE(describe_si_code(SIGFPE, 10).name, "FPE_CONDTRAP");
}

TEST(SiCode, SenderCodesAreTheSameForEverySignal) {
  for (int signo : {4, 6, 8, 11, 15}) {
    expect_code(signo, 0, "SI_USER", "kill");
    expect_code(signo, -6, "SI_TKILL", "tkill");
    expect_code(signo, -1, "SI_QUEUE", "sigqueue");
    expect_code(signo, 0x80, "SI_KERNEL", "kernel");
  }
  expect_code(SIGABRT, SI_TKILL, "SI_TKILL", "");
  expect_code(SIGSEGV, SI_USER, "SI_USER", "");
  expect_code(SIGSEGV, SI_KERNEL, "SI_KERNEL", "");
  expect_code(SIGALRM, SI_TIMER, "SI_TIMER", "");
  expect_code(SIGIO, SI_SIGIO, "SI_SIGIO", "");
  expect_code(SIGIO, SI_ASYNCNL, "SI_ASYNCNL", "");
}

TEST(SiCode, UnknownCodesSayWhatTheyAre) {
  SiCodeText neg = describe_si_code(11, -42);
  EXPECT_EQ(neg.name, "");
  EXPECT_EQ(neg.description, "unknown code -42");
  SiCodeText big = describe_si_code(11, 99);
  EXPECT_EQ(big.name, "");
  EXPECT_EQ(big.description, "signal-specific code 99");
  // SIGABRT has no signal-specific codes: 1 is not SEGV_MAPERR there.
  SiCodeText abrt = describe_si_code(6, 1);
  EXPECT_EQ(abrt.name, "");
  EXPECT_NE(abrt.description.find("1"), std::string::npos);
  EXPECT_EQ(describe_si_code(11, 0x81).name, "");
  EXPECT_EQ(describe_si_code(11, std::numeric_limits<int>::min()).name, "");
  EXPECT_EQ(describe_si_code(11, std::numeric_limits<int>::max()).name, "");
}

TEST(SiCode, FaultAddressAndSenderPredicates) {
  for (int s : {4, 5, 7, 8, 11}) EXPECT_TRUE(signal_has_fault_address(s)) << s;
  for (int s : {1, 2, 6, 9, 15, 19, 34}) EXPECT_FALSE(signal_has_fault_address(s)) << s;
  EXPECT_TRUE(si_code_has_sender(11, 0));    // kill -SEGV
  EXPECT_TRUE(si_code_has_sender(6, -6));    // raise() -> tgkill
  EXPECT_TRUE(si_code_has_sender(10, -1));   // sigqueue
  EXPECT_TRUE(si_code_has_sender(17, 1));    // SIGCHLD carries the child's pid
  EXPECT_FALSE(si_code_has_sender(11, 1));   // SEGV_MAPERR: si_addr, not si_pid
  EXPECT_FALSE(si_code_has_sender(11, 0x80));
  EXPECT_FALSE(si_code_has_sender(14, -2));  // SI_TIMER: si_tid/si_overrun, no sender
}

}  // namespace
}  // namespace corelens
