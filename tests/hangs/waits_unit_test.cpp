// The wait-for graph on its own (core/analysis/deadlocks.hpp), the syscall decoding, and glibc's
// layouts: the built-in table for this machine's glibc against libc6-dbg's DWARF.
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/analysis/deadlocks.hpp"
#include "core/analysis/glibc_layouts.hpp"
#include "core/analysis/syscalls.hpp"
#include "core/analysis/waits.hpp"
#include "tests/analysis/fake_memory.hpp"
#include "tests/hangs/hang_records.hpp"
#include "unwinder/glibc_dwarf_layout.hpp"

namespace corelens {
namespace {

using testing::run_command;

ThreadWait lock_wait(std::int32_t tid, std::int32_t owner, const std::string& name, const std::string& caller) {
  ThreadWait w;
  w.tid = tid;
  w.kind = "mutex";
  w.function = "pthread_mutex_lock";
  w.object_address = 0x1000 + static_cast<std::uint64_t>(tid);
  w.object_name = name;
  w.owner_tid = owner;
  w.owner_source = "mutex-owner";
  w.caller = caller;
  w.description = "waits for mutex " + name;
  return w;
}

TEST(Deadlocks, CycleFromTheSmallestTidAndChainsOutsideIt) {
  // 30 -> 10 -> 20 -> 30 is the cycle; 40 waits for 10 (in it) and 50 for 40 (a chain into it).
  std::vector<ThreadWait> waits = {lock_wait(30, 10, "a", "p!f"), lock_wait(10, 20, "b", "p!g"),
                                   lock_wait(20, 30, "c", "p!h"), lock_wait(40, 10, "a", "p!k"),
                                   lock_wait(50, 40, "d", "p!k")};
  auto d = find_deadlocks(waits);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].threads, (std::vector<std::int32_t>{10, 20, 30}));
  EXPECT_EQ(d[0].description,
            "thread 10 holds a and waits for b, held by thread 20, which waits for c, held by thread 30, which waits for a");
}

TEST(Deadlocks, SelfAndTwoSeparateCycles) {
  std::vector<ThreadWait> waits = {lock_wait(7, 7, "registry_lock", "p!add"), lock_wait(3, 4, "x", "p!f"),
                                   lock_wait(4, 3, "y", "p!f")};
  auto d = find_deadlocks(waits);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].threads, (std::vector<std::int32_t>{3, 4}));
  EXPECT_EQ(d[1].threads, (std::vector<std::int32_t>{7}));
  EXPECT_EQ(d[1].description, "thread 7 waits for registry_lock, which it holds itself");
}

TEST(Deadlocks, NoCycleNoDeadlock) {
  std::vector<ThreadWait> waits = {lock_wait(1, 2, "a", "p!f"), lock_wait(2, 3, "b", "p!g")};
  EXPECT_TRUE(find_deadlocks(waits).empty());
  EXPECT_EQ(wait_chain(waits, 1), "thread 1 waits for a, held by thread 2, which waits for b, held by thread 3, "
                                  "which is not blocked in a system call");
}

// A hang without a cycle: the main thread's chain, whatever the tids.
TEST(Deadlocks, ChainSignatureFollowsTheMainThread) {
  auto chain = [](std::int32_t main, std::int32_t worker) {
    ThreadWait join = lock_wait(main, worker, "", "p!main");
    join.kind = "join";
    join.function = "pthread_join";
    ThreadWait cond = lock_wait(worker, 0, "cv", "p!consume");
    cond.kind = "condvar";
    cond.function = "pthread_cond_wait";
    cond.owner_tid.reset();
    return std::vector<ThreadWait>{cond, join};
  };
  auto a = chain_signature(chain(100, 101), 100, "killed");
  auto b = chain_signature(chain(7, 3), 7, "killed");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->readable, "killed | pthread_join@p!main | pthread_cond_wait@p!consume");
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_FALSE(chain_signature(chain(100, 101), 555, "killed")) << "a thread that waits for nothing";
}

TEST(Deadlocks, SignatureIgnoresWhereTheCycleIsReadFromAndTheTids) {
  std::vector<ThreadWait> one = {lock_wait(1, 2, "a", "p!f"), lock_wait(2, 3, "b", "p!g"), lock_wait(3, 1, "c", "p!h")};
  std::vector<ThreadWait> other = {lock_wait(500, 600, "c", "p!h"), lock_wait(600, 700, "a", "p!f"),
                                   lock_wait(700, 500, "b", "p!g")};
  auto d1 = find_deadlocks(one), d2 = find_deadlocks(other);
  ASSERT_EQ(d1.size(), 1u);
  ASSERT_EQ(d2.size(), 1u);
  CrashSignature s1 = deadlock_signature(d1[0], one), s2 = deadlock_signature(d2[0], other);
  EXPECT_EQ(s1.readable, s2.readable);
  EXPECT_EQ(s1.hash, s2.hash);
  EXPECT_EQ(s1.readable, "deadlock | mutex@p!f | mutex@p!g | mutex@p!h");
}

