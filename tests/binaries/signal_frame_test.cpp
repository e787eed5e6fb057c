// read_first_delivery (core/analysis/raised_signals.hpp) on synthetic signal frames: the siginfo
// of an SA_SIGINFO handler, the trap fields otherwise (a page fault's error code as read, write
// or fetch), and the frames it must refuse: a saved rip that is not the interrupted frame's pc,
// stale trap fields of another exception, bytes that are no siginfo. The real frames are in
// signals_test.cpp (reraise_handler, reraise_siginfo).
#include <gtest/gtest.h>

#include "core/analysis/raised_signals.hpp"
#include "tests/analysis/fake_memory.hpp"

namespace corelens::testing {
namespace {

constexpr std::uint64_t kUc = 0x7ffd0000;  // the trampoline's sp: struct ucontext
constexpr std::uint64_t kInterruptedPc = 0x555555555123;

Frame frame(const std::string& function, std::uint64_t pc, bool activation, std::uint64_t sp = 0) {
  Frame f;
  f.function = function;
  f.pc = pc;
  f.lookup_pc = activation ? pc : pc - 1;
  if (sp != 0) f.sp = sp;
  return f;
}

ThreadReport handler_stack(bool named) {
  ThreadReport t;
  t.frames = {frame("raise", 0x7f0000001000, true), frame("on_crash", 0x555555555200, false),
              frame(named ? "__restore_rt" : "", 0x7f0000002000, true, kUc), frame("store", kInterruptedPc, true),
              frame("main", 0x555555555300, false)};
  t.frames[2].signal_frame = named;
  return t;
}

// The sigcontext: registers r8.. at 40, rip at 168, then err 192, trapno 200, cr2 216.
FakeMemory sigframe(std::uint64_t rip, std::uint64_t trapno, std::uint64_t err, std::uint64_t cr2) {
  FakeMemory m;
  m.zero(kUc, 304 + 128);
  for (int i = 0; i < 18; ++i) m.put64(kUc + 40 + 8 * i, 0x1000 + i);
  m.put64(kUc + 168, rip);
  m.put64(kUc + 192, err);
  m.put64(kUc + 200, trapno);
  m.put64(kUc + 216, cr2);
  m.put32(kUc + 304, 0xdeadbeef);  // no siginfo: what an SA_SIGINFO-less frame leaves there
  return m;
}

TEST(SignalFrame, TrapFieldsOfAPageFault) {
  for (bool named : {true, false}) {
    FakeMemory m = sigframe(kInterruptedPc, 14, 6, 0x8);  // user-mode write, page not present
    auto d = read_first_delivery(handler_stack(named), m, Arch::x86_64, 11);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->handler, "on_crash");
    EXPECT_EQ(d->interrupted_frame, 3u);
    EXPECT_EQ(d->source, "trap");
    EXPECT_EQ(d->signal.code_name, "SEGV_MAPERR");
    EXPECT_EQ(d->signal.address, 0x8u);
    EXPECT_EQ(d->access, "write");
  }
  FakeMemory fetch = sigframe(kInterruptedPc, 14, 0x15, 0x1234);  // protection, user, instruction fetch
  auto d = read_first_delivery(handler_stack(true), fetch, Arch::x86_64, 11);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->signal.code_name, "SEGV_ACCERR");
  EXPECT_EQ(d->access, "execute");
}

TEST(SignalFrame, SiginfoOfAnSaSiginfoHandler) {
  FakeMemory m = sigframe(kInterruptedPc, 14, 4, 0x10);
  m.put32(kUc + 304, 11);
  m.put32(kUc + 308, 0);
  m.put32(kUc + 312, 1);
  m.put64(kUc + 320, 0x10);
  auto d = read_first_delivery(handler_stack(true), m, Arch::x86_64, 11);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->source, "siginfo");
  EXPECT_EQ(d->signal.address, 0x10u);
  EXPECT_EQ(d->access, "read");  // err 4: a user-mode read, the same fault address as the siginfo's
}

TEST(SignalFrame, RefusesWhatIsNotThisDelivery) {
  // The saved rip is not where the unwinder found the interrupted frame: not a frame we know.
  FakeMemory other_rip = sigframe(0x1111, 14, 6, 0);
  auto d = read_first_delivery(handler_stack(true), other_rip, Arch::x86_64, 11);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->registers.empty());
  EXPECT_TRUE(d->source.empty());
  // A divide error's trap fields do not explain a SIGSEGV (left from an earlier exception).
  FakeMemory stale = sigframe(kInterruptedPc, 0, 0, 0);
  d = read_first_delivery(handler_stack(true), stale, Arch::x86_64, 11);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->source.empty());
  // Unreadable frame, other architectures: the handler is still named.
  FakeMemory empty;
  d = read_first_delivery(handler_stack(true), empty, Arch::x86_64, 11);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->handler, "on_crash");
  EXPECT_TRUE(d->source.empty());
  d = read_first_delivery(handler_stack(true), stale, Arch::aarch64, 11);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->registers.empty());
  // No trampoline at all.
  ThreadReport plain;
  plain.frames = {frame("f", 0x1000, true), frame("main", 0x2000, false)};
  EXPECT_FALSE(read_first_delivery(plain, stale, Arch::x86_64, 11).has_value());
}

TEST(SignalFrame, SendingCallsAreFound) {
  ThreadReport t;
  t.frames = {frame("__pthread_kill_implementation", 1, true), frame("__GI_raise", 2, false),
              frame("give_up", 3, false), frame("main", 4, false)};
  EXPECT_EQ(signal_sending_frame(t), 1u);
  t.frames = {frame("__libc_pause", 1, true), frame("wait", 2, false)};
  EXPECT_FALSE(signal_sending_frame(t).has_value());
  SignalReport s;
  s.number = 11;
  s.code = -6;
  EXPECT_TRUE(is_sent_fault_signal(s));
  s.code = 1;
  EXPECT_FALSE(is_sent_fault_signal(s));
  s.number = 6;
  s.code = -6;
  EXPECT_FALSE(is_sent_fault_signal(s));  // SIGABRT has its own rules
}

}  // namespace
}  // namespace corelens::testing
