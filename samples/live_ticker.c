/* live_ticker: a process that keeps working, for the tests that stop it with `corelens analyze
 * --pid` or `corelens snapshot` and then check it runs on whatever happened to corelens meanwhile
 * (tests/hangs/live_signals_test.cpp).
 *
 * Three worker threads and the main thread each count, one tick a millisecond; a fifth thread
 * waits for ever in read(2) on a pipe nobody writes (always inside that call, however loaded the
 * machine: what a reader of the process must see it waiting in). The main thread keeps standard
 * output (a regular file) holding one line, rewritten in place at offset 0:
 *
 *   ticks MAIN W1 W2 W3
 *
 * A counter that grows after corelens let go of the process shows that thread running again. It
 * runs until it is killed. Built for the host and, where the compiler can, as a 32-bit (i386)
 * program (live_ticker_m32): corelens reads 32-bit processes too.
 */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3

static volatile unsigned long counters[WORKERS + 1];
static int never_written[2];

static void one_millisecond(void) {
  struct timespec ms = {0, 1000000};
  nanosleep(&ms, NULL);
}

static void *worker(void *arg) {
  volatile unsigned long *counter = arg;
  for (;;) {
    ++*counter;
    one_millisecond();
  }
  return NULL;
}

static void *reader(void *arg) {
  char c;
  return read(never_written[0], &c, 1) == 1 ? NULL : arg;
}

int main(void) {
  pthread_t threads[WORKERS + 1];
  if (pipe(never_written) != 0) return 1;
  for (int i = 0; i < WORKERS; ++i) pthread_create(&threads[i], NULL, worker, (void *)&counters[i + 1]);
  pthread_create(&threads[WORKERS], NULL, reader, NULL);
  for (;;) {
    ++counters[0];
    one_millisecond();
    if (counters[0] % 5 != 0) continue;
    char line[128];
    int n = snprintf(line, sizeof line, "ticks %lu %lu %lu %lu\n", counters[0], counters[1], counters[2],
                     counters[3]);
    /* In place, padded so a shorter line never leaves a stale tail. */
    memset(line + n, ' ', sizeof line - (size_t)n - 1);
    line[sizeof line - 1] = '\n';
    if (pwrite(1, line, sizeof line, 0) < 0 && write(1, line, (size_t)n) < 0) return 1;
  }
}