TEST(Deadlocks, KilledFromOutsideBecomesTheAnalysis) {
  Report r;
  r.process.pid = 1;
  r.threads.resize(2);
  r.threads[0].tid = 1;
  r.threads[1].tid = 2;
  r.signal = SignalReport{};
  r.signal->number = 6;
  r.signal->name = "SIGABRT";
  r.signal->sender_pid = 99;
  CrashAnalysis a;
  a.classification.category = "killed";
  a.why = "killed by SIGABRT sent by pid 99";
  explain_hang(a, r, {lock_wait(1, 2, "a", "p!f"), lock_wait(2, 1, "b", "p!g")}, "");
  EXPECT_EQ(a.classification.category, "deadlock");
  EXPECT_EQ(a.why, "deadlock: thread 1 holds b and waits for a, held by thread 2, which waits for b");
  // A crash is not turned into a deadlock: the waits are kept beside it.
  CrashAnalysis crash;
  crash.classification.category = "null-pointer-read";
  r.signal->number = 11;
  explain_hang(crash, r, {lock_wait(1, 2, "a", "p!f"), lock_wait(2, 1, "b", "p!g")}, "");
  EXPECT_EQ(crash.classification.category, "null-pointer-read");
  EXPECT_EQ(crash.deadlocks.size(), 1u);
}

// A hung process's main thread with no wait: on x86_64 its registers prove it was not in a system
// call; s390x's are not read for the call, so the analysis cannot say it was not.
TEST(Deadlocks, NoWaitIsNotBlockedOnlyWhereTheRegistersTell) {
  for (std::string arch : {"x86_64", "s390x"}) {
    Report r;
    r.arch = arch;
    r.process.pid = 7;
    r.threads.resize(1);
    r.threads[0].tid = 7;
    r.signal = SignalReport{};
    r.signal->number = 6;
    r.signal->name = "SIGABRT";
    r.signal->sender_pid = 99;
    CrashAnalysis a;
    a.classification.category = "killed";
    a.why = "killed by SIGABRT sent by pid 99";
    explain_hang(a, r, {}, "");
    if (arch == "x86_64") {
      EXPECT_EQ(a.why, "killed by SIGABRT sent by pid 99; thread 7 is not blocked in a system call");
    } else {
      EXPECT_EQ(a.why, "killed by SIGABRT sent by pid 99; thread 7 may be blocked: corelens does not read which system "
                       "call a thread sleeps in on s390x");
    }
  }
}

TEST(Syscalls, X86_64FromTheRegistersAtTheCall) {
  std::vector<Register> regs = {{"rax", static_cast<std::uint64_t>(-512)}, {"orig_rax", 0},   {"rdi", 5},
                                {"rsi", 0x7ffd0000},                       {"rdx", 4096},      {"r10", 0}};
  auto s = blocking_syscall(Arch::x86_64, regs);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "read");
  ASSERT_EQ(s->args.size(), 3u);
  EXPECT_EQ(s->args[0].name, "fd");
  EXPECT_EQ(s->args[0].value, 5u);
  // Not in a system call (orig_rax -1), or one that had returned (rax holds its result).
  regs[1].value = static_cast<std::uint64_t>(-1);
  EXPECT_FALSE(blocking_syscall(Arch::x86_64, regs));
  regs[1].value = 0;
  regs[0].value = 12;
  EXPECT_FALSE(blocking_syscall(Arch::x86_64, regs));
  // s390x's registers are not read for the call.
  EXPECT_FALSE(blocking_syscall(Arch::s390x, regs));
}

