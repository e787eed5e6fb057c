// Fault signals a process sends itself: SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGTRAP whose si_code
// says a process sent them (SI_USER from kill, SI_TKILL from raise/tgkill/pthread_kill, SI_QUEUE
// from sigqueue) rather than the CPU raising them. Nothing faulted where such a signal arrived;
// what matters is who sent it and, when a signal handler re-raised it (as crash reporters do),
// the first delivery, which the kernel saved in the signal frame below the handler.
//
// Ownership: every function reads the borrowed thread and memory and returns values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/arch.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/report.hpp"

namespace corelens {

// SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP: the signals the CPU raises for a faulting instruction.
bool is_fault_signal(int signo);

// SIGNAL is a fault signal that a process sent (si_code SI_USER, SI_QUEUE or SI_TKILL).
bool is_sent_fault_signal(const SignalReport& signal);

// The first delivery of a signal that a handler caught, read from the kernel's signal frame
// (x86_64's struct rt_sigframe: the handler returns into __restore_rt with sp at its ucontext).
struct FirstDelivery {
  std::size_t handler_frame = 0;      // index in the thread's frames: the handler's own frame
  std::size_t interrupted_frame = 0;  // the frame the signal interrupted (below the trampoline)
  std::string handler;                // the handler's function name ("" when unknown)
  std::vector<Register> registers;    // every general register at the interruption (uc_mcontext)
  SignalReport signal;                // what the kernel delivered then
  // Where SIGNAL came from: "siginfo" (the handler was installed with SA_SIGINFO, so the kernel
  // copied the siginfo into the frame) or "trap" (the exception the CPU took: trapno, error code
  // and cr2 of the sigcontext). Empty when the frame held neither: only the handler is known.
  std::string source;
  std::string access;                 // "read", "write", "execute" from a page fault's error code
};

// The innermost signal frame on THREAD's stack, with what the kernel saved there of a delivery of
// SIGNO; nullopt when the stack holds no signal trampoline. Only x86_64's frame layout is read:
// elsewhere, or when the frame does not hold SIGNO, the handler is named and SOURCE stays empty.
std::optional<FirstDelivery> read_first_delivery(const ThreadReport& thread, const MemorySource& memory, Arch arch,
                                                 int signo);

// The index of the innermost frame of a call that sends signals (raise, kill, tgkill,
// pthread_kill, sigqueue and glibc's internal names for them), or nullopt.
std::optional<std::size_t> signal_sending_frame(const ThreadReport& thread);

}  // namespace corelens
