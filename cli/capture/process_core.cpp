#include "cli/capture/process_core.hpp"

#include <cpuid.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>

#include "parsers/elf_core_writer.hpp"

namespace corelens::capture {
namespace {

namespace cw = core_writer;

constexpr std::uint64_t kPage = 4096;
// struct task_struct flags the kernel has set on the dumping thread by the time it fills
// NT_PRPSINFO (include/linux/sched.h): PF_DUMPCORE and PF_SIGNALED.
constexpr std::uint64_t kPfDumpcore = 0x200, kPfSignaled = 0x400;

std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

// /proc/PID/stat: the fields after "(comm)", so field 3 (state) is [0].
std::vector<std::string> stat_fields(const std::string& stat) {
  std::vector<std::string> out;
  auto close = stat.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream in(stat.substr(close + 1));
  std::string f;
  while (in >> f) out.push_back(f);
  return out;
}

std::int64_t field_i64(const std::vector<std::string>& f, std::size_t i) {
  return i < f.size() ? std::strtoll(f[i].c_str(), nullptr, 10) : 0;
}

// "SigBlk:\t0000000000000000" and friends.
std::string status_value(const std::string& status, const std::string& key) {
  auto pos = ("\n" + status).find("\n" + key + ":");  // the first line has no newline before it
  if (pos == std::string::npos) return {};
  pos += key.size() + 1;
  auto end = status.find('\n', pos);
  std::string v = status.substr(pos, end - pos);
  v.erase(0, v.find_first_not_of(" \t"));
  return v;
}

cw::TimeVal ticks_to_timeval(std::int64_t ticks) {
  static const long hz = ::sysconf(_SC_CLK_TCK);
  cw::TimeVal t;
  t.sec = ticks / hz;
  t.usec = (ticks % hz) * (1000000 / hz);
  return t;
}

std::vector<std::byte> get_regset(pid_t tid, unsigned type, std::size_t max) {
  std::vector<std::byte> buf(max);
  iovec iov{buf.data(), buf.size()};
  if (::ptrace(PTRACE_GETREGSET, tid, reinterpret_cast<void*>(static_cast<std::uintptr_t>(type)), &iov) != 0) return {};
  buf.resize(iov.iov_len);
  return buf;
}

std::vector<std::byte> to_bytes(const std::string& s) {
  std::vector<std::byte> out(s.size());
  if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());
  return out;
}

// NT_X86_XSAVE_LAYOUT (Linux 6.12+): where each enabled extended feature (AVX = 2 and up) sits in
// the XSAVE area of NT_X86_XSTATE, as {type, size, offset, flags} from CPUID leaf 0xD.
std::vector<std::byte> xsave_layout(std::size_t xstate_size) {
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0 || (c & bit_OSXSAVE) == 0) return {};
  std::uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  std::uint64_t xcr0 = (std::uint64_t{hi} << 32) | lo;
  std::vector<std::byte> out;
  for (unsigned i = 2; i < 63; ++i) {
    if (((xcr0 >> i) & 1) == 0) continue;
    __cpuid_count(0xd, i, a, b, c, d);
    if (a == 0 || std::uint64_t{b} + a > xstate_size) continue;
    std::uint32_t rec[4] = {i, a, b, c};
    std::size_t at = out.size();
    out.resize(at + sizeof rec);
    std::memcpy(out.data() + at, rec, sizeof rec);
  }
  return out;
}

bool has_flag(const VmaInfo& v, const char* flag) {
  return std::find(v.vm_flags.begin(), v.vm_flags.end(), flag) != v.vm_flags.end();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct ThreadState {
  pid_t tid = 0;
  std::vector<std::byte> regs, fpregs, xstate;
  cw::PrStatus status;
};

ThreadState read_thread(pid_t tgid, pid_t tid, int signo, bool leader_totals) {
  ThreadState t;
  t.tid = tid;
  std::string dir = "/proc/" + std::to_string(tgid) + "/task/" + std::to_string(tid);
  auto st = stat_fields(read_file(dir + "/stat"));
  std::string status = read_file(dir + "/status");
  t.regs = get_regset(tid, NT_PRSTATUS, 216);
  t.fpregs = get_regset(tid, NT_PRFPREG, 512);
  t.xstate = get_regset(tid, NT_X86_XSTATE, 64 * 1024);
  auto& s = t.status;
  s.signo = signo;  // every thread carries the fatal signal in pr_cursig (fill_prstatus)
  s.cursig = static_cast<std::int16_t>(signo);
  s.sigpend = std::strtoull(status_value(status, "SigPnd").c_str(), nullptr, 16);
  s.sighold = std::strtoull(status_value(status, "SigBlk").c_str(), nullptr, 16);
  s.pid = tid;
  s.ppid = static_cast<std::int32_t>(std::strtol(status_value(status, "PPid").c_str(), nullptr, 10));
  s.pgrp = static_cast<std::int32_t>(field_i64(st, 2));
  s.sid = static_cast<std::int32_t>(field_i64(st, 3));
  // The group leader's times are the whole group's (thread_group_cputime).
  auto times = leader_totals ? stat_fields(read_file("/proc/" + std::to_string(tgid) + "/stat")) : st;
  s.utime = ticks_to_timeval(field_i64(times, 11));
  s.stime = ticks_to_timeval(field_i64(times, 12));
  s.cutime = ticks_to_timeval(field_i64(st, 13));
  s.cstime = ticks_to_timeval(field_i64(st, 14));
  s.fpvalid = t.fpregs.empty() ? 0 : 1;
  return t;
}

}  // namespace