// arm64 prepares the restart before it writes the core: pc back on the svc, x0 the first argument
// again, x8 the number (arch/arm64/kernel/signal.c, do_signal). A call that returned -EINTR
// itself leaves pc after the svc and its first argument lost.
TEST(Syscalls, Aarch64FromX8AndTheSvcAtPc) {
  testing::FakeMemory code;
  constexpr std::uint64_t kSvcAt = 0x400100;
  code.put32(kSvcAt, 0xd4000001);   // svc #0
  code.put32(kSvcAt + 4, 0xb140041f);  // cmn x0, #0x1, lsl #12: glibc's check of the result
  std::vector<Register> regs = {{"x0", 0xaaaa0010}, {"x1", 0x80}, {"x2", 2}, {"x3", 0},  {"x4", 0},
                                {"x5", 0},          {"x8", 98},   {"pc", kSvcAt}, {"sp", 0x7ff0}};
  auto s = blocking_syscall(Arch::aarch64, regs, &code);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "futex");
  ASSERT_GE(s->args.size(), 3u);
  EXPECT_EQ(s->args[0].name, "uaddr");
  EXPECT_EQ(s->args[0].value, 0xaaaa0010u);
  EXPECT_EQ(s->args[2].value, 2u);
  // Without the code nothing is said; at any other instruction the thread was running.
  EXPECT_FALSE(blocking_syscall(Arch::aarch64, regs, nullptr));
  regs[7].value = kSvcAt + 4;
  EXPECT_FALSE(blocking_syscall(Arch::aarch64, regs, &code));
  // After the svc with x0 = -EINTR: epoll_pwait (22) returned EINTR, its epfd lost.
  regs[0].value = static_cast<std::uint64_t>(-4);
  regs[6].value = 22;
  s = blocking_syscall(Arch::aarch64, regs, &code);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "epoll_pwait");
  ASSERT_FALSE(s->args.empty());
  EXPECT_EQ(s->args[0].name, "events");
  // A number past the table's range is not a call.
  regs[7].value = kSvcAt;
  regs[6].value = 5000;
  EXPECT_FALSE(blocking_syscall(Arch::aarch64, regs, &code));
  // restart_syscall (128) after a stop, named by the wrapper.
  regs[6].value = 128;
  regs[0].value = 1;
  s = blocking_syscall(Arch::aarch64, regs, &code);
  ASSERT_TRUE(s);
  auto r = restarted_syscall(Arch::aarch64, regs, *s, "clock_nanosleep");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "clock_nanosleep");
  EXPECT_EQ(r->number, 115);
}

// A sleep a stop interrupted resumes in restart_syscall (219): the wrapper on the stack names the
// call, and the registers still hold its arguments.
TEST(Syscalls, RestartedCallNamedByItsWrapper) {
  std::vector<Register> regs = {{"rax", static_cast<std::uint64_t>(-516)}, {"orig_rax", 219}, {"rdi", 1},
                                {"rsi", 0},                                {"rdx", 0x7ffd1000}, {"r10", 0x7ffd1000}};
  auto s = blocking_syscall(Arch::x86_64, regs);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "restart_syscall");
  EXPECT_TRUE(s->args.empty());
  auto r = restarted_syscall(Arch::x86_64, regs, *s, "clock_nanosleep");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "clock_nanosleep");
  EXPECT_EQ(r->number, 230);
  ASSERT_EQ(r->args.size(), 4u);
  EXPECT_EQ(r->args[2].name, "rqtp");
  EXPECT_EQ(r->args[2].value, 0x7ffd1000u);
  auto f = restarted_syscall(Arch::x86_64, regs, *s, "futex_abstimed_wait_common64");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "futex");
  // A wrapper that names no call we know, or a call that is not restart_syscall: nothing made up.
  EXPECT_FALSE(restarted_syscall(Arch::x86_64, regs, *s, "my_sleep_helper"));
  EXPECT_FALSE(restarted_syscall(Arch::x86_64, regs, *r, "clock_nanosleep"));
  EXPECT_FALSE(restarted_syscall(Arch::aarch64, regs, *s, "clock_nanosleep"));
}

// i386 (a 32-bit process read live): 32-bit registers, so -ERESTARTSYS is 0xfffffe00 and "not in
// a call" is orig_eax 0xffffffff; the _time64 calls glibc makes are named as the call they vary.
TEST(Syscalls, I386FromTheRegistersAtTheCall) {
  std::vector<Register> regs = {{"eax", 0xfffffe00u}, {"orig_eax", 422}, {"ebx", 0x804c0a0},
                                {"ecx", 0x80},        {"edx", 2},        {"esi", 0}};
  auto s = blocking_syscall(Arch::i386, regs);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "futex");
  EXPECT_EQ(s->number, 422);
  ASSERT_GE(s->args.size(), 4u);
  EXPECT_EQ(s->args[0].name, "uaddr");
  EXPECT_EQ(s->args[0].value, 0x804c0a0u);
  EXPECT_EQ(s->args[2].value, 2u);
  EXPECT_EQ(s->args[3].name, "utime");  // a 64-bit timespec, read as x86_64's
  regs[1].value = 240;                  // the old futex: its 32-bit timespec is left raw
  ASSERT_TRUE(blocking_syscall(Arch::i386, regs));
  EXPECT_EQ(blocking_syscall(Arch::i386, regs)->args[3].name, "utime32");
  regs[1].value = 0xffffffffu;
  EXPECT_FALSE(blocking_syscall(Arch::i386, regs));
  regs[1].value = 422;
  regs[0].value = 0;  // returned: eax holds its result
  EXPECT_FALSE(blocking_syscall(Arch::i386, regs));
}

