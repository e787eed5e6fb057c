/* hang_record.h: what the samples that hang on purpose (hang_*.c, hang_*.cpp) share.
 *
 * Each sample writes, before its threads block, one line per fact an analysis of it must find,
 * to standard output (make-cores keeps it in NAME.log):
 *
 *   hang: thread TID ROLE                      every thread, the main one first
 *   hang: wait TID KIND ADDRESS NAME OWNER     a wait: KIND as corelens names it (mutex, join,
 *                                              rwlock-write, condvar, sleep, syscall ...), the
 *                                              object's address and name ("-" for none), and
 *                                              the tid of its owner or joined thread ("-")
 *   hang: cycle TID...                         a deadlock, each thread waiting for the next
 *   hang: nocycle                              no deadlock
 *   hang: ready                                every line above is written
 *
 * Then, unless CORELENS_HANG_LIVE=1 is in the environment, a watchdog child sends the process
 * SIGABRT once every one of its threads sleeps in the kernel (state S in /proc), as a watchdog,
 * systemd or timeout(1) would: the core is that of a hung process killed from outside. With
 * CORELENS_HANG_LIVE=1 the process hangs until it is killed (the `corelens analyze --pid` tests).
 */
#ifndef CORELENS_HANG_RECORD_H
#define CORELENS_HANG_RECORD_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static pid_t hang_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* One line with one write(2): lines of different threads never mix, also under O_APPEND. */
static void hang_line(const char *format, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(buf, sizeof buf - 1, format, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  (void)!write(1, buf, (size_t)n);
}

static void hang_thread(const char *role) { hang_line("hang: thread %d %s", (int)hang_tid(), role); }

/* OWNER <= 0: none. */
static void hang_wait(pid_t tid, const char *kind, const void *object, const char *name, pid_t owner) {
  char owner_text[16] = "-";
  if (owner > 0) snprintf(owner_text, sizeof owner_text, "%d", (int)owner);
  hang_line("hang: wait %d %s %p %s %s", (int)tid, kind, object, name ? name : "-", owner_text);
}

/* Every thread of the process sleeps (state S) and there are THREADS of them. */
static int hang_all_asleep(pid_t pid, int threads) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR *dir = opendir(path);
  if (dir == NULL) return 0;
  int count = 0, asleep = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    ++count;
    char stat_path[300], stat[512];
    snprintf(stat_path, sizeof stat_path, "/proc/%d/task/%s/stat", (int)pid, e->d_name);
    FILE *f = fopen(stat_path, "r");
    if (f == NULL) continue;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *close = strrchr(stat, ')');
    if (close != NULL && close[1] == ' ' && close[2] == 'S') ++asleep;
  }
  closedir(dir);
  return count == threads && asleep == threads;
}

/* Called by the main thread once everything is recorded, just before it blocks too. */
static void hang_ready(int threads) {
  hang_line("hang: ready");
  const char *live = getenv("CORELENS_HANG_LIVE");
  if (live != NULL && strcmp(live, "1") == 0) return;
  pid_t parent = getpid();
  if (fork() != 0) return;
  /* The watchdog: every thread asleep for 10 polls in a row (200 ms), then SIGABRT; at most 30 s. */
  struct timespec poll = {0, 20 * 1000 * 1000};
  int steady = 0;
  for (int i = 0; i < 1500 && steady < 10; ++i) {
    steady = hang_all_asleep(parent, threads) ? steady + 1 : 0;
    nanosleep(&poll, NULL);
  }
  kill(parent, SIGABRT);
  _exit(0);
}

#endif
