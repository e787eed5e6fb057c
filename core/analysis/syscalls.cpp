#include "core/analysis/syscalls.hpp"

#include <array>
#include <string_view>

#include "core/analysis/explain.hpp"

namespace corelens {
namespace {

// x86_64's restart_syscall: what a sleep with a timeout that a stop interrupted resumes in.
constexpr std::int64_t kRestartSyscall = 219;

struct SyscallEntry {
  std::int64_t number;
  std::string_view name;
  std::array<std::string_view, 6> args;  // the kernel's parameter names; empty past the last
};

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
    {kRestartSyscall, "restart_syscall", {}},
};

constexpr std::array<std::string_view, 6> kX86_64ArgRegisters = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};

// What a system call interrupted by a stop or a fatal signal leaves in rax: the kernel's restart
// codes (include/linux/errno.h), or EINTR. Any other value is the result of a call that had
// finished, whose number orig_rax still holds.
bool interrupted(std::int64_t rax) {
  constexpr std::int64_t kEintr = 4, kErestartsys = 512, kErestartnointr = 513, kErestartnohand = 514,
                         kErestartRestartblock = 516;
  return rax == -kEintr || rax == -kErestartsys || rax == -kErestartnointr || rax == -kErestartnohand ||
         rax == -kErestartRestartblock;
}

const SyscallEntry* find_entry(std::int64_t number) {
  for (const auto& e : kX86_64) {
    if (e.number == number) return &e;
  }
  return nullptr;
}

// The call NUMBER (ENTRY its table entry, or null) with its arguments as REGS hold them.
BlockingSyscall with_arguments(std::int64_t number, const SyscallEntry* entry, const std::vector<Register>& regs) {
  BlockingSyscall s;
  s.number = number;
  if (entry == nullptr) {
    s.name = "syscall " + std::to_string(number);
    return s;
  }
  s.name = std::string(entry->name);
  for (std::size_t i = 0; i < entry->args.size() && !entry->args[i].empty(); ++i) {
    auto v = register_value(regs, kX86_64ArgRegisters[i]);
    if (!v) break;
    s.args.push_back(SyscallArgument{std::string(entry->args[i]), *v, {}});
  }
  return s;
}

}  // namespace

std::optional<BlockingSyscall> blocking_syscall(Arch arch, const std::vector<Register>& regs) {
  if (arch != Arch::x86_64) return std::nullopt;
  auto orig = register_value(regs, "orig_rax");
  auto rax = register_value(regs, "rax");
  if (!orig || !rax) return std::nullopt;
  auto number = static_cast<std::int64_t>(*orig);
  if (number < 0 || !interrupted(static_cast<std::int64_t>(*rax))) return std::nullopt;
  // x86_64's system calls number below 1024 (x32's carry bit 30 besides): a larger orig_rax is
  // not a system call a thread could wait in, whatever a damaged or made-up dump says.
  constexpr std::int64_t kX32SyscallBit = 0x40000000, kMaxSyscallNumber = 1023;
  if ((number & ~kX32SyscallBit) > kMaxSyscallNumber) return std::nullopt;
  return with_arguments(number, find_entry(number), regs);
}

std::optional<BlockingSyscall> restarted_syscall(Arch arch, const std::vector<Register>& regs, const BlockingSyscall& s,
                                                 std::string_view wrapper) {
  if (arch != Arch::x86_64 || s.number != kRestartSyscall) return std::nullopt;
  // glibc's timed futex waits (sem_timedwait, pthread_cond_timedwait ...) go through this helper.
  if (wrapper.starts_with("futex_abstimed_wait")) wrapper = "futex";
  for (const auto& e : kX86_64) {
    if (e.name == wrapper && e.number != kRestartSyscall) return with_arguments(e.number, &e, regs);
  }
  return std::nullopt;
}

}  // namespace corelens
