#include "parsers/live/live_process.hpp"

#include <elf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <sstream>

#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"
#include "parsers/arch_layout.hpp"
#include "parsers/arch_x86_64.hpp"
#include "parsers/core_modules.hpp"
#include "parsers/core_notes.hpp"
#include "parsers/live/proc_files.hpp"
#include "parsers/live/ptrace_stop.hpp"

namespace corelens {
namespace {

using live::VmaInfo;

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kArgumentWindow = 256;  // bytes copied on each side of a syscall's pointer
constexpr std::size_t kRegsSize = x86_64::kUserRegsCount * 8;  // struct user_regs_struct
constexpr std::size_t kI386RegsSize = 17 * 4;  // a 32-bit process's: struct user_regs_struct of i386
constexpr std::int64_t kNoSyscall = -1;

struct Range {
  std::uint64_t start = 0, end = 0;
};

std::string proc(pid_t pid) { return "/proc/" + std::to_string(pid); }

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::uint32_t flags_of(const VmaInfo& v) {
  auto has = [&](std::size_t i, char c) { return v.perms.size() > i && v.perms[i] == c; };
  return (has(0, 'r') ? kRead : 0) | (has(1, 'w') ? kWrite : 0) | (has(2, 'x') ? kExec : 0);
}

bool is_file(const VmaInfo& v) { return v.inode != 0 && !v.path.empty() && v.path[0] == '/'; }

// Device mappings (a GPU's buffers, a frame buffer) are neither read nor needed.
bool is_device(const VmaInfo& v) { return v.path.starts_with("/dev/") && !v.path.starts_with("/dev/zero"); }

const VmaInfo* vma_at(const std::vector<VmaInfo>& vmas, std::uint64_t addr) {
  for (const auto& v : vmas) {
    if (addr >= v.start && addr < v.end) return &v;
  }
  return nullptr;
}

std::uint64_t reg(const Thread& t, std::string_view name) { return t.registers.get(name).value_or(0); }

// What the copy needs to know of the process's architecture: where a thread's stack and its
// blocking system call's arguments are. A 64-bit kernel shows a 32-bit (i386) process's threads
// in i386's own layout; those registers carry its syscall's number and arguments too.
struct ArchRegisters {
  Arch arch;
  std::string_view sp, syscall_number;
  std::array<std::string_view, 6> syscall_args;
  std::uint64_t red_zone;  // bytes below sp a leaf function may use (x86_64's ABI: 128; i386: none)
};
constexpr ArchRegisters kX86_64Registers{Arch::x86_64, "rsp", "orig_rax", {"rdi", "rsi", "rdx", "r10", "r8", "r9"}, 128};
constexpr ArchRegisters kI386Registers{Arch::i386, "esp", "orig_eax", {"ebx", "ecx", "edx", "esi", "edi", "ebp"}, 0};

// Ranges to copy, in priority order; the budget applies to the last group only.
struct CopyPlan {
  std::vector<Range> needed;    // stacks, ELF headers, the vDSO, syscall arguments
  std::vector<Range> writable;  // the rest of the writable memory, in priority order
};

CopyPlan plan_copy(const std::vector<VmaInfo>& vmas, const std::vector<Thread>& threads, const ArchRegisters& arch,
                   const LiveReadOptions& o) {
  CopyPlan plan;
  std::vector<const VmaInfo*> stacks;
  for (const auto& t : threads) {
    std::uint64_t sp = reg(t, arch.sp);
    const VmaInfo* v = vma_at(vmas, sp);
    if (v == nullptr || (flags_of(*v) & kWrite) == 0) continue;
    stacks.push_back(v);
    std::uint64_t from = std::max(v->start, (sp > arch.red_zone ? sp - arch.red_zone : 0) & ~(kPage - 1));
    plan.needed.push_back({from, std::min(v->end, sp + o.max_stack)});
    // The pointers its blocking system call was given: the futex word of the lock it waits for.
    // (orig_eax is 32 bits: -1 reads as 0xffffffff.)
    std::uint64_t number = reg(t, arch.syscall_number);
    if (static_cast<std::int64_t>(number) != kNoSyscall && number != 0xffffffffu) {
      for (std::string_view r : arch.syscall_args) {
        std::uint64_t p = reg(t, r);
        const VmaInfo* target = vma_at(vmas, p);
        if (target == nullptr || is_device(*target) || (flags_of(*target) & kRead) == 0) continue;
        plan.needed.push_back({std::max(target->start, p > kArgumentWindow ? p - kArgumentWindow : 0),
                               std::min(target->end, p + kArgumentWindow)});
      }
    }
  }
  for (const auto& v : vmas) {
    if (v.path == "[vdso]") plan.needed.push_back({v.start, v.end});  // no file: its code and CFI
    else if (is_file(v) && v.offset == 0 && (flags_of(v) & kRead) != 0) plan.needed.push_back({v.start, std::min(v.end, v.start + kPage)});
  }
  // Module data (globals), then the heap, then the other anonymous memory.
  auto writable = [&](const VmaInfo& v) {
    return (flags_of(v) & (kRead | kWrite)) == (kRead | kWrite) && !is_device(v) &&
           std::find(stacks.begin(), stacks.end(), &v) == stacks.end() && !v.path.starts_with("[v");
  };
  for (int pass = 0; pass < 3; ++pass) {
    for (const auto& v : vmas) {
      if (!writable(v)) continue;
      int rank = is_file(v) ? 0 : v.path == "[heap]" ? 1 : 2;
      if (rank == pass) plan.writable.push_back({v.start, v.end});
    }
  }
  return plan;
}

// Sorted, without overlaps (touching ranges stay apart: each belongs to its own mapping).
std::vector<Range> merged(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.start < b.start; });
  std::vector<Range> out;
  for (const auto& r : ranges) {
    if (r.end <= r.start) continue;
    if (!out.empty() && r.start < out.back().end) out.back().end = std::max(out.back().end, r.end);
    else out.push_back(r);
  }
  return out;
}

