// The user-space cores of the golden tests. Programs are laid out by hand: each function starts
// with a frame-pointer prologue, calls are real call instructions (so a return address follows
// one), and the faulting instruction is real machine code that the analysis decodes. Stacks hold
// frame records, so the unwinder's frame-pointer fallback walks them (the files carry symbols but
// no CFI).
#include "tests/golden/golden_dumps.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/core_builder.hpp"
#include "tests/support/elf_image.hpp"

namespace corelens::golden {
namespace {

namespace ct = corelens::testing;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t kExeBase = 0x400000;
constexpr std::uint64_t kText = kExeBase + ct::kImagePage;
constexpr std::uint64_t kLibcBase = 0x7f0000000000;
constexpr const char* kCrashy = "/opt/corelens-golden/bin/crashy";
constexpr const char* kServer = "/opt/corelens-golden/bin/server";
constexpr const char* kCrashyArm64 = "/opt/corelens-golden/bin/crashy-arm64";
constexpr const char* kLibc = "/opt/corelens-golden/lib/libc.so.6";
constexpr const char* kPlugin = "/opt/corelens-golden/lib/libplugin.so";
constexpr std::uint64_t kPluginBase = 0x7f0000100000;

Bytes build_id(std::uint8_t first) {
  Bytes b(20);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(first + 3 * i);
  return b;
}

// ---- x86_64 machine code -------------------------------------------------------------------

// A page of text (int3 between functions), written at addresses relative to BASE.
struct Text {
  std::uint64_t base;
  Bytes bytes = Bytes(ct::kImagePage, 0xcc);
  void put(std::uint64_t addr, const Bytes& code) {
    for (std::size_t i = 0; i < code.size(); ++i) bytes.at(addr - base + i) = code[i];
  }
  // push rbp; mov rbp, rsp
  void x86_prologue(std::uint64_t addr) { put(addr, {0x55, 0x48, 0x89, 0xe5}); }
  // call rel32 (5 bytes); the return address is ADDR + 5.
  void x86_call(std::uint64_t addr, std::uint64_t target) {
    auto rel = static_cast<std::uint32_t>(target - (addr + 5));
    put(addr, {0xe8, static_cast<std::uint8_t>(rel), static_cast<std::uint8_t>(rel >> 8),
               static_cast<std::uint8_t>(rel >> 16), static_cast<std::uint8_t>(rel >> 24)});
  }
  // call *%rax (2 bytes): a call through the PLT or a function pointer.
  void x86_call_indirect(std::uint64_t addr) { put(addr, {0xff, 0xd0}); }
  // syscall (2 bytes): a thread blocked in the kernel reports the address after it.
  void x86_syscall(std::uint64_t addr) { put(addr, {0x0f, 0x05}); }
};

struct Function {
  const char* name;
  std::uint64_t address;  // link-time
};

std::vector<ct::ElfSymbol> symbols(const std::vector<Function>& fs_, std::uint64_t size = 0x40) {
  std::vector<ct::ElfSymbol> out;
  for (const auto& f : fs_) out.push_back({f.name, f.address, size});
  return out;
}

// crashy: main -> run_job -> parse_header (reads through a NULL pointer) or store_record (writes
// through one).
constexpr std::uint64_t kMain = 0x401100, kRunJob = 0x401140, kParseHeader = 0x401180, kStoreRecord = 0x4011c0;
constexpr std::uint64_t kParseFault = 0x401194, kStoreFault = 0x4011d4;
Bytes crashy_image() {
  Text t{kText};
  for (std::uint64_t f : {kMain, kRunJob, kParseHeader, kStoreRecord}) t.x86_prologue(f);
  t.x86_call(kMain + 0x20, kRunJob);             // returns to main+0x25
  t.x86_call(kRunJob + 0x20, kParseHeader);      // returns to run_job+0x25
  t.x86_call(kRunJob + 0x30, kStoreRecord);      // returns to run_job+0x35
  t.put(kParseFault, {0x8b, 0x47, 0x08});        // mov eax, DWORD PTR [rdi+0x8]
  t.put(kStoreFault, {0x89, 0x77, 0x10});        // mov DWORD PTR [rdi+0x10], esi
  ct::ElfImageSpec spec;
  spec.base = kExeBase;
  spec.text = t.bytes;
  spec.functions = symbols({{"main", kMain}, {"run_job", kRunJob}, {"parse_header", kParseHeader},
                            {"store_record", kStoreRecord}});
  spec.build_id = build_id(0x11);
  return ct::build_elf_image(spec);
}

// server: main -> check_invariant -> abort; worker_loop and io_loop on their threads.
constexpr std::uint64_t kCheckInvariant = 0x401140, kWorkerLoop = 0x401180, kIoLoop = 0x4011c0;
Bytes server_image() {
  Text t{kText};
  for (std::uint64_t f : {kMain, kCheckInvariant, kWorkerLoop, kIoLoop}) t.x86_prologue(f);
  t.x86_call(kMain + 0x20, kCheckInvariant);     // returns to main+0x25
  t.x86_call_indirect(kCheckInvariant + 0x20);   // abort@plt; returns to +0x22
  t.x86_call_indirect(kWorkerLoop + 0x20);       // pthread_cond_wait; returns to +0x22
  t.x86_call_indirect(kIoLoop + 0x20);           // poll; returns to +0x22
  ct::ElfImageSpec spec;
  spec.base = kExeBase;
  spec.text = t.bytes;
  spec.functions = symbols({{"main", kMain}, {"check_invariant", kCheckInvariant}, {"worker_loop", kWorkerLoop},
                            {"io_loop", kIoLoop}});
  spec.build_id = build_id(0x21);
  return ct::build_elf_image(spec);
}

// libc.so.6 (link-time addresses from 0): the start of main, abort, and three blocking calls.
constexpr std::uint64_t kStartMain = 0x1100, kAbort = 0x1140, kRaise = 0x1180, kCondWait = 0x11c0, kPoll = 0x1200,
                        kStartThread = 0x1240;
Bytes libc_image() {
  Text t{ct::kImagePage};
  for (std::uint64_t f : {kStartMain, kAbort, kRaise, kCondWait, kPoll, kStartThread}) t.x86_prologue(f);
  t.x86_call_indirect(kStartMain + 0x20);  // main; returns to +0x22
  t.x86_call(kAbort + 0x20, kRaise);       // returns to +0x25
  t.x86_syscall(kRaise + 0x1e);            // tgkill; the thread stopped at +0x20
  t.x86_syscall(kCondWait + 0x1e);         // futex
  t.x86_syscall(kPoll + 0x1e);             // poll
  t.x86_call_indirect(kStartThread + 0x20);  // the thread's function; returns to +0x22
  ct::ElfImageSpec spec;
  spec.type = 3;  // ET_DYN
  spec.text = t.bytes;
  spec.functions = symbols({{"__libc_start_call_main", kStartMain}, {"abort", kAbort}, {"raise", kRaise},
                            {"pthread_cond_wait", kCondWait}, {"poll", kPoll}, {"start_thread", kStartThread}});
  spec.build_id = build_id(0x31);
  return ct::build_elf_image(spec);
}

// ---- Stacks --------------------------------------------------------------------------------

// A thread's stack: a mapping of its own (so a scan for return addresses ends at its edge), with
// frame records (saved frame pointer, return address) 0x20 bytes apart from FP upwards; the
// outermost one ends the chain with 0. The main thread's also holds AT_EXECFN's string.
struct ThreadStack {
  static constexpr std::uint64_t kSize = 0x4000;
  std::uint64_t start;
  ct::ByteWriter memory{{}, kSize};
  std::uint64_t sp() const { return start + 0x3000; }
  std::uint64_t fp() const { return sp() + 0x10; }
  std::uint64_t execfn() const { return start + 0x3f00; }

