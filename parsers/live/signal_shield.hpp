// While corelens holds another process stopped, nothing that happens to corelens may leave that
// process stopped.
//
// SIGKILL (or any signal whose default action ends corelens) is safe by itself: when a tracer
// exits, the kernel detaches every tracee and a thread held in a ptrace stop (our
// PTRACE_INTERRUPT) runs on (kernel/ptrace.c, exit_ptrace; measured by tests/hangs). corelens
// never sets PTRACE_O_EXITKILL, which would kill the tracee instead. Two cases are not safe by
// themselves: a stop signal (Ctrl-Z's SIGTSTP, SIGTTIN, SIGTTOU) would freeze corelens with the
// process held for as long as corelens stays frozen; and a signal that ends corelens loses the
// signals corelens took from the process's threads to give back on detach.
//
// So for that moment a SignalShield catches SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN,
// SIGTTOU, SIGPIPE and SIGXFSZ (those a user or the system sends, or a write to a closed pipe
// or past RLIMIT_FSIZE raises) and only notes the first one. The holder sees it (caught()), stops
// its work, lets the process go, and then release() puts the previous actions back and raises the
// signal again, so corelens ends, stops or runs its previous handler exactly as it would have,
// with the process already running. SIGSTOP cannot be caught: a `kill -STOP` of corelens holds
// the process until corelens is continued or killed. A signal that was ignored stays ignored.
//
// The actions are per process: one shield at a time (a second one made while one is up does
// nothing). Linux-specific; used by StoppedProcess (ptrace_stop.hpp).
#pragma once

namespace corelens::live {

class SignalShield {
 public:
  SignalShield();
  // Puts the previous actions back without raising anything caught: release() first to deliver it.
  ~SignalShield();
  SignalShield(const SignalShield&) = delete;
  SignalShield& operator=(const SignalShield&) = delete;

  // The first signal caught since the shield went up, 0 when none.
  int caught() const;
  // Puts the previous actions back and raises the caught signal, if any, in this thread. Returns
  // the signal (0: none), when raising it did not end this process. Later calls do nothing.
  int release();

  // Whether SIG stops a process by default (SIGTSTP, SIGTTIN, SIGTTOU): after release() the
  // holder was stopped and continued, and may start its work over.
  static bool is_stop_signal(int sig);

 private:
  bool active_ = false;
};

}  // namespace corelens::live
