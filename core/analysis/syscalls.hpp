// The system call a thread is blocked in, read from its registers at the syscall.
//
// When a core is written (or a live thread is interrupted) while a thread sleeps in a system
// call, the kernel leaves that thread's registers as they were on entry, but for the return value:
// x86_64 keeps the call's number in orig_rax (-1 when the thread was not in a system call) and its
// arguments in rdi, rsi, rdx, r10, r8 and r9; rax holds -ERESTARTSYS or -EINTR. i386 (a 32-bit
// process read live) the same in orig_eax, ebx, ecx, edx, esi, edi, ebp and eax. aarch64 prepares
// the restart before the core is written: the call is read from x8 and the code at pc
// (syscalls_aarch64.cpp). Other architectures are not read (yet): there no thread is seen
// waiting in a system call, and the hang analysis says it cannot tell.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/model/arch.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"

namespace corelens {

// The call THREAD_REGISTERS show a thread blocked in; nullopt when it is not in one, or ARCH's
// cores do not say. Names and argument names are the kernel's; the arguments are raw here (the
// wait analysis renders them, reading memory where one points to a value). CODE: the process's
// memory, where aarch64's instruction at pc tells (null: aarch64 threads are not read).
std::optional<BlockingSyscall> blocking_syscall(Arch arch, const std::vector<Register>& thread_registers,
                                                const MemorySource* code = nullptr);

// Whether corelens reads the system call a thread of ARCH sleeps in. When it does not, a thread
// with no wait is not known to be running: the hang analysis says it cannot tell.
bool syscalls_readable(Arch arch);

// A thread stopped in a sleep with a timeout (a debugger attached, Ctrl-Z and fg, gcore) goes back
// to sleep through restart_syscall once it runs again: orig_rax then says restart_syscall, not
// the call. Its registers still hold the first call's arguments (the kernel restarts it from the
// same user registers), and the C library's wrapper that made it is the innermost frame: WRAPPER,
// as api_name gives it ("clock_nanosleep", "poll"). The call it names, with those arguments;
// nullopt when S is not restart_syscall or the wrapper names no call we know.
std::optional<BlockingSyscall> restarted_syscall(Arch arch, const std::vector<Register>& thread_registers,
                                                 const BlockingSyscall& s, std::string_view wrapper);

// futex(2) operations (include/uapi/linux/futex.h), without FUTEX_PRIVATE_FLAG and
// FUTEX_CLOCK_REALTIME.
inline constexpr std::uint64_t kFutexWait = 0, kFutexLockPi = 6, kFutexWaitBitset = 9, kFutexWaitRequeuePi = 11,
                               kFutexLockPi2 = 13;
inline constexpr std::uint64_t kFutexCommandMask = 0x7f;
// The owner's tid in a PI or robust lock word (FUTEX_TID_MASK).
inline constexpr std::uint32_t kFutexTidMask = 0x3fffffff;

}  // namespace corelens