// Of WANTED (in priority order), what fits in BUDGET beside what TAKEN already covers.
std::vector<Range> within_budget(const std::vector<Range>& wanted, const std::vector<Range>& taken,
                                 std::uint64_t budget, std::uint64_t* left_out) {
  std::vector<Range> out;
  for (const auto& w : wanted) {
    // The parts of W not already taken.
    std::vector<Range> parts{w};
    for (const auto& t : taken) {
      std::vector<Range> next;
      for (const auto& p : parts) {
        if (t.end <= p.start || t.start >= p.end) {
          next.push_back(p);
          continue;
        }
        if (p.start < t.start) next.push_back({p.start, t.start});
        if (t.end < p.end) next.push_back({t.end, p.end});
      }
      parts = std::move(next);
    }
    for (const auto& p : parts) {
      std::uint64_t n = std::min(budget, p.end - p.start);
      if (n != 0) out.push_back({p.start, p.start + n});
      *left_out += (p.end - p.start) - n;
      budget -= n;
    }
  }
  return out;
}

// A thread's registers, in the layout the kernel shows for its process: *ARCH says which (null
// when they could not be read).
Thread read_thread(const live::StoppedProcess& stopped, pid_t tid, const ArchRegisters** arch) {
  Thread t;
  t.tid = tid;
  *arch = nullptr;
  std::vector<std::byte> regs = stopped.regset(tid, NT_PRSTATUS, 1024);
  if (regs.size() == kRegsSize) {
    // pr_reg as the kernel lays it out in a core's NT_PRSTATUS: the same user_regs_struct.
    std::vector<std::byte> prstatus(x86_64::kPrRegOffset + regs.size());
    std::memcpy(prstatus.data() + x86_64::kPrRegOffset, regs.data(), regs.size());
    x86_64::decode_user_regs(ByteReader(prstatus), t);
    std::vector<std::byte> fp = stopped.regset(tid, NT_PRFPREG, x86_64::kFxsaveSize);
    if (fp.size() >= x86_64::kFxsaveSize) x86_64::decode_fxsave(ByteReader(fp), t);
    *arch = &kX86_64Registers;
  } else if (regs.size() == kI386RegsSize) {
    // The same words an i386 core's NT_PRSTATUS holds at pr_reg. Its x87/SSE state is not read:
    // the analysis does not need it, and i386 cores from qemu carry none either.
    const PrStatusLayout& layout = prstatus_layout_i386();
    std::vector<std::byte> prstatus(layout.size);
    std::memcpy(prstatus.data() + layout.pr_reg_offset, regs.data(), regs.size());
    decode_prstatus_registers(layout, ByteReader(prstatus), t);
    *arch = &kI386Registers;
  }
  return t;
}

