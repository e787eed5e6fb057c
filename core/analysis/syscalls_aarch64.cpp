// aarch64: the system call a thread sleeps in, from the registers an aarch64 core holds.
//
// The kernel writes a core from inside get_signal(), and arm64's do_signal() has already prepared
// the restart of an interrupted call before it gets there ("so that a debugger will see the
// already changed PC", arch/arm64/kernel/signal.c): for -ERESTARTSYS, -ERESTARTNOINTR,
// -ERESTARTNOHAND and -ERESTART_RESTARTBLOCK, x0 holds the first argument again and pc points at
// the `svc #0` that made the call, while NT_ARM_SYSTEM_CALL already says -1 (forget_syscall).
// x8, the call's number by the ABI, is never touched (restart_syscall replaces it only when the
// thread runs again). A call that returns -EINTR itself (epoll_pwait) leaves pc after the svc and
// x0 = -EINTR: the first argument is lost. So: code bytes, never the syscall note, tell.
#include <span>

#include "core/analysis/explain.hpp"
#include "core/analysis/syscall_table.hpp"
#include "core/analysis/syscalls_aarch64.hpp"

namespace corelens {
namespace {

using syscall_table::Entry;

constexpr std::uint32_t kSvc0 = 0xd4000001;  // svc #0, the only form Linux's ABI uses
constexpr std::int64_t kEintr = 4;
constexpr std::int64_t kRestartSyscall = 128;

// include/uapi/asm-generic/unistd.h, the numbering arm64 uses.
constexpr Entry kAarch64[] = {
    {4, "io_getevents", {"ctx_id", "min_nr", "nr", "events", "timeout"}},
    {22, "epoll_pwait", {"epfd", "events", "maxevents", "timeout", "sigmask", "sigsetsize"}},
    {25, "fcntl", {"fd", "cmd", "arg"}},
    {29, "ioctl", {"fd", "cmd", "arg"}},
    {32, "flock", {"fd", "cmd"}},
    {56, "openat", {"dfd", "filename", "flags", "mode"}},
    {57, "close", {"fd"}},
    {63, "read", {"fd", "buf", "count"}},
    {64, "write", {"fd", "buf", "count"}},
    {65, "readv", {"fd", "vec", "vlen"}},
    {66, "writev", {"fd", "vec", "vlen"}},
    {67, "pread64", {"fd", "buf", "count", "pos"}},
    {68, "pwrite64", {"fd", "buf", "count", "pos"}},
    {72, "pselect6", {"n", "inp", "outp", "exp", "tsp", "sig"}},
    {73, "ppoll", {"ufds", "nfds", "tsp", "sigmask", "sigsetsize"}},
    {76, "splice", {"fd_in", "off_in", "fd_out", "off_out", "len", "flags"}},
    {82, "fsync", {"fd"}},
    {83, "fdatasync", {"fd"}},
    {95, "waitid", {"which", "upid", "infop", "options", "ru"}},
    {98, "futex", {"uaddr", "op", "val", "utime", "uaddr2", "val3"}},
    {101, "nanosleep", {"rqtp", "rmtp"}},
    {115, "clock_nanosleep", {"which_clock", "flags", "rqtp", "rmtp"}},
    {117, "ptrace", {"request", "pid", "addr", "data"}},
    {124, "sched_yield", {}},
    {kRestartSyscall, "restart_syscall", {}},
    {133, "rt_sigsuspend", {"unewset", "sigsetsize"}},
    {137, "rt_sigtimedwait", {"uthese", "uinfo", "uts", "sigsetsize"}},
    {182, "mq_timedsend", {"mqdes", "u_msg_ptr", "msg_len", "msg_prio", "u_abs_timeout"}},
    {183, "mq_timedreceive", {"mqdes", "u_msg_ptr", "msg_len", "u_msg_prio", "u_abs_timeout"}},
    {188, "msgrcv", {"msqid", "msgp", "msgsz", "msgtyp", "msgflg"}},
    {189, "msgsnd", {"msqid", "msgp", "msgsz", "msgflg"}},
    {192, "semtimedop", {"semid", "tsops", "nsops", "timeout"}},
    {193, "semop", {"semid", "tsops", "nsops"}},
    {202, "accept", {"fd", "upeer_sockaddr", "upeer_addrlen"}},
    {203, "connect", {"fd", "uservaddr", "addrlen"}},
    {206, "sendto", {"fd", "buff", "len", "flags", "addr", "addr_len"}},
    {207, "recvfrom", {"fd", "ubuf", "size", "flags", "addr", "addr_len"}},
    {211, "sendmsg", {"fd", "msg", "flags"}},
    {212, "recvmsg", {"fd", "msg", "flags"}},
    {242, "accept4", {"fd", "upeer_sockaddr", "upeer_addrlen", "flags"}},
    {243, "recvmmsg", {"fd", "mmsg", "vlen", "flags", "timeout"}},
    {260, "wait4", {"upid", "stat_addr", "options", "ru"}},
    {426, "io_uring_enter", {"fd", "to_submit", "min_complete", "flags", "argp", "argsz"}},
    {441, "epoll_pwait2", {"epfd", "events", "maxevents", "timeout", "sigmask", "sigsetsize"}},
    {449, "futex_waitv", {"waiters", "nr_futexes", "flags", "timeout", "clockid"}},
    {455, "futex_wait", {"uaddr", "val", "mask", "flags", "timeout", "clockid"}},
};
// Past it, not a system call (asm-generic numbers stay below 1024).
constexpr std::int64_t kMaxNumber = 1023;

std::optional<std::uint32_t> instruction_at(const MemorySource& code, std::uint64_t addr) {
  std::array<std::byte, 4> b{};
  if (!code.read(addr, b)) return std::nullopt;
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint32_t>(b[static_cast<std::size_t>(i)]);
  return v;  // aarch64 instructions are little-endian whatever the data's byte order
}

constexpr std::array<std::string_view, 6> kArgRegisters{"x0", "x1", "x2", "x3", "x4", "x5"};

// The call NUMBER with the arguments the registers still hold: x0 onwards, or x1 onwards when
// x0 holds the call's result.
BlockingSyscall call(std::int64_t number, const std::vector<Register>& regs, bool first_lost) {
  return syscall_table::call_with_arguments(kAarch64, number, kArgRegisters, regs, first_lost ? 1 : 0);
}

}  // namespace

std::optional<BlockingSyscall> aarch64_blocking_syscall(const std::vector<Register>& regs, const MemorySource* code) {
  if (code == nullptr) return std::nullopt;
  auto pc = register_value(regs, "pc");
  auto x8 = register_value(regs, "x8");
  auto x0 = register_value(regs, "x0");
  if (!pc || !x8 || !x0) return std::nullopt;
  const auto number = static_cast<std::int64_t>(*x8);
  if (number < 0 || number > kMaxNumber) return std::nullopt;
  if (instruction_at(*code, *pc) == kSvc0) return call(number, regs, false);  // to be restarted
  if (*pc >= 4 && static_cast<std::int64_t>(*x0) == -kEintr && instruction_at(*code, *pc - 4) == kSvc0) {
    return call(number, regs, true);  // returned -EINTR: x0 is the result
  }
  return std::nullopt;
}

std::optional<BlockingSyscall> aarch64_restarted_syscall(const std::vector<Register>& regs, const BlockingSyscall& s,
                                                         std::string_view wrapper) {
  if (s.number != kRestartSyscall) return std::nullopt;
  const Entry* e = syscall_table::restarted_entry(kAarch64, wrapper, kRestartSyscall);
  if (e != nullptr) return call(e->number, regs, false);
  return std::nullopt;
}

}  // namespace corelens