TEST(Waits, ApiNames) {
  EXPECT_EQ(api_name("__GI___pthread_mutex_lock"), "pthread_mutex_lock");
  EXPECT_EQ(api_name("___pthread_cond_wait"), "pthread_cond_wait");
  EXPECT_EQ(api_name("__libc_read"), "read");
  EXPECT_EQ(api_name("__GI___libc_read"), "read");
  EXPECT_EQ(api_name("pthread_mutex_lock@@GLIBC_2.2.5"), "pthread_mutex_lock");
  EXPECT_EQ(api_name("std::mutex::lock()"), "std::mutex::lock");
}

// The layouts written down for glibc 2.36 (Debian 12) are those libc6-dbg's DWARF describes.
TEST(GlibcLayouts, BuiltInEqualsTheDwarfOfThisGlibc) {
  const std::string libc = "/lib/x86_64-linux-gnu/libc.so.6";
  auto version = glibc_version_of(libc);
  ASSERT_TRUE(version) << "no GLIBC_2.N version in " << libc;
  auto builtin = builtin_glibc_layout(Arch::x86_64, *version);
  ASSERT_TRUE(builtin) << "no built-in layout for GLIBC_2." << version->minor;
  // libc6-dbg (.ci/install-deps) ships the DWARF under /usr/lib/debug/.build-id.
  std::string notes = run_command("readelf -n " + libc, nullptr);
  auto at = notes.find("Build ID: ");
  ASSERT_NE(at, std::string::npos) << notes;
  std::string id = notes.substr(at + 10, notes.find('\n', at) - at - 10);
  std::string build_id_path = "/usr/lib/debug/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  ASSERT_EQ(::access(build_id_path.c_str(), R_OK), 0) << "libc6-dbg's debug file " << build_id_path << " is missing";
  auto dwarf = glibc_layout_from_dwarf(build_id_path);
  ASSERT_TRUE(dwarf) << "no layouts in the DWARF of " << build_id_path;
  EXPECT_EQ(dwarf->mutex_owner, builtin->mutex_owner);
  EXPECT_EQ(dwarf->mutex_kind, builtin->mutex_kind);
  EXPECT_EQ(dwarf->rwlock_readers, builtin->rwlock_readers);
  EXPECT_EQ(dwarf->rwlock_wrphase_futex, builtin->rwlock_wrphase_futex);
  EXPECT_EQ(dwarf->rwlock_writers_futex, builtin->rwlock_writers_futex);
  EXPECT_EQ(dwarf->rwlock_cur_writer, builtin->rwlock_cur_writer);
  EXPECT_EQ(dwarf->cond_wseq, builtin->cond_wseq);
  EXPECT_EQ(dwarf->cond_wrefs, builtin->cond_wrefs);
  EXPECT_EQ(dwarf->cond_g_signals, builtin->cond_g_signals);
  EXPECT_EQ(dwarf->barrier_in, builtin->barrier_in);
  EXPECT_EQ(dwarf->barrier_current_round, builtin->barrier_current_round);
  EXPECT_EQ(dwarf->barrier_count, builtin->barrier_count);
}

TEST(GlibcLayouts, ReleasesOfDebian) {
  // Debian 11's glibc 2.31 defines GLIBC_2.30 last; 12's 2.36 GLIBC_2.36; 13's 2.41 GLIBC_2.41.
  auto d11 = builtin_glibc_layout(Arch::x86_64, {2, 30});
  auto d12 = builtin_glibc_layout(Arch::x86_64, {2, 36});
  auto d13 = builtin_glibc_layout(Arch::x86_64, {2, 41});
  ASSERT_TRUE(d11 && d12 && d13);
  EXPECT_EQ(d11->cond_g_signals, 40u);
  EXPECT_EQ(d12->cond_g_signals, 40u);
  EXPECT_EQ(d13->cond_g_signals, 32u);  // __g_refs is gone in 2.41
  EXPECT_EQ(d13->cond_wrefs, 28u);
  // 2.38 - 2.40: the condvar depends on the point release; only the DWARF can say.
  auto d39 = builtin_glibc_layout(Arch::x86_64, {2, 39});
  ASSERT_TRUE(d39);
  EXPECT_FALSE(d39->cond_g_signals);
  EXPECT_EQ(d39->mutex_owner, 8u);
  EXPECT_FALSE(builtin_glibc_layout(Arch::x86_64, {2, 24}));  // the old rwlock and condvar
}

}  // namespace
}  // namespace corelens
