#include "cli/capture/tracer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <unordered_set>

#include "cli/capture/process_core.hpp"
#include "parsers/live/proc_files.hpp"

namespace corelens::capture {
namespace {

pid_t g_root = 0;  // for the forwarding signal handler

void forward_signal(int sig) {
  if (g_root > 0) ::kill(g_root, sig);
}

using live::list_tasks;
using live::status_field;
std::string read_small(const std::string& path) { return live::read_proc_file(path); }

bool mask_has(const std::string& hex_mask, int sig) {
  std::uint64_t m = std::strtoull(hex_mask.c_str(), nullptr, 16);
  return sig >= 1 && sig <= 64 && ((m >> (sig - 1)) & 1) != 0;
}

std::string safe_name(std::string s) {
  for (char& c : s) {
    if (c == '/' || c == ' ' || c == '\n' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  return s.empty() ? "process" : s;
}

bool is_event(int status, int event) { return (status >> 16) == event; }

class Tracer {
 public:
  explicit Tracer(const TraceOptions& options) : options_(options) {}

  Result<TraceResult> run();

 private:
  void on_signal_stop(pid_t tid, int sig);
  void catch_crash(pid_t tid, pid_t tgid, int sig, const siginfo_t& si);
  void track_new(pid_t parent);
  void release_held(pid_t tgid);
  void forget_thread(pid_t tid);
  void detach_rest();

  // The other threads of a process whose crash was caught, still in the stop catch_crash put
  // them in. Resuming them would return them to user space with what the interrupt did to them:
  // a thread in epoll_wait, sigtimedwait or semop gets EINTR (signal(7)) and may run on, even
  // exit, before the group exit reaches it, and then the kernel's own core of the process lacks
  // it. Left stopped, the group exit's SIGKILL takes them from the stop, as if never stopped.
  struct Held {
    pid_t crashed = 0;               // the thread given back its fatal signal
    std::map<pid_t, int> threads;    // stopped thread -> signal to give back if the crash is not fatal
  };

  const TraceOptions& options_;
  TraceResult result_;
  std::unordered_set<pid_t> traced_;
  std::set<pid_t> dying_;  // thread groups already given their fatal signal: no second core
  std::map<pid_t, Held> held_;  // by thread group id
  pid_t root_ = 0;
};

constexpr unsigned kOptions = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                              PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;

void Tracer::track_new(pid_t parent) {
  unsigned long msg = 0;
  if (::ptrace(PTRACE_GETEVENTMSG, parent, nullptr, &msg) == 0 && msg != 0) {
    if (traced_.insert(static_cast<pid_t>(msg)).second) ++result_.processes;
  }
}

void Tracer::on_signal_stop(pid_t tid, int sig) {
  if (is_core_signal(sig)) {
    std::string status = read_small("/proc/" + std::to_string(tid) + "/status");
    pid_t tgid = static_cast<pid_t>(std::strtol(status_field(status, "Tgid").c_str(), nullptr, 10));
    // A handler (SigCgt) or SIG_IGN (SigIgn) means the default action will not run. A fault
    // raised while its signal was blocked or ignored has already been reset to SIG_DFL by the
    // kernel (force_sig_info) before this stop, so it correctly counts as fatal here.
    bool default_action = !mask_has(status_field(status, "SigCgt"), sig) &&
                          !mask_has(status_field(status, "SigIgn"), sig);
    siginfo_t si{};
    if (tgid > 0 && default_action && dying_.count(tgid) == 0 &&
        ::ptrace(PTRACE_GETSIGINFO, tid, nullptr, &si) == 0) {
      catch_crash(tid, tgid, sig, si);
      return;
    }
  }
  ::ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(static_cast<std::intptr_t>(sig)));
}

void Tracer::catch_crash(pid_t tid, pid_t tgid, int sig, const siginfo_t& si) {
  // Stop every other thread of the process (PTRACE_INTERRUPT), repeating until no new thread
  // appears. Signals they were about to take are delivered again when they resume.
  std::map<pid_t, int> held;  // stopped thread -> signal to give back
  std::set<pid_t> gone;
  for (bool again = true; again;) {
    again = false;
    for (pid_t t : list_tasks(tgid)) {
      if (t == tid || held.count(t) != 0 || gone.count(t) != 0) continue;
      again = true;
      traced_.insert(t);
      if (::ptrace(PTRACE_INTERRUPT, t, nullptr, nullptr) != 0) {
        gone.insert(t);
        continue;
      }
      int st = 0;
      pid_t w;
      while ((w = ::waitpid(t, &st, __WALL)) < 0 && errno == EINTR) {}
      if (w != t || !WIFSTOPPED(st)) {
        gone.insert(t);
        traced_.erase(t);
        continue;
      }
      int event = st >> 16;
      if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) track_new(t);
      held[t] = event == 0 ? WSTOPSIG(st) : 0;
    }
  }

  CaughtCrash c;
  c.pid = tgid;
  c.tid = tid;
  c.signo = sig;
  c.si_code = si.si_code;
  c.comm = read_small("/proc/" + std::to_string(tgid) + "/comm");
  while (!c.comm.empty() && c.comm.back() == '\n') c.comm.pop_back();

  CoreRequest req;
  req.tgid = tgid;
  req.crashed_tid = tid;
  for (const auto& [t, s] : held) req.other_tids.push_back(t);
  req.siginfo.resize(sizeof si);
  std::memcpy(req.siginfo.data(), &si, sizeof si);
  req.signo = sig;
  req.max_size = options_.max_core_size;
  std::string base = options_.core_dir + "/" + safe_name(c.comm) + "." + std::to_string(tgid);
  req.path = base + ".core";
  for (int n = 1; ::access(req.path.c_str(), F_OK) == 0; ++n) req.path = base + "-" + std::to_string(n) + ".core";
  auto written = write_process_core(req);
  if (written) {
    c.core = req.path;
    c.core_size = written->size;
    c.truncated = written->truncated;
    for (const auto& w : written->warnings) c.error += (c.error.empty() ? "" : "; ") + w;
  } else {
    c.error = written.error().message;
    ::unlink(req.path.c_str());
  }
  result_.crashes.push_back(std::move(c));

  // Let it die as it would have: the same signal; the group exit it starts takes the other
  // threads from their stop (see Held).
  dying_.insert(tgid);
  held_[tgid] = Held{tid, std::move(held)};
  ::ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(static_cast<std::intptr_t>(sig)));
}

// The crashed thread stopped again, so its signal did not kill the process (an init of a PID
// namespace ignores it): the other threads go on as without corelens.
void Tracer::release_held(pid_t tgid) {
  auto it = held_.find(tgid);
  if (it == held_.end()) return;
  for (const auto& [t, s] : it->second.threads) {
    ::ptrace(PTRACE_CONT, t, nullptr, reinterpret_cast<void*>(static_cast<std::intptr_t>(s)));
  }
  held_.erase(it);
}

void Tracer::forget_thread(pid_t tid) {
  traced_.erase(tid);
  dying_.erase(tid);
  for (auto it = held_.begin(); it != held_.end();) {
    it->second.threads.erase(tid);
    if (it->first == tid || (it->second.crashed == tid && it->second.threads.empty())) {
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
}

// The command has exited: leave whatever it left running alone (a daemon must not keep
// `corelens run` waiting), delivering any signal a process was stopped with.
void Tracer::detach_rest() {
  // Held threads are stopped already and would report no new stop.
  for (const auto& [tgid, h] : held_) {
    for (const auto& [t, s] : h.threads) {
      ::ptrace(PTRACE_DETACH, t, nullptr, reinterpret_cast<void*>(static_cast<std::intptr_t>(s)));
      traced_.erase(t);
    }
  }
  held_.clear();
  for (pid_t p : traced_) ::ptrace(PTRACE_INTERRUPT, p, nullptr, nullptr);
  while (!traced_.empty()) {
    int st = 0;
    pid_t p = ::waitpid(-1, &st, __WALL);
    if (p < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (!WIFSTOPPED(st)) {
      traced_.erase(p);
      continue;
    }
    int event = st >> 16;
    if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
      unsigned long msg = 0;
      if (::ptrace(PTRACE_GETEVENTMSG, p, nullptr, &msg) == 0 && msg != 0) {
        auto child = static_cast<pid_t>(msg);
        if (traced_.insert(child).second) ::ptrace(PTRACE_INTERRUPT, child, nullptr, nullptr);
      }
    }
    int sig = event == 0 ? WSTOPSIG(st) : 0;
    ::ptrace(PTRACE_DETACH, p, nullptr, reinterpret_cast<void*>(static_cast<std::intptr_t>(sig)));
    traced_.erase(p);
  }
}

Result<TraceResult> Tracer::run() {
  std::vector<char*> argv;
  for (const auto& a : options_.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int go[2], err[2];
  if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    return fail(ErrorCode::internal, std::string("pipe: ") + std::strerror(errno));
  }
  pid_t child = ::fork();
  if (child < 0) return fail(ErrorCode::internal, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    // Wait until the parent has seized us, so the exec and everything after it is traced.
    char c;
    while (::read(go[0], &c, 1) < 0 && errno == EINTR) {}
    ::execvp(argv[0], argv.data());
    int e = errno;
    (void)!::write(err[1], &e, sizeof e);
    ::_exit(e == ENOENT ? 127 : 126);
  }
  ::close(go[0]);
  ::close(err[1]);
  root_ = child;
  if (::ptrace(PTRACE_SEIZE, child, nullptr, reinterpret_cast<void*>(static_cast<std::uintptr_t>(kOptions))) != 0) {
    int e = errno;
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return fail(ErrorCode::internal, std::string("cannot trace the command (PTRACE_SEIZE: ") + std::strerror(e) +
                                         "); is ptrace forbidden here (seccomp, Yama ptrace_scope 3)?");
  }
  traced_.insert(child);
  result_.processes = 1;
  // Terminal signals reach the command directly (same process group): ignore them here. Those
  // sent to corelens alone (a CI timeout's SIGTERM) are passed on to the command.
  g_root = child;
  struct sigaction sa {};
  sa.sa_handler = forward_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGHUP, &sa, nullptr);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  (void)!::write(go[1], "g", 1);
  ::close(go[1]);

  bool root_done = false;
  while (!root_done) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: nothing left (cannot happen before the root's exit is seen)
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      forget_thread(pid);
      if (pid == root_) {
        result_.wait_status = status;
        root_done = true;
      }
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    traced_.insert(pid);
    for (const auto& [tgid, h] : held_) {
      if (h.crashed == pid) {
        release_held(tgid);
        break;
      }
    }
    int sig = WSTOPSIG(status);
    if ((status >> 16) == 0) {
      on_signal_stop(pid, sig);
    } else if (is_event(status, PTRACE_EVENT_STOP)) {
      // A group-stop (SIGSTOP, SIGTSTP ...) stays a stop, as without a tracer; anything else is
      // the first stop of a new tracee or a leftover interrupt.
      bool group_stop = sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
      ::ptrace(group_stop ? PTRACE_LISTEN : PTRACE_CONT, pid, nullptr, nullptr);
    } else {
      if (is_event(status, PTRACE_EVENT_FORK) || is_event(status, PTRACE_EVENT_VFORK) ||
          is_event(status, PTRACE_EVENT_CLONE)) {
        track_new(pid);
      }
      ::ptrace(PTRACE_CONT, pid, nullptr, nullptr);
    }
  }
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGHUP, SIG_DFL);
  g_root = 0;
  detach_rest();

  int exec_errno = 0;
  if (::read(err[0], &exec_errno, sizeof exec_errno) == static_cast<ssize_t>(sizeof exec_errno)) {
    ::close(err[0]);
    return fail(exec_errno == ENOENT ? ErrorCode::not_found : ErrorCode::io,
                options_.argv[0] + ": " + std::strerror(exec_errno));
  }
  ::close(err[0]);
  return result_;
}

}  // namespace

bool is_core_signal(int sig) {
  switch (sig) {
    case SIGSEGV: case SIGABRT: case SIGBUS: case SIGFPE: case SIGILL: case SIGSYS: case SIGTRAP: case SIGQUIT:
      return true;
    default:
      return false;
  }
}

Result<TraceResult> run_traced(const TraceOptions& options) {
  if (options.argv.empty()) return fail(ErrorCode::not_found, "no command to run");
  Tracer tracer(options);
  return tracer.run();
}

}  // namespace corelens::capture
