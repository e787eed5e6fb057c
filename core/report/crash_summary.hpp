// The crash in words for people: the lines at the top of the GUI's window, the one-line summary
// its Copy action takes, a thread's backtrace as text, and which frame to show first. Qt-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "core/model/report.hpp"

namespace corelens {

struct CrashSummary {
  std::string signal;       // "SIGSEGV (Segmentation fault)"; "No signal recorded"
  std::string cause;        // "SEGV_MAPERR: address not mapped to object"
  std::string address;      // "fault address 0x0"; empty when the signal has none
  std::string thread;       // "thread 27914 "null_read" (1 of 1)"
  std::string location;     // "f3 at null_read.c:15" (the frame shown first)
  std::string explanation;  // the analysis's sentence: "read of 4 bytes at 0x0 through rax ..."
  std::string category;     // "null-pointer-read, probably not exploitable"; empty without analysis
  std::string process;      // "/path/prog  pid 27914  core written by the kernel"
};

CrashSummary summarize(const Report& report);
// One line of plain text: "SIGSEGV (Segmentation fault), SEGV_MAPERR: ... at 0x0 in thread ...".
std::string summary_line(const CrashSummary& summary);

// Index into report.threads of the crashing thread (0 when none is marked).
std::size_t crashed_thread(const Report& report);

// The frame a person wants to see first. Frame 0, except when the process killed itself (abort,
// assert, an uncaught exception: the signal came from the process, si_code <= 0) and frame 0 is
// outside the main executable: then the innermost frame in the main executable, which is the
// program's own code that gave up, rather than raise() inside libc. A kernel dump's panicking
// CPU: the frame below the panic machinery (KernelReport::panic_frame).
std::size_t first_interesting_frame(const Report& report, const ThreadReport& thread);

// The index of the real (non-inlined) frame that an inlined frame is part of: inlined frames
// share their pc and registers with it.
std::size_t physical_frame(const StackReport& stack, std::size_t index);

// "f3 +0xc", "??" when unknown.
std::string function_text(const Frame& frame);
// "null_read.c:15:12" (basename), empty without a file.
std::string location_text(const Frame& frame, bool full_path = false);

// The stack of one thread as text (frame_to_text lines under a "Thread N" header), its pcs in
// ADDRESS_DIGITS hex digits (address_digits of the report's architecture).
std::string backtrace_text(const ThreadReport& thread, int address_digits = 16);
// Any stack (a kernel task's own) as text, under TITLE ("Thread 2 \"[kthreadd]\"") and a colon.
// Its pc in ADDRESS_DIGITS hex digits (frame_to_text).
std::string backtrace_text(const StackReport& stack, const std::string& title, int address_digits = 16);

}  // namespace corelens