std::uint64_t dump_size(const VmaInfo& v, std::uint32_t filter, bool executable_file, bool starts_with_elf) {
  auto want = [&](int bit) { return ((filter >> bit) & 1) != 0; };
  enum { kAnonPrivate, kAnonShared, kMappedPrivate, kMappedShared, kElfHeaders, kHugePrivate, kHugeShared };
  std::uint64_t whole = v.end - v.start;
  // always_dump_vma: the kernel's special mappings ([vdso], [vvar], [vsyscall] ...), but not the
  // plain anonymous ones /proc names [heap], [stack] or [anon:...].
  if (v.path.starts_with("[") && v.path != "[heap]" && !v.path.starts_with("[stack") &&
      !v.path.starts_with("[anon")) {
    return whole;
  }
  if (has_flag(v, "dd")) return 0;  // VM_DONTDUMP (MADV_DONTDUMP)
  bool shared = has_flag(v, "sh") || (v.perms.size() > 3 && v.perms[3] == 's');
  if (has_flag(v, "ht")) return (shared ? want(kHugeShared) : want(kHugePrivate)) ? whole : 0;
  if (has_flag(v, "io")) return 0;
  if (shared) {
    // i_nlink == 0: anonymous shared memory (MAP_SHARED|MAP_ANONYMOUS, SysV shm, deleted files).
    bool unlinked = ends_with(v.path, " (deleted)") || v.path.starts_with("[anon_shmem") || v.inode == 0;
    return (unlinked ? want(kAnonShared) : want(kMappedShared)) ? whole : 0;
  }
  // "vma->anon_vma": the mapping has private pages of its own (written, or copied on write).
  if ((v.anonymous_kb != 0 || v.swap_kb != 0) && want(kAnonPrivate)) return whole;
  if (v.inode == 0) return 0;
  if (want(kMappedPrivate)) return whole;
  if (want(kElfHeaders) && v.offset == 0 && !v.perms.empty() && v.perms[0] == 'r' &&
      (executable_file || starts_with_elf)) {
    return std::min(kPage, whole);
  }
  return 0;
}