// What is read while the process is stopped.
struct Copied {
  const ArchRegisters* arch = nullptr;
  std::vector<Thread> threads;
  std::vector<VmaInfo> vmas;
  std::vector<Range> ranges;  // sorted; their bytes one after the other in BYTES
  std::vector<std::byte> bytes;
  LiveProcessReport stop;
};

constexpr int kMaxAttempts = 8;
constexpr std::uint64_t kCopyChunk = std::uint64_t{1} << 20;  // a signal to corelens is seen between two

// Stops the process, copies it, lets it go. When a signal to corelens interrupted the copy, the
// process was let go, the signal delivered (corelens survived it: a stop signal, or one with a
// handler), and *STOP_SIGNAL is it if it was a stop signal, after which a new attempt may start.
Result<Copied> copy_process(pid_t pid, const LiveReadOptions& options, int* stop_signal) {
  int signal = 0;
  auto stopped = live::StoppedProcess::stop(pid, &signal);
  if (!stopped) {
    if (live::SignalShield::is_stop_signal(signal)) *stop_signal = signal;
    return unexpected(stopped.error());
  }
  live::StoppedProcess& s = **stopped;
  Copied out;
  for (pid_t tid : s.threads()) {
    const ArchRegisters* arch = nullptr;
    out.threads.push_back(read_thread(s, tid, &arch));
    if (out.arch == nullptr) out.arch = arch;
  }
  if (out.arch == nullptr) {
    s.resume();
    return fail(ErrorCode::unsupported, "cannot read the registers of process " + std::to_string(pid) +
                                            ": --pid reads x86_64 and i386 processes on an x86_64 machine");
  }
  out.vmas = live::parse_smaps(live::read_proc_file(proc(pid) + "/maps"));
  CopyPlan plan = plan_copy(out.vmas, out.threads, *out.arch, options);
  std::vector<Range> needed = merged(plan.needed);
  out.ranges = needed;
  for (const auto& r : within_budget(plan.writable, needed, options.copy_budget, &out.stop.bytes_not_copied)) {
    out.ranges.push_back(r);
  }
  out.ranges = merged(out.ranges);
  std::uint64_t total = 0;
  for (const auto& r : out.ranges) total += r.end - r.start;
  out.bytes.resize(total);
  live::ProcessMemory memory(pid);
  std::uint64_t unreadable = 0, at = 0;
  for (const auto& r : out.ranges) {
    for (std::uint64_t a = r.start; a < r.end && s.interrupted() == 0; a += kCopyChunk) {
      std::uint64_t n = std::min(kCopyChunk, r.end - a);
      unreadable += memory.read(a, std::span<std::byte>(out.bytes.data() + at + (a - r.start), n));
    }
    at += r.end - r.start;
  }
  out.stop.stopped_us = s.resume();
  if (int sig = s.interrupted(); sig != 0) {
    if (live::SignalShield::is_stop_signal(sig)) *stop_signal = sig;
    return unexpected(live::interrupted_error(pid, sig));
  }
  if (!memory.ok()) {
    return fail(ErrorCode::not_permitted, "cannot read the memory of process " + std::to_string(pid) + ": " +
                                              std::strerror(memory.open_errno()));
  }
  out.stop.bytes_copied = total - unreadable;
  return out;
}

PsInfo process_info(pid_t pid) {
  PsInfo ps;
  std::string status = live::read_proc_file(proc(pid) + "/status");
  std::string stat = live::read_proc_file(proc(pid) + "/stat");
  ps.pid = pid;
  ps.fname = live::status_field(status, "Name");
  ps.ppid = static_cast<std::int32_t>(std::strtol(live::status_field(status, "PPid").c_str(), nullptr, 10));
  ps.uid = static_cast<std::uint32_t>(std::strtoul(live::status_field(status, "Uid").c_str(), nullptr, 10));
  ps.gid = static_cast<std::uint32_t>(std::strtoul(live::status_field(status, "Gid").c_str(), nullptr, 10));
  std::string state = live::status_field(status, "State");
  if (!state.empty()) ps.state_char = state[0];
  if (auto close = stat.rfind(')'); close != std::string::npos) {
    std::istringstream in(stat.substr(close + 1));
    std::string field;
    std::vector<std::string> f;
    while (in >> field) f.push_back(field);
    if (f.size() > 3) {
      ps.pgrp = static_cast<std::int32_t>(std::strtol(f[2].c_str(), nullptr, 10));
      ps.sid = static_cast<std::int32_t>(std::strtol(f[3].c_str(), nullptr, 10));
    }
    if (f.size() > 16) ps.nice = static_cast<std::int8_t>(std::strtol(f[16].c_str(), nullptr, 10));
  }
  std::string cmdline = live::read_proc_file(proc(pid) + "/cmdline");
  while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  ps.psargs = printable(cmdline.substr(0, notes::kMaxPathLength));
  return ps;
}

}  // namespace

