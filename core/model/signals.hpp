// Signal numbers and si_code values in words, as Linux defines them (asm-generic/siginfo.h).
// Numbers are the x86_64/aarch64 (asm-generic) ones; they are the same on every architecture we
// read except SIGBUS/SIGUSR1 layouts on a few we do not support yet.
#pragma once

#include <cstdint>
#include <string>

namespace corelens {

// "SIGSEGV"; "SIG42" for a number without a name; "SIGRTMIN+3" for real-time signals.
std::string signal_name(int signo);
// "Segmentation fault" (as strsignal would say, independent of the host's locale).
std::string signal_description(int signo);

struct SiCodeText {
  std::string name;         // "SEGV_MAPERR", "SI_TKILL", "FPE_INTDIV"; "" when unknown
  std::string description;  // "address not mapped to object"
};

// si_code in words for SIGNO. Negative and zero codes (sent by a process) are the same for every
// signal; positive codes depend on the signal.
SiCodeText describe_si_code(int signo, int code);

// Whether the kernel fills si_addr for this signal (a fault address is meaningful).
bool signal_has_fault_address(int signo);
// Whether si_code says the signal was sent by a process (si_pid and si_uid are meaningful).
bool si_code_has_sender(int signo, int code);

}  // namespace corelens