Result<CoreWritten> write_process_core(const CoreRequest& req) {
  std::string proc = "/proc/" + std::to_string(req.tgid);
  CoreWritten written;

  // Threads: the one that took the signal first, as in the kernel's list.
  std::vector<ThreadState> threads;
  threads.push_back(read_thread(req.tgid, req.crashed_tid, req.signo, req.crashed_tid == req.tgid));
  for (pid_t tid : req.other_tids) threads.push_back(read_thread(req.tgid, tid, req.signo, tid == req.tgid));
  // A 32-bit (i386) process's registers come in i386's layout (68 bytes): this writer lays out
  // x86_64 cores only, and a core mixing the two would read as garbage.
  constexpr std::size_t kI386RegsSize = 17 * 4;
  if (threads.front().regs.size() == kI386RegsSize) {
    return fail(ErrorCode::unsupported, "process " + std::to_string(req.tgid) +
                                            " is a 32-bit (i386) program: cores are written of x86_64 processes only "
                                            "(corelens analyze --pid reads it)");
  }
  for (const auto& t : threads) {
    if (t.regs.size() != 216) written.warnings.push_back("thread " + std::to_string(t.tid) + ": registers unreadable");
  }

  // NT_PRPSINFO describes the group leader.
  cw::PrPsInfo ps;
  auto lst = stat_fields(read_file(proc + "/stat"));
  std::string lstatus = read_file(proc + "/status");
  bool leader_dumps = req.crashed_tid == req.tgid && req.signo != 0;
  // The leader either dumps (running) or waits for the dumper in TASK_UNINTERRUPTIBLE; a
  // snapshot's leader is in the state it was stopped in (sleeping: pr_state 1).
  ps.state = req.signo == 0 ? 1 : leader_dumps ? 0 : 2;
  ps.sname = req.signo == 0 ? 'S' : leader_dumps ? 'R' : 'D';
  ps.nice = static_cast<std::int8_t>(field_i64(lst, 16));
  ps.flag = static_cast<std::uint64_t>(field_i64(lst, 6)) | (leader_dumps ? kPfDumpcore | kPfSignaled : 0);
  ps.uid = static_cast<std::uint32_t>(std::strtoul(status_value(lstatus, "Uid").c_str(), nullptr, 10));
  ps.gid = static_cast<std::uint32_t>(std::strtoul(status_value(lstatus, "Gid").c_str(), nullptr, 10));
  ps.pid = req.tgid;
  ps.ppid = static_cast<std::int32_t>(std::strtol(status_value(lstatus, "PPid").c_str(), nullptr, 10));
  ps.pgrp = static_cast<std::int32_t>(field_i64(lst, 2));
  ps.sid = static_cast<std::int32_t>(field_i64(lst, 3));
  ps.fname = status_value(lstatus, "Name");
  ps.psargs = read_file(proc + "/cmdline");

  // Memory: which of each mapping the kernel would dump, under the process's coredump_filter.
  std::uint32_t filter = static_cast<std::uint32_t>(std::strtoul(read_file(proc + "/coredump_filter").c_str(), nullptr, 16));
  auto vmas = parse_smaps(read_file(proc + "/smaps"));
  if (vmas.empty()) written.warnings.push_back("cannot read " + proc + "/smaps: no memory in the core");
  live::ProcessMemory mem(req.tgid);
  if (!mem.ok()) written.warnings.push_back("cannot open " + proc + "/mem: " + std::strerror(errno));
  std::vector<cw::Segment> segments;
  std::vector<cw::FileMapping> files;
  for (const auto& v : vmas) {
    bool exec_file = false, elf = false;
    if (v.inode != 0 && v.offset == 0) {
      struct stat sb {};
      exec_file = !v.path.empty() && v.path[0] == '/' && ::stat(v.path.c_str(), &sb) == 0 && (sb.st_mode & 0111) != 0;
      std::byte magic[4] = {};
      elf = mem.ok() && mem.read(v.start, magic) == 0 && std::memcmp(magic, ELFMAG, SELFMAG) == 0;
    }
    cw::Segment s;
    s.vaddr = v.start;
    s.memsz = v.end - v.start;
    s.filesz = dump_size(v, filter, exec_file, elf);
    s.flags = (v.perms.size() > 0 && v.perms[0] == 'r' ? cw::kPfR : 0) |
              (v.perms.size() > 1 && v.perms[1] == 'w' ? cw::kPfW : 0) |
              (v.perms.size() > 2 && v.perms[2] == 'x' ? cw::kPfX : 0);
    segments.push_back(s);
    if (v.inode != 0) files.push_back(cw::FileMapping{v.start, v.end, v.offset / kPage, v.path});
  }

  // Notes in the order write_note_info emits them: the first thread's NT_PRSTATUS, the process
  // notes, that thread's other register sets; then each other thread; then the x86 extras.
  std::vector<cw::Note> notes;
  auto add_thread = [&](const ThreadState& t, bool first) {
    notes.push_back({"CORE", NT_PRSTATUS, cw::encode_prstatus_x86_64(t.status, t.regs)});
    if (first) {
      notes.push_back({"CORE", NT_PRPSINFO, cw::encode_prpsinfo(ps)});
      if (req.signo != 0) {
        std::vector<std::byte> si = req.siginfo;
        si.resize(128);
        notes.push_back({"CORE", NT_SIGINFO, si});
      }
      notes.push_back({"CORE", NT_AUXV, to_bytes(read_file(proc + "/auxv"))});
      if (!files.empty()) notes.push_back({"CORE", NT_FILE, cw::encode_file_note(files, kPage)});
    }
    if (!t.fpregs.empty()) notes.push_back({"CORE", NT_PRFPREG, t.fpregs});
    if (!t.xstate.empty()) notes.push_back({"LINUX", NT_X86_XSTATE, t.xstate});
  };
  for (std::size_t i = 0; i < threads.size(); ++i) add_thread(threads[i], i == 0);
  if (!threads.front().xstate.empty()) {
    auto layout = xsave_layout(threads.front().xstate.size());
    if (!layout.empty()) notes.push_back({"LINUX", 0x205 /* NT_X86_XSAVE_LAYOUT */, std::move(layout)});
  }

  int fd = req.fd >= 0 ? req.fd : ::open(req.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::io, req.path + ": " + std::strerror(errno));
  bool cancelled = false;
  auto r = cw::write_core(fd, EM_X86_64, notes, segments,
                          [&](std::uint64_t addr, std::span<std::byte> out) {
                            // Cancelled: the rest reads as not readable (zeros, written as holes:
                            // nothing more is read or written), and the file is not kept.
                            if (cancelled || (req.cancelled && (cancelled = req.cancelled()))) return out.size();
                            return mem.read(addr, out);
                          },
                          req.max_size);
  if (req.fd < 0) ::close(fd);
  if (cancelled) return fail(ErrorCode::cancelled, "the core of process " + std::to_string(req.tgid) + " was not finished");
  if (!r) return unexpected(r.error());
  written.size = r->size;
  written.truncated = r->truncated;
  return written;
}

}  // namespace corelens::capture