Result<LiveProcess> read_live_process(pid_t pid, const LiveReadOptions& options) {
#if !defined(__x86_64__)
  (void)pid;
  (void)options;
  return fail(ErrorCode::unsupported, "live processes are read on x86_64 only");
#else
  // What does not change while it runs is read before it is stopped.
  PsInfo ps = process_info(pid);
  std::string auxv = live::read_proc_file(proc(pid) + "/auxv");

  // Ctrl-Z while it was held: it was let go, corelens was stopped and continued; start over.
  Result<Copied> copied = unexpected(Error{});
  for (int attempt = 0;; ++attempt) {
    int stop_signal = 0;
    copied = copy_process(pid, options, &stop_signal);
    if (copied || stop_signal == 0 || attempt == kMaxAttempts) break;
  }
  if (!copied) return unexpected(copied.error());
  LiveProcess out;
  out.stop = copied->stop;
  ProcessDump& dump = out.dump;
  dump.threads = std::move(copied->threads);
  std::vector<VmaInfo>& vmas = copied->vmas;
  std::vector<Range>& ranges = copied->ranges;

  // The model, as a core of the same moment would have it.
  for (auto& t : dump.threads) {
    t.name = trimmed(live::read_proc_file(proc(pid) + "/task/" + std::to_string(t.tid) + "/comm"));
    t.ppid = ps.ppid;
    t.pgrp = ps.pgrp;
    t.sid = ps.sid;
  }
  dump.arch = copied->arch->arch;
  dump.producer = "live";
  dump.psinfo = ps;
  dump.auxv = notes::decode_auxv(ByteReader(std::as_bytes(std::span(auxv.data(), auxv.size()))), dump.diagnostics,
                                 pointer_size(dump.arch));
  std::vector<MemorySegment> segments;
  std::uint64_t offset = 0;
  std::size_t next = 0;  // the first copied range not yet placed
  for (const auto& v : vmas) {
    Mapping m;
    m.start = v.start;
    m.end = v.end;
    m.flags = flags_of(v);
    m.path = v.path;
    m.file_offset = is_file(v) ? v.offset : 0;
    // Each mapping is the copied ranges inside it (each range lies in one mapping: every range was
    // cut to its mapping) and, between them, holes that read as not saved.
    std::uint64_t cursor = v.start;
    for (; next < ranges.size() && ranges[next].start < v.end; ++next) {
      const Range& r = ranges[next];
      if (r.start < cursor) continue;
      if (r.start > cursor) segments.push_back({cursor, r.start - cursor, 0, 0});
      std::uint64_t end = std::min(r.end, v.end);
      segments.push_back({r.start, end - r.start, offset, end - r.start});
      m.saved += end - r.start;
      cursor = end;
      offset += r.end - r.start;
    }
    if (cursor < v.end) segments.push_back({cursor, v.end - cursor, 0, 0});
    dump.mappings.push_back(std::move(m));
    if (is_file(v)) dump.files.push_back(FileRange{v.start, v.end, v.offset, v.path});
  }
  dump.file = MappedFile::from_memory("process " + std::to_string(pid), std::move(copied->bytes));
  dump.memory = AddressSpace(dump.file, std::move(segments));
  discover_modules(dump);
  dump.diagnostics.info("live-process", "read from the running process " + std::to_string(pid) + ", stopped for " +
                                            std::to_string(out.stop.stopped_us) + " us");
  if (out.stop.bytes_not_copied != 0) {
    dump.diagnostics.info("live-memory-budget", std::to_string(out.stop.bytes_not_copied) +
                                                    " bytes of writable memory were not read (the copy is capped at " +
                                                    std::to_string(options.copy_budget) + " bytes)");
  }
  return out;
#endif
}

}  // namespace corelens
