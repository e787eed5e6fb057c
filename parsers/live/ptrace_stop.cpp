#include "parsers/live/ptrace_stop.hpp"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "parsers/live/proc_files.hpp"

namespace corelens::live {
namespace {

constexpr std::size_t kMaxThreads = 1u << 17;

std::string proc(pid_t pid) { return "/proc/" + std::to_string(pid); }

// Why PTRACE_SEIZE said EPERM, in words a user can act on.
std::string not_permitted_words(pid_t pid) {
  std::string s = "not permitted to trace process " + std::to_string(pid);
  std::string scope = read_proc_file("/proc/sys/kernel/yama/ptrace_scope");
  while (!scope.empty() && (scope.back() == '\n' || scope.back() == ' ')) scope.pop_back();
  std::string uid = status_field(read_proc_file(proc(pid) + "/status"), "Uid");
  uid = uid.substr(0, uid.find_first_of(" \t"));
  if (!uid.empty() && uid != std::to_string(::getuid())) {
    s += ": it belongs to uid " + uid + " (you are uid " + std::to_string(::getuid()) + ")";
  } else if (scope == "1") {
    s += ": kernel.yama.ptrace_scope is 1, so only its parent may trace it";
  } else if (scope == "2" || scope == "3") {
    s += ": kernel.yama.ptrace_scope is " + scope + (scope == "3" ? " (no process may be traced)" : " (admin only)");
  } else {
    s += ": ptrace is refused (a seccomp policy, a container, or the process is not dumpable)";
  }
  s += ". Run corelens with CAP_SYS_PTRACE (as root, or `sudo setcap cap_sys_ptrace+ep corelens`)";
  if (scope == "1" || scope == "2") s += ", or lower it: sudo sysctl kernel.yama.ptrace_scope=0";
  return s;
}

}  // namespace

Error interrupted_error(pid_t pid, int sig) {
  const char* name = sigabbrev_np(sig);
  return Error{ErrorCode::cancelled,
               "interrupted by " + (name != nullptr ? "SIG" + std::string(name) : "signal " + std::to_string(sig)) +
                   " while process " + std::to_string(pid) + " was stopped; it was let go and runs on",
               std::nullopt};
}

Result<std::unique_ptr<StoppedProcess>> StoppedProcess::stop(pid_t pid, int* interrupted_by) {
  if (pid <= 0) return fail(ErrorCode::not_found, "no such process: " + std::to_string(pid));
  if (pid == ::getpid()) return fail(ErrorCode::not_permitted, "corelens cannot stop itself (pid " + std::to_string(pid) + ")");
  std::string status = read_proc_file(proc(pid) + "/status");
  if (status.empty()) return fail(ErrorCode::not_found, "no such process: " + std::to_string(pid));
  std::string tgid = status_field(status, "Tgid");
  if (!tgid.empty() && tgid != std::to_string(pid)) {
    return fail(ErrorCode::not_found, std::to_string(pid) + " is a thread of process " + tgid + ": give the process's id");
  }
  std::string state = status_field(status, "State");
  if (state.starts_with("Z") || state.starts_with("X")) {
    return fail(ErrorCode::not_found, "process " + std::to_string(pid) + " has exited (a zombie): nothing to read");
  }
  std::string tracer = status_field(status, "TracerPid");
  if (!tracer.empty() && tracer != "0") {
    std::string comm = read_proc_file(proc(static_cast<pid_t>(std::strtol(tracer.c_str(), nullptr, 10))) + "/comm");
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    return fail(ErrorCode::busy, "process " + std::to_string(pid) + " is already traced by pid " + tracer +
                                     (comm.empty() ? "" : " (" + comm + ")") + ": detach that debugger first");
  }

  std::unique_ptr<StoppedProcess> p(new StoppedProcess());
  p->pid_ = pid;
  // Seize every thread first (they run on), then interrupt them all and only then wait for each:
  // the threads stop together. Threads cloned meanwhile are taken in the next round, until a
  // round finds none (a stopped thread clones no more).
  std::set<pid_t> known;
  for (bool first_round = true;; first_round = false) {
    std::vector<pid_t> fresh;
    for (pid_t t : list_tasks(pid)) {
      if (!known.insert(t).second) continue;
      if (known.size() > kMaxThreads) return fail(ErrorCode::malformed, "process " + std::to_string(pid) + " has too many threads");
      auto seized = p->seize(t, t == pid);
      if (!seized) return unexpected(seized.error());
      if (*seized) fresh.push_back(t);
    }
    if (fresh.empty()) break;
    if (first_round) p->first_interrupt_ = std::chrono::steady_clock::now();
    p->interrupted_ = true;
    std::vector<pid_t> interrupted;
    for (pid_t t : fresh) {
      if (::ptrace(PTRACE_INTERRUPT, t, nullptr, nullptr) == 0) interrupted.push_back(t);
    }
    for (pid_t t : interrupted) {
      if (p->wait_stopped(t)) p->threads_.push_back(t);
    }
    if (int sig = p->interrupted(); sig != 0) {
      p->resume();  // lets it go, then delivers SIG: this may be the end of corelens
      if (interrupted_by != nullptr) *interrupted_by = sig;
      return unexpected(interrupted_error(pid, sig));
    }
  }
  if (p->threads_.empty()) return fail(ErrorCode::not_found, "no such process: " + std::to_string(pid));
  p->hold_for_tests();
  // The leader first, then by tid, as a kernel core lists them.
  std::sort(p->threads_.begin(), p->threads_.end(),
            [pid](pid_t a, pid_t b) { return (a == pid) != (b == pid) ? a == pid : a < b; });
  return p;
}

Result<bool> StoppedProcess::seize(pid_t tid, bool leader) {
  if (::ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) {
    int e = errno;
    if (e == ESRCH && !leader) return false;  // it exited meanwhile
    if (e == ESRCH) return fail(ErrorCode::not_found, "no such process: " + std::to_string(pid_));
    if (e == EPERM) {
      // Another tracer may have attached since the check above.
      std::string tracer = status_field(read_proc_file(proc(tid) + "/status"), "TracerPid");
      if (!tracer.empty() && tracer != "0") {
        return fail(ErrorCode::busy, "process " + std::to_string(pid_) + " is already traced by pid " + tracer +
                                         ": detach that debugger first");
      }
      return fail(ErrorCode::not_permitted, not_permitted_words(pid_));
    }
    return fail(ErrorCode::internal, "cannot trace thread " + std::to_string(tid) + ": " + std::strerror(e));
  }
  seized_.push_back(tid);
  return true;
}

bool StoppedProcess::wait_stopped(pid_t tid) {
  for (;;) {
    int status = 0;
    pid_t w = ::waitpid(tid, &status, __WALL);
    // Even when a signal to corelens interrupted the wait, the thread must be waited for: only a
    // stopped thread can be detached, and one left traced would stay held at its next stop. It
    // stops at once unless it sleeps uninterruptibly in the kernel (state D).
    if (w < 0 && errno == EINTR) continue;
    if (w != tid || !WIFSTOPPED(status)) {
      std::erase(seized_, tid);  // exited: nothing to detach
      return false;
    }
    // PTRACE_EVENT_STOP: our interrupt (or a group-stop, which detaching leaves in place). A plain
    // signal-delivery-stop: a signal came first; it is given back when the thread is let go.
    if ((status >> 16) == 0) signals_[tid] = WSTOPSIG(status);
    return true;
  }
}

void StoppedProcess::hold_for_tests() const {
  // secure_getenv: never in a corelens given CAP_SYS_PTRACE by setcap (AT_SECURE).
  const char* file = ::secure_getenv("CORELENS_TEST_HOLD_STOPPED");
  if (file == nullptr || *file == '\0') return;
  if (std::FILE* f = std::fopen(file, "w")) {
    std::fprintf(f, "held %zu\n", threads_.size());
    std::fclose(f);
  }
  for (int i = 0; i < 6000 && shield_.caught() == 0 && ::access(file, F_OK) == 0; ++i) {
    timespec ten_ms{0, 10'000'000};
    ::nanosleep(&ten_ms, nullptr);
  }
}

std::vector<std::byte> StoppedProcess::regset(pid_t tid, unsigned type, std::size_t max) const {
  std::vector<std::byte> buf(max);
  iovec iov{buf.data(), buf.size()};
  if (::ptrace(PTRACE_GETREGSET, tid, reinterpret_cast<void*>(static_cast<std::uintptr_t>(type)), &iov) != 0) return {};
  buf.resize(iov.iov_len);
  return buf;
}

std::uint64_t StoppedProcess::resume() {
  if (resumed_) return stopped_us_;
  resumed_ = true;
  for (pid_t t : seized_) {
    auto it = signals_.find(t);
    long sig = it == signals_.end() ? 0 : it->second;
    ::ptrace(PTRACE_DETACH, t, nullptr, reinterpret_cast<void*>(sig));
  }
  seized_.clear();
  if (interrupted_) {
    auto d = std::chrono::steady_clock::now() - first_interrupt_;
    stopped_us_ = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  }
  released_signal_ = shield_.release();
  return stopped_us_;
}

StoppedProcess::~StoppedProcess() { resume(); }

}  // namespace corelens::live
