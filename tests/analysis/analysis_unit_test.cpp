// Unit tests: the Capstone-backed decoder on hand-assembled bytes (operands, registers, access,
// size), skip lists, signatures and thread groups on synthetic stacks.
#include <gtest/gtest.h>

#include <vector>

#include "core/analysis/disassembler.hpp"
#include "core/analysis/signature.hpp"

namespace corelens {
namespace {

DecodedInstruction decode(std::vector<unsigned char> bytes, std::uint64_t at = 0x1000) {
  auto dis = make_disassembler(Arch::x86_64);
  EXPECT_TRUE(dis.has_value());
  std::vector<std::byte> code(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) code[i] = std::byte{bytes[i]};
  auto insn = (*dis)->decode(code, at);
  EXPECT_TRUE(insn.has_value());
  return insn.value_or(DecodedInstruction{});
}

TEST(Disassembler, LoadThroughRegister) {
  auto i = decode({0x8b, 0x00});  // mov eax, dword ptr [rax]
  ASSERT_EQ(i.memory.size(), 1u);
  EXPECT_EQ(i.memory[0].base, "rax");
  EXPECT_EQ(i.memory[0].size, 4u);
  EXPECT_TRUE(i.memory[0].read);
  EXPECT_FALSE(i.memory[0].write);
  EXPECT_EQ(i.length, 2u);
}

TEST(Disassembler, StoreWithIndexScaleAndDisplacement) {
  auto i = decode({0x89, 0x54, 0x8f, 0x10});  // mov dword ptr [rdi + rcx*4 + 0x10], edx
  ASSERT_EQ(i.memory.size(), 1u);
  EXPECT_EQ(i.memory[0].base, "rdi");
  EXPECT_EQ(i.memory[0].index, "rcx");
  EXPECT_EQ(i.memory[0].scale, 4u);
  EXPECT_EQ(i.memory[0].displacement, 0x10);
  EXPECT_TRUE(i.memory[0].write);
}

TEST(Disassembler, SubRegisterBaseIsCanonical) {
  auto i = decode({0x67, 0x8b, 0x00});  // mov eax, dword ptr [eax]
  ASSERT_EQ(i.memory.size(), 1u);
  EXPECT_EQ(i.memory[0].base, "rax");
  EXPECT_EQ(i.memory[0].base_written, "eax");
}

TEST(Disassembler, CallAndPushWriteTheStack) {
  auto call = decode({0xe8, 0, 0, 0, 0});
  EXPECT_TRUE(call.is_call);
  ASSERT_EQ(call.memory.size(), 1u);
  EXPECT_TRUE(call.memory[0].implicit);
  EXPECT_TRUE(call.memory[0].write);
  EXPECT_EQ(call.memory[0].base, "rsp");
  EXPECT_EQ(call.memory[0].displacement, -8);
  auto ret = decode({0xc3});
  EXPECT_TRUE(ret.is_return);
  ASSERT_EQ(ret.memory.size(), 1u);
  EXPECT_TRUE(ret.memory[0].read);
}

TEST(Disassembler, LeaTouchesNoMemory) {
  auto i = decode({0x48, 0x8d, 0x04, 0x24});  // lea rax, [rsp]
  EXPECT_TRUE(i.memory.empty());
}

TEST(Disassembler, RipRelative) {
  auto i = decode({0x8b, 0x05, 0x10, 0, 0, 0});  // mov eax, dword ptr [rip + 0x10]
  ASSERT_EQ(i.memory.size(), 1u);
  EXPECT_TRUE(i.memory[0].pc_relative);
}

TEST(Disassembler, DivideAndUndefined) {
  EXPECT_TRUE(decode({0xf7, 0xf9}).is_divide);  // idiv ecx
  EXPECT_TRUE(decode({0x0f, 0x0b}).is_undefined);  // ud2
}

TEST(Disassembler, GarbageIsAnErrorNotACrash) {
  auto dis = make_disassembler(Arch::x86_64);
  ASSERT_TRUE(dis.has_value());
  std::vector<std::byte> code{std::byte{0x0f}};
  EXPECT_FALSE((*dis)->decode(code, 0).has_value());
  EXPECT_FALSE((*dis)->decode({}, 0).has_value());
}

TEST(Disassembler, UnknownArchitectureSaysUnsupported) {
  auto dis = make_disassembler(Arch::unknown);
  ASSERT_FALSE(dis.has_value());
  EXPECT_EQ(dis.error().code, ErrorCode::unsupported);
}

TEST(SkipList, PatternsAndComments) {
  SkipList s = SkipList::parse("# comment\nabort\n  __GI_*  # trailing\n*_impl\n\n");
  EXPECT_EQ(s.patterns().size(), 3u);
  EXPECT_TRUE(s.matches("abort"));
  EXPECT_TRUE(s.matches("__GI_raise"));
  EXPECT_TRUE(s.matches("__libc_start_main_impl"));
  EXPECT_FALSE(s.matches("abort_handler"));
  EXPECT_FALSE(s.matches("main"));
}

TEST(SkipList, BuiltinCoversTheAbortAndTerminatePaths) {
  const SkipList& s = SkipList::builtin();
  for (const char* f : {"raise", "__GI_abort", "__pthread_kill_implementation", "__assert_fail_base", "std::terminate()",
                        "__cxa_throw", "malloc_printerr", "__libc_start_call_main", "_start"}) {
    EXPECT_TRUE(s.matches(f)) << f;
  }
  EXPECT_FALSE(s.matches("main"));
  EXPECT_FALSE(s.matches("parse_header"));
}

TEST(SkipList, LoadFailsCleanly) {
  EXPECT_FALSE(SkipList::load("/nonexistent/skip.txt").has_value());
  EXPECT_TRUE(SkipList::load(CORELENS_SKIP_FRAMES_FILE).has_value());
}

TEST(Signature, FunctionBaseName) {
  EXPECT_EQ(function_base_name("f(int)"), "f");
  EXPECT_EQ(function_base_name("std::terminate()"), "std::terminate");
  EXPECT_EQ(function_base_name("Foo::operator()(int) const"), "Foo::operator()");
  EXPECT_EQ(function_base_name("std::vector<int(*)(int)>::push_back(int)"), "std::vector<int(*)(int)>::push_back");
  EXPECT_EQ(function_base_name("main"), "main");
}

Frame frame(std::string function, std::string module) {
  Frame f;
  f.function = std::move(function);
  f.module = std::move(module);
  return f;
}

TEST(Signature, SkipsSharedFramesAndCollapsesRecursion) {
  ThreadReport t;
  t.frames = {frame("__pthread_kill_implementation", "/lib/libc.so.6"), frame("", "/usr/lib/libstdc++.so.6"),
              frame("std::terminate()", "/usr/lib/libstdc++.so.6"), frame("walk", "/bin/app"),
              frame("walk", "/bin/app"), frame("walk", "/bin/app"), frame("main", "/bin/app"),
              frame("__libc_start_call_main", "/lib/libc.so.6")};
  auto sig = make_signature(t, "abort", SkipList::builtin());
  EXPECT_EQ(sig.readable, "abort | app!walk | app!main");
  EXPECT_EQ(sig.hash.size(), 16u);
  EXPECT_EQ(sig.hash, make_signature(t, "abort", SkipList::builtin()).hash);
  EXPECT_NE(sig.hash, make_signature(t, "wild-read", SkipList::builtin()).hash);
}

// Readable names change what people read, never the bucket: the hash is the one the exact names
// always gave (FNV-1a 64 of "null-pointer-read | prog!<exact> | prog!main", computed by hand),
// whether the frame still carries the exact name or has been made readable with it kept aside.
TEST(Signature, ReadableNamesKeepTheHashOfTheExactNames) {
  const std::string exact =
      "Parser::parse(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&, int&, unsigned long)";
  ThreadReport t;
  t.frames = {frame(exact, "/bin/prog"), frame("main", "/bin/prog")};
  auto before = make_signature(t, "null-pointer-read", SkipList::builtin());
  EXPECT_EQ(before.hash, "c7ba3679e355d1a9");
  EXPECT_EQ(before.readable, "null-pointer-read | prog!Parser::parse | prog!main");
  t.frames[0].function_exact = exact;
  t.frames[0].function = "Parser::parse(std::string const&, int&, unsigned long)";
  auto after = make_signature(t, "null-pointer-read", SkipList::builtin());
  EXPECT_EQ(after.hash, before.hash);
  EXPECT_EQ(after.readable, before.readable);
  EXPECT_EQ(after.frames, before.frames);
}

TEST(Signature, UnknownFramesBeforeTheFirstKeptFrameCount) {
  ThreadReport t;
  Frame zero;  // pc 0: no function, no module
  t.frames = {zero, frame("run_callback", "/bin/app"), frame("main", "/bin/app")};
  EXPECT_EQ(make_signature(t, "null-pointer-call", SkipList::builtin()).readable,
            "null-pointer-call | ?? | app!run_callback | app!main");
}

TEST(ThreadGroups, IdenticalStacksAreCollapsedBiggestFirst) {
  std::vector<ThreadReport> threads;
  for (int i = 0; i < 5; ++i) {
    ThreadReport t;
    t.tid = 100 + i;
    t.frames = {frame(i < 3 ? "epoll_wait" : "nanosleep", "/lib/libc.so.6"), frame("worker", "/bin/app")};
    threads.push_back(t);
  }
  ThreadReport lone;
  lone.tid = 1;
  lone.frames = {frame("main", "/bin/app")};
  threads.push_back(lone);
  auto groups = group_threads(threads);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].tids, (std::vector<std::int32_t>{100, 101, 102}));
  EXPECT_EQ(groups[0].top_function, "epoll_wait");
  EXPECT_EQ(groups[1].tids.size(), 2u);
}

