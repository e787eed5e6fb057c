// Benchmark program: 1,000 threads (argv[1] to change), each ~25 frames deep, parked in a
// blocking call; then the main thread writes through NULL. The dump has 1,001 threads to unwind.
//
// Each worker descends through five distinct functions (level_a..level_e, 20 levels in all, so
// symbolisation sees several functions, not one) and parks in one of four blocking calls, chosen
// by its index: nanosleep, pthread_cond_wait, read on an empty pipe, poll. With start_thread,
// clone3, the worker function and the libc frames of the blocking call that is 25-28 frames.
// Stacks are 256 KiB (not the default 8 MiB) so the dump's file stays small.
//
//   threads_1000 [THREADS [STACK_KIB [park]]]
//
// With "park" the main thread does not crash: it prints "parked" and waits in pause() until it
// is killed, for tests/bench/live_stop.sh (`corelens analyze --pid` on a running process).
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { kLevels = 20 };

static atomic_int parked;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int pipe_fds[2];

static void park(int how) {
  atomic_fetch_add(&parked, 1);
  switch (how % 4) {
    case 0: {
      struct timespec hour = {3600, 0};
      nanosleep(&hour, NULL);
      break;
    }
    case 1:
      pthread_mutex_lock(&mutex);
      pthread_cond_wait(&never, &mutex);
      pthread_mutex_unlock(&mutex);
      break;
    case 2: {
      char c;
      if (read(pipe_fds[0], &c, 1) < 0) perror("read");
      break;
    }
    default:
      poll(NULL, 0, 3600 * 1000);
      break;
  }
}

static void level_a(int depth, int how);
static void level_b(int depth, int how);
static void level_c(int depth, int how);
static void level_d(int depth, int how);
static void level_e(int depth, int how);

// volatile locals keep each level a real frame with its own line.
static void level_a(int depth, int how) { volatile int d = depth; if (d >= kLevels) park(how); else level_b(d + 1, how); }
static void level_b(int depth, int how) { volatile int d = depth; if (d >= kLevels) park(how); else level_c(d + 1, how); }
static void level_c(int depth, int how) { volatile int d = depth; if (d >= kLevels) park(how); else level_d(d + 1, how); }
static void level_d(int depth, int how) { volatile int d = depth; if (d >= kLevels) park(how); else level_e(d + 1, how); }
static void level_e(int depth, int how) { volatile int d = depth; if (d >= kLevels) park(how); else level_a(d + 1, how); }

static void* worker(void* arg) {
  level_a(1, (int)(long)arg);
  return NULL;
}

static void crash_in_main_thread(void) {
  volatile int* p = NULL;
  *p = 1000;  // SIGSEGV, in the main thread, with every worker parked
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  if (n < 1) n = 1;
  if (pipe(pipe_fds) != 0) { perror("pipe"); return 1; }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  if (argc > 2) pthread_attr_setstacksize(&attr, (size_t)atol(argv[2]) * 1024);
  for (long i = 0; i < n; ++i) {
    pthread_t t;
    int rc = pthread_create(&t, &attr, worker, (void*)i);
    if (rc != 0) { fprintf(stderr, "pthread_create %ld failed: %d\n", i, rc); return 1; }
  }
  while (atomic_load(&parked) < n) usleep(1000);
  usleep(300 * 1000);  // let the last ones enter their system calls
  if (argc > 3 && strcmp(argv[3], "park") == 0) {
    printf("parked\n");
    fflush(stdout);
    for (;;) pause();
  }
  crash_in_main_thread();
  return 0;
}
