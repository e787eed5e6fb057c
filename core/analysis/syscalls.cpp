#include "core/analysis/syscalls.hpp"

#include <array>
#include <span>
#include <string_view>

#include "core/analysis/explain.hpp"
#include "core/analysis/syscall_table.hpp"
#include "core/analysis/syscalls_aarch64.hpp"

namespace corelens {
namespace {

// restart_syscall: what a sleep with a timeout that a stop interrupted resumes in.
constexpr std::int64_t kRestartSyscallX86_64 = 219, kRestartSyscallI386 = 0;

using SyscallEntry = syscall_table::Entry;

// x86_64 (arch/x86/entry/syscalls/syscall_64.tbl): the calls a thread can sleep in, and the
// common ones around them. Parameter names as in the kernel's SYSCALL_DEFINE lines.
constexpr SyscallEntry kX86_64[] = {
    {0, "read", {"fd", "buf", "count"}},
    {1, "write", {"fd", "buf", "count"}},
    {2, "open", {"filename", "flags", "mode"}},
    {7, "poll", {"ufds", "nfds", "timeout_msecs"}},
    {16, "ioctl", {"fd", "cmd", "arg"}},
    {17, "pread64", {"fd", "buf", "count", "pos"}},
    {18, "pwrite64", {"fd", "buf", "count", "pos"}},
    {19, "readv", {"fd", "vec", "vlen"}},
    {20, "writev", {"fd", "vec", "vlen"}},
    {23, "select", {"n", "inp", "outp", "exp", "tvp"}},
    {34, "pause", {}},
    {35, "nanosleep", {"rqtp", "rmtp"}},
    {42, "connect", {"fd", "uservaddr", "addrlen"}},
    {43, "accept", {"fd", "upeer_sockaddr", "upeer_addrlen"}},
    {44, "sendto", {"fd", "buff", "len", "flags", "addr", "addr_len"}},
    {45, "recvfrom", {"fd", "ubuf", "size", "flags", "addr", "addr_len"}},
    {46, "sendmsg", {"fd", "msg", "flags"}},
    {47, "recvmsg", {"fd", "msg", "flags"}},
    {61, "wait4", {"upid", "stat_addr", "options", "ru"}},
    {65, "semop", {"semid", "tsops", "nsops"}},
    {69, "msgsnd", {"msqid", "msgp", "msgsz", "msgflg"}},
    {70, "msgrcv", {"msqid", "msgp", "msgsz", "msgtyp", "msgflg"}},
    {72, "fcntl", {"fd", "cmd", "arg"}},
    {73, "flock", {"fd", "cmd"}},
    {74, "fsync", {"fd"}},
    {75, "fdatasync", {"fd"}},
    {101, "ptrace", {"request", "pid", "addr", "data"}},
    {128, "rt_sigtimedwait", {"uthese", "uinfo", "uts", "sigsetsize"}},
    {130, "rt_sigsuspend", {"unewset", "sigsetsize"}},
    {202, "futex", {"uaddr", "op", "val", "utime", "uaddr2", "val3"}},
    {208, "io_getevents", {"ctx_id", "min_nr", "nr", "events", "timeout"}},
    {220, "semtimedop", {"semid", "tsops", "nsops", "timeout"}},
    {230, "clock_nanosleep", {"which_clock", "flags", "rqtp", "rmtp"}},
    {232, "epoll_wait", {"epfd", "events", "maxevents", "timeout"}},
    {240, "mq_timedsend", {"mqdes", "u_msg_ptr", "msg_len", "msg_prio", "u_abs_timeout"}},
    {243, "mq_timedreceive", {"mqdes", "u_msg_ptr", "msg_len", "u_msg_prio", "u_abs_timeout"}},
    {247, "waitid", {"which", "upid", "infop", "options", "ru"}},
    {257, "openat", {"dfd", "filename", "flags", "mode"}},
    {270, "pselect6", {"n", "inp", "outp", "exp", "tsp", "sig"}},
    {271, "ppoll", {"ufds", "nfds", "tsp", "sigmask", "sigsetsize"}},
    {275, "splice", {"fd_in", "off_in", "fd_out", "off_out", "len", "flags"}},
    {281, "epoll_pwait", {"epfd", "events", "maxevents", "timeout", "sigmask", "sigsetsize"}},
    {288, "accept4", {"fd", "upeer_sockaddr", "upeer_addrlen", "flags"}},
    {295, "preadv", {"fd", "vec", "vlen", "pos_l", "pos_h"}},
    {299, "recvmmsg", {"fd", "mmsg", "vlen", "flags", "timeout"}},
    {307, "sendmmsg", {"fd", "mmsg", "vlen", "flags"}},
    {426, "io_uring_enter", {"fd", "to_submit", "min_complete", "flags", "argp", "argsz"}},
    {441, "epoll_pwait2", {"epfd", "events", "maxevents", "timeout", "sigmask", "sigsetsize"}},
    {449, "futex_waitv", {"waiters", "nr_futexes", "flags", "timeout", "clockid"}},
    {455, "futex_wait", {"uaddr", "val", "mask", "flags", "timeout", "clockid"}},
    {3, "close", {"fd"}},
    {24, "sched_yield", {}},
    {kRestartSyscallX86_64, "restart_syscall", {}},
};

// i386 (arch/x86/entry/syscalls/syscall_32.tbl), as a 32-bit process shows it, read live from
// the 64-bit corelens. glibc 2.34 and later makes the _time64 calls (a 64-bit time_t, the same
// struct __kernel_timespec as x86_64's): they are named as the call they are a variant of, so
// that everything that reads futex's or clock_nanosleep's arguments reads them; the number tells
// them apart. The older calls take a 32-bit struct timespec: their time arguments are named
// "...32", which the wait analysis leaves as raw values rather than misread them as 64-bit ones.
constexpr SyscallEntry kI386[] = {
    {kRestartSyscallI386, "restart_syscall", {}},
    {3, "read", {"fd", "buf", "count"}},
    {4, "write", {"fd", "buf", "count"}},
    {5, "open", {"filename", "flags", "mode"}},
    {6, "close", {"fd"}},
    {7, "waitpid", {"pid", "stat_addr", "options"}},
    {26, "ptrace", {"request", "pid", "addr", "data"}},
    {29, "pause", {}},
    {54, "ioctl", {"fd", "cmd", "arg"}},
    {55, "fcntl", {"fd", "cmd", "arg"}},
    {114, "wait4", {"upid", "stat_addr", "options", "ru"}},
    {118, "fsync", {"fd"}},
    {142, "select", {"n", "inp", "outp", "exp", "tvp32"}},
    {143, "flock", {"fd", "cmd"}},
    {145, "readv", {"fd", "vec", "vlen"}},
    {146, "writev", {"fd", "vec", "vlen"}},
    {148, "fdatasync", {"fd"}},
    {158, "sched_yield", {}},
    {162, "nanosleep", {"rqtp32", "rmtp"}},
    {168, "poll", {"ufds", "nfds", "timeout_msecs"}},
    {177, "rt_sigtimedwait", {"uthese", "uinfo", "uts32", "sigsetsize"}},
    {179, "rt_sigsuspend", {"unewset", "sigsetsize"}},
    {180, "pread64", {"fd", "buf", "count", "pos_l", "pos_h"}},
    {181, "pwrite64", {"fd", "buf", "count", "pos_l", "pos_h"}},
    {240, "futex", {"uaddr", "op", "val", "utime32", "uaddr2", "val3"}},
    {256, "epoll_wait", {"epfd", "events", "maxevents", "timeout"}},
    {267, "clock_nanosleep", {"which_clock", "flags", "rqtp32", "rmtp"}},
    {284, "waitid", {"which", "upid", "infop", "options", "ru"}},
    {295, "openat", {"dfd", "filename", "flags", "mode"}},
    {308, "pselect6", {"n", "inp", "outp", "exp", "tsp32", "sig"}},
    {309, "ppoll", {"ufds", "nfds", "tsp32", "sigmask", "sigsetsize"}},
    {313, "splice", {"fd_in", "off_in", "fd_out", "off_out", "len", "flags"}},
    {319, "epoll_pwait", {"epfd", "events", "maxevents", "timeout", "sigmask", "sigsetsize"}},
    {362, "connect", {"fd", "uservaddr", "addrlen"}},
    {364, "accept4", {"fd", "upeer_sockaddr", "upeer_addrlen", "flags"}},
    {369, "sendto", {"fd", "buff", "len", "flags", "addr", "addr_len"}},
    {370, "sendmsg", {"fd", "msg", "flags"}},
    {371, "recvfrom", {"fd", "ubuf", "size", "flags", "addr", "addr_len"}},
    {372, "recvmsg", {"fd", "msg", "flags"}},
    {400, "msgsnd", {"msqid", "msgp", "msgsz", "msgflg"}},
    {401, "msgrcv", {"msqid", "msgp", "msgsz", "msgtyp", "msgflg"}},
    {407, "clock_nanosleep", {"which_clock", "flags", "rqtp", "rmtp"}},         // clock_nanosleep_time64
    {413, "pselect6", {"n", "inp", "outp", "exp", "tsp", "sig"}},               // pselect6_time64
    {414, "ppoll", {"ufds", "nfds", "tsp", "sigmask", "sigsetsize"}},           // ppoll_time64
    {420, "semtimedop", {"semid", "tsops", "nsops", "timeout"}},                // semtimedop_time64
    {421, "rt_sigtimedwait", {"uthese", "uinfo", "uts", "sigsetsize"}},         // rt_sigtimedwait_time64
    {422, "futex", {"uaddr", "op", "val", "utime", "uaddr2", "val3"}},          // futex_time64
    {426, "io_uring_enter", {"fd", "to_submit", "min_complete", "flags", "argp", "argsz"}},
    {441, "epoll_pwait2", {"epfd", "events", "maxevents", "timeout", "sigmask", "sigsetsize"}},
    {449, "futex_waitv", {"waiters", "nr_futexes", "flags", "timeout", "clockid"}},
    {455, "futex_wait", {"uaddr", "val", "mask", "flags", "timeout", "clockid"}},
};

// Where each architecture keeps a system call's number, its result and its arguments at the call.
struct SyscallAbi {
  std::span<const SyscallEntry> table;
  std::string_view number, result;
  std::array<std::string_view, 6> args;
  bool word32;                // registers of 32 bits: -4 is 0xfffffffc, -1 is 0xffffffff
  std::int64_t max_number;    // past it, not a system call a thread could wait in
  std::int64_t ignored_bits;  // x32's marker bit on x86_64
  std::int64_t restart_syscall;
};

// x86_64's system calls number below 1024 (x32's carry bit 30 besides); i386's below 512. A
// larger number is not a system call a thread could wait in, whatever a damaged dump says.
constexpr SyscallAbi kX86_64Abi{kX86_64, "orig_rax", "rax", {"rdi", "rsi", "rdx", "r10", "r8", "r9"}, false, 1023,
                                0x40000000, kRestartSyscallX86_64};
constexpr SyscallAbi kI386Abi{kI386, "orig_eax", "eax", {"ebx", "ecx", "edx", "esi", "edi", "ebp"}, true, 511, 0,
                              kRestartSyscallI386};

// What a system call interrupted by a stop or a fatal signal leaves in rax: the kernel's restart
// codes (include/linux/errno.h), or EINTR. Any other value is the result of a call that had
// finished, whose number orig_rax still holds.
bool interrupted(std::int64_t rax) {
  constexpr std::int64_t kEintr = 4, kErestartsys = 512, kErestartnointr = 513, kErestartnohand = 514,
                         kErestartRestartblock = 516;
  return rax == -kEintr || rax == -kErestartsys || rax == -kErestartnointr || rax == -kErestartnohand ||
         rax == -kErestartRestartblock;
}

const SyscallAbi* abi_of(Arch arch) {
  return arch == Arch::x86_64 ? &kX86_64Abi : arch == Arch::i386 ? &kI386Abi : nullptr;
}

}  // namespace

std::optional<BlockingSyscall> blocking_syscall(Arch arch, const std::vector<Register>& regs, const MemorySource* code) {
  if (arch == Arch::aarch64) return aarch64_blocking_syscall(regs, code);
  const SyscallAbi* abi = abi_of(arch);
  if (abi == nullptr) return std::nullopt;
  auto orig = register_value(regs, abi->number);
  auto result = register_value(regs, abi->result);
  if (!orig || !result) return std::nullopt;
  auto sign_extended = [abi](std::uint64_t v) {
    return abi->word32 ? static_cast<std::int64_t>(static_cast<std::int32_t>(v)) : static_cast<std::int64_t>(v);
  };
  std::int64_t number = sign_extended(*orig);
  if (number < 0 || !interrupted(sign_extended(*result))) return std::nullopt;
  if ((number & ~abi->ignored_bits) > abi->max_number) return std::nullopt;
  return syscall_table::call_with_arguments(abi->table, number, abi->args, regs);
}

bool syscalls_readable(Arch arch) { return arch == Arch::aarch64 || abi_of(arch) != nullptr; }

std::optional<BlockingSyscall> restarted_syscall(Arch arch, const std::vector<Register>& regs, const BlockingSyscall& s,
                                                 std::string_view wrapper) {
  if (arch == Arch::aarch64) return aarch64_restarted_syscall(regs, s, wrapper);
  const SyscallAbi* abi = abi_of(arch);
  if (abi == nullptr || s.number != abi->restart_syscall) return std::nullopt;
  const SyscallEntry* e = syscall_table::restarted_entry(abi->table, wrapper, abi->restart_syscall);
  if (e != nullptr) return syscall_table::call_with_arguments(abi->table, e->number, abi->args, regs);
  return std::nullopt;
}

}  // namespace corelens
