// runstat: run one command, print its wall time and peak memory, kill it after a time limit.
//
//   runstat TIMEOUT_S STDOUT_FILE STDERR_FILE -- COMMAND [ARG...]
//
// Prints one line on stdout: "SECONDS MAXRSS_KIB STATUS CPU_SECONDS", where SECONDS is the wall
// time (from fork to reaping), MAXRSS_KIB the peak resident set of the command and its waited-for
// descendants (wait4's ru_maxrss), STATUS "exit:N", "signal:N" or "timeout", and CPU_SECONDS
// their user + system time (less disturbed than the wall time when the machine is busy). The command runs
// in its own process group, and the whole group is killed (SIGKILL) when the time limit passes.
// Used by run.sh instead of /usr/bin/time, which cannot enforce a limit and is not always installed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void redirect(const char* path, int fd) {
  int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (f < 0 || dup2(f, fd) < 0) { perror(path); _exit(127); }
  close(f);
}

int main(int argc, char** argv) {
  if (argc < 6 || strcmp(argv[4], "--") != 0) {
    fprintf(stderr, "usage: runstat TIMEOUT_S STDOUT_FILE STDERR_FILE -- COMMAND [ARG...]\n");
    return 2;
  }
  double limit = atof(argv[1]);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);  // so that sigtimedwait sees the child's end

  double start = now();
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 2; }
  if (pid == 0) {
    setpgid(0, 0);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    redirect(argv[2], STDOUT_FILENO);
    redirect(argv[3], STDERR_FILENO);
    execvp(argv[5], argv + 5);
    perror(argv[5]);
    _exit(127);
  }
  setpgid(pid, pid);  // also here: no race with the kill below

  int status = 0;
  struct rusage ru;
  int timed_out = 0;
  for (;;) {
    pid_t r = wait4(pid, &status, WNOHANG, &ru);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) { perror("wait4"); return 2; }
    double left = limit - (now() - start);
    if (left <= 0) {
      timed_out = 1;
      kill(-pid, SIGKILL);
      while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {}
      break;
    }
    if (left > 0.5) left = 0.5;  // wake up now and then anyway
    struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
    sigtimedwait(&chld, NULL, &ts);
  }
  double wall = now() - start;
  kill(-pid, SIGKILL);  // stragglers in the group (none expected)

  double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  char what[32];
  if (timed_out) snprintf(what, sizeof what, "timeout");
  else if (WIFSIGNALED(status)) snprintf(what, sizeof what, "signal:%d", WTERMSIG(status));
  else snprintf(what, sizeof what, "exit:%d", WEXITSTATUS(status));
  printf("%.3f %ld %s %.3f\n", wall, ru.ru_maxrss, what, cpu);
  return 0;
}