TEST(ThreadGroups, GroupsInTheSameLibcWaitAreToldApartByTheirCaller) {
  // A JVM's threads: all in libc's futex wait, for a semaphore or a monitor of libjvm.
  std::vector<ThreadReport> threads;
  for (int i = 0; i < 4; ++i) {
    ThreadReport t;
    t.tid = 200 + i;
    t.frames = {frame("__futex_abstimed_wait_common", "/lib/x86_64-linux-gnu/libc.so.6"),
                frame(i < 2 ? "__new_sem_wait_slow64" : "__pthread_cond_wait", "/lib/x86_64-linux-gnu/libc.so.6"),
                frame(i < 2 ? "PosixSemaphore::wait()" : "Monitor::wait(long)", "/usr/lib/jvm/lib/server/libjvm.so"),
                frame("start_thread", "/lib/x86_64-linux-gnu/libc.so.6")};
    threads.push_back(t);
  }
  for (int i = 0; i < 2; ++i) {
    ThreadReport t;
    t.tid = 300 + i;
    t.frames = {frame("spin", "/bin/app"), frame("main", "/bin/app")};
    threads.push_back(t);
  }
  auto groups = group_threads(threads);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].top_function, groups[1].top_function);
  EXPECT_EQ(groups[0].caller, "libjvm.so!PosixSemaphore::wait()");
  EXPECT_EQ(groups[1].caller, "libjvm.so!Monitor::wait(long)");
  EXPECT_EQ(groups[2].top_function, "spin");
  EXPECT_EQ(groups[2].caller, "") << "the innermost frame is the program's own";
}

TEST(Signature, Fnv1a64KnownValues) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
}

}  // namespace
}  // namespace corelens