  explicit ThreadStack(std::uint64_t s) : start(s) {}
  void frame_records(const std::vector<std::uint64_t>& return_addresses) {
    for (std::size_t i = 0; i < return_addresses.size(); ++i) {
      std::uint64_t at = fp() + 0x20 * i;
      bool last = i + 1 == return_addresses.size();
      memory.u64(at - start, last ? 0 : at + 0x20);
      memory.u64(at - start + 8, return_addresses[i]);
    }
  }
  void add_to(ct::CoreBuilder& b) { b.add_segment(start, kSize, ct::elfc::PF_R | ct::elfc::PF_W, memory.take()); }
};
constexpr std::uint64_t kStacks = 0x7ffc00000000;  // thread N's stack at kStacks + N * 0x10000

std::map<std::string, std::uint64_t> x86_regs(std::uint64_t rip, std::uint64_t rsp, std::uint64_t rbp) {
  std::map<std::string, std::uint64_t> regs;
  std::uint64_t v = 0x1000;
  for (const char* name : ct::kX86_64RegNames) regs[name] = v++;
  regs["rip"] = rip;
  regs["rsp"] = rsp;
  regs["rbp"] = rbp;
  regs["cs"] = 0x33;
  regs["ss"] = 0x2b;
  regs["ds"] = regs["es"] = regs["fs"] = regs["gs"] = 0;
  regs["eflags"] = 0x10246;
  regs["fs_base"] = 0x7f0000200740;
  regs["gs_base"] = 0;
  return regs;
}

ct::PsInfoSpec psinfo(std::int32_t pid, const std::string& fname, const std::string& args) {
  ct::PsInfoSpec p;
  p.sname = 'R';
  p.uid = 1000;
  p.gid = 1000;
  p.pid = pid;
  p.ppid = 1;
  p.pgrp = pid;
  p.sid = pid;
  p.fname = fname;
  p.psargs = args;
  return p;
}

// An object mapped as the kernel maps it: the first page read-only (saved: it holds the headers
// and the build-id), the text read-execute (saved here, so the fault can be decoded from the core).
void map_object(ct::CoreBuilder& b, std::vector<ct::FileEntry>& files, const std::string& path,
                std::uint64_t start, const Bytes& image) {
  files.push_back({start, start + ct::kImagePage, 0, path});
  files.push_back({start + ct::kImagePage, start + 2 * ct::kImagePage, 1, path});
  b.add_segment(start, ct::kImagePage, ct::elfc::PF_R, ct::elf_image_headers(image));
  Bytes text(ct::kImagePage, 0);
  for (std::size_t i = 0; i < text.size() && ct::kImagePage + i < image.size(); ++i) text[i] = image[ct::kImagePage + i];
  b.add_segment(start + ct::kImagePage, ct::kImagePage, ct::elfc::PF_R | ct::elfc::PF_X, text);
}

// DAMAGED: the store_record crash, cut short; else the parse_header crash of process PID.
ct::BuiltCore segv_core(const Bytes& crashy, const Bytes& libc, bool damaged, std::int32_t pid = 4242) {
  ThreadStack stack(kStacks);
  stack.frame_records({kRunJob + (damaged ? 0x35 : 0x25), kMain + 0x25, kLibcBase + kStartMain + 0x22});
  stack.memory.text(stack.execfn() - stack.start, kCrashy);

  ct::ThreadSpec t;
  t.tid = damaged ? 7100 : pid;
  t.cursig = 11;
  t.ppid = 1;
  t.pgrp = t.sid = t.tid;
  t.regs = x86_regs(damaged ? kStoreFault : kParseFault, stack.sp(), stack.fp());
  t.regs["rdi"] = 0;
  t.regs["rsi"] = 0x2a;
  t.fpregs = ct::FxSave{};
  ct::SigInfoSpec si;
  si.signo = 11;
  si.code = 1;  // SEGV_MAPERR
  si.addr = damaged ? 0x10 : 0x8;

  ct::CoreBuilder b;
  b.note_order(damaged ? ct::NoteOrder::Gcore : ct::NoteOrder::Kernel);
  b.add_thread(t);
  std::optional<ThreadStack> other_stack;
  if (damaged) {
    // A second thread in main, and a third whose NT_PRSTATUS is cut to 100 of its 336 bytes.
    other_stack.emplace(kStacks + 0x10000);
    other_stack->frame_records({kLibcBase + kStartMain + 0x22});
    ct::ThreadSpec other = t;
    other.tid = 7101;
    other.regs = x86_regs(kMain + 0x25, other_stack->sp(), other_stack->fp());
    other.fpregs.reset();
    b.add_thread(other);
    ct::ThreadSpec cut = other;
    cut.tid = 7102;
    Bytes desc = ct::CoreBuilder::encode_prstatus(cut);
    desc.resize(100);
    b.add_raw_note("CORE", ct::elfc::NT_PRSTATUS, desc);
  }
  b.set_prpsinfo(psinfo(t.tid, "crashy", damaged ? "./crashy --store records.db" : "./crashy --input bad.hdr"));
  b.set_siginfo(si);
  b.set_auxv({{3, kExeBase + 64}, {6, 4096}, {9, kMain}, {31, stack.execfn()}});
  std::vector<ct::FileEntry> files;
  map_object(b, files, kCrashy, kExeBase, crashy);
  map_object(b, files, kLibc, kLibcBase, libc);
  ct::ElfImageSpec plugin;
  plugin.type = 3;
  plugin.build_id = build_id(0x41);
  plugin.text = Bytes(ct::kImagePage, 0xcc);
  map_object(b, files, kPlugin, kPluginBase, ct::build_elf_image(plugin));
  b.set_file_note(4096, files);
  if (other_stack) other_stack->add_to(b);
  const std::uint64_t fp = stack.fp();
  stack.add_to(b);  // last: the damaged copy is cut inside it
  ct::BuiltCore core = b.build();
  if (damaged) {
    // Cut inside the stack: the innermost frame record is saved, the next one is not.
    const ct::SegmentLocation& seg = core.layout.segments.back();
    core.bytes.resize(seg.data_offset + (fp + 0x20 - seg.vaddr));
  }
  return core;
}

ct::BuiltCore threads_core(const Bytes& server, const Bytes& libc_file) {
  ct::CoreBuilder b;
  const std::int32_t pid = 5150;
  const std::uint64_t libc = kLibcBase;
  std::vector<ThreadStack> stacks;
  auto thread = [&](std::int32_t tid, std::uint64_t pc, std::vector<std::uint64_t> returns) {
    ThreadStack& stack = stacks.emplace_back(kStacks + 0x10000 * stacks.size());
    stack.frame_records(returns);
    ct::ThreadSpec t;
    t.tid = tid;
    if (tid == pid) t.cursig = 6;
    t.ppid = 1;
    t.pgrp = t.sid = pid;
    t.regs = x86_regs(pc, stack.sp(), stack.fp());
    t.regs["rax"] = tid == pid ? 0 : static_cast<std::uint64_t>(-4);  // blocked calls: -EINTR
    b.add_thread(t);
  };
  // The main thread called abort(); raise() sent the signal. Four workers wait on one condition
  // variable, the I/O thread polls, and one more waits from the I/O loop.
  thread(pid, libc + kRaise + 0x20, {libc + kAbort + 0x25, kCheckInvariant + 0x22, kMain + 0x25, libc + kStartMain + 0x22});
  for (std::int32_t i = 1; i <= 4; ++i) thread(pid + i, libc + kCondWait + 0x20, {kWorkerLoop + 0x22, libc + kStartThread + 0x22});
  thread(pid + 5, libc + kPoll + 0x20, {kIoLoop + 0x22, libc + kStartThread + 0x22});
  thread(pid + 6, libc + kCondWait + 0x20, {kIoLoop + 0x22, libc + kStartThread + 0x22});
  stacks.front().memory.text(stacks.front().execfn() - stacks.front().start, kServer);

  ct::SigInfoSpec si;
  si.signo = 6;
  si.code = -6;  // SI_TKILL: raise()
  si.pid = pid;
  si.uid = 1000;
  b.set_prpsinfo(psinfo(pid, "server", "/opt/corelens-golden/bin/server --workers 4"));
  b.set_siginfo(si);
  b.set_auxv({{3, kExeBase + 64}, {6, 4096}, {9, kMain}, {31, stacks.front().execfn()}});
  std::vector<ct::FileEntry> files;
  map_object(b, files, kServer, kExeBase, server);
  map_object(b, files, kLibc, kLibcBase, libc_file);
  b.set_file_note(4096, files);
  for (auto& s : stacks) s.add_to(b);
  return b.build();
}

void write_at(const fs::path& path, const Bytes& bytes, int minute) {
  fs::create_directories(path.parent_path());
  ct::write_file(path, bytes);
  // 2024-01-01 00:00 UTC plus MINUTE minutes.
  using namespace std::chrono;
  sys_seconds t = sys_days{year{2024} / 1 / 1} + minutes{minute};
  fs::last_write_time(path, file_clock::from_sys(t));
}

}  // namespace

Bytes arm64_core(const Bytes& image);
Bytes arm64_image();

void write_all(const fs::path& dir) {
  const Bytes crashy = crashy_image(), server = server_image(), libc = libc_image(), arm64 = arm64_image();
  // libplugin.so has no file, as on a machine without the crashed system's libraries: the report
  // says so.
  write_at(dir / "sysroot" / fs::path(kCrashy).relative_path(), crashy, 0);
  write_at(dir / "sysroot" / fs::path(kServer).relative_path(), server, 0);
  write_at(dir / "sysroot" / fs::path(kCrashyArm64).relative_path(), arm64, 0);
  write_at(dir / "sysroot" / fs::path(kLibc).relative_path(), libc, 0);
  write_at(dir / "segv.core", segv_core(crashy, libc, false).bytes, 1);
  write_at(dir / "threads.core", threads_core(server, libc).bytes, 2);
  write_at(dir / "damaged.core", segv_core(crashy, libc, true).bytes, 3);
  write_at(dir / "arm64.core", arm64_core(arm64), 4);
  // The same crash again in another process: collect and triage group the two.
  write_at(dir / "segv-again.core", segv_core(crashy, libc, false, 4343).bytes, 5);
}

}  // namespace corelens::golden
