/* hang_idle: a healthy program at rest: three pool threads wait on a condition variable for jobs,
 * one thread sleeps, one reads a pipe nobody writes yet, and the main thread sleeps between its
 * rounds. Nothing is deadlocked; killed from outside, its core must not claim a deadlock.
 *
 * What an analysis should find (hang_record.h): the pool threads on condition variable
 * jobs_available, the sleeper and main in nanosleep, the reader in read on the pipe; no cycle.
 */
#include "hang_record.h"

#include <pthread.h>

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_available = PTHREAD_COND_INITIALIZER;
static int jobs, started;
static int pipe_fds[2];

static void *pool_worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&jobs_lock);
  hang_thread("pool");
  hang_wait(hang_tid(), "condvar", &jobs_available, "jobs_available", 0);
  ++started;
  while (jobs == 0) pthread_cond_wait(&jobs_available, &jobs_lock);
  --jobs;
  pthread_mutex_unlock(&jobs_lock);
  return NULL;
}

static void *sleeper(void *arg) {
  (void)arg;
  hang_thread("sleeper");
  hang_wait(hang_tid(), "sleep", NULL, "-", 0);
  pthread_mutex_lock(&jobs_lock);
  ++started;
  pthread_mutex_unlock(&jobs_lock);
  for (;;) sleep(3600);
  return NULL;
}

static void *reader(void *arg) {
  (void)arg;
  char c;
  hang_thread("reader");
  hang_wait(hang_tid(), "syscall", NULL, "read", 0);
  pthread_mutex_lock(&jobs_lock);
  ++started;
  pthread_mutex_unlock(&jobs_lock);
  return read(pipe_fds[0], &c, 1) == 1 ? NULL : arg;
}

int main(void) {
  pthread_t threads[5];
  hang_thread("main");
  if (pipe(pipe_fds) != 0) return 1;
  for (int i = 0; i < 3; ++i) pthread_create(&threads[i], NULL, pool_worker, NULL);
  pthread_create(&threads[3], NULL, sleeper, NULL);
  pthread_create(&threads[4], NULL, reader, NULL);
  for (;;) {
    pthread_mutex_lock(&jobs_lock);
    int all = started == 5;
    pthread_mutex_unlock(&jobs_lock);
    if (all) break;
    usleep(1000);
  }
  hang_wait(hang_tid(), "sleep", NULL, "-", 0);
  hang_line("hang: nocycle");
  hang_ready(6);
  for (;;) sleep(3600);
  return 0;
}
