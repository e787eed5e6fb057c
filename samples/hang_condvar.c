/* hang_condvar: a worker waits on a condition variable that nothing ever signals; the main thread
 * joins it. No deadlock: the main thread's chain says what the process waits for.
 *
 * What an analysis should find (hang_record.h):
 *   worker waits on condition variable work_ready (no owner)
 *   main waits in pthread_join for the worker
 *   no cycle; the chain from main: join -> the worker's condvar wait
 */
#include "hang_record.h"

#include <pthread.h>

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static int queued;
static volatile pid_t worker_tid;

static void *consume(void *arg) {
  (void)arg;
  pthread_mutex_lock(&queue_lock);
  hang_wait(hang_tid(), "condvar", &work_ready, "work_ready", 0);
  worker_tid = hang_tid();
  while (queued == 0) pthread_cond_wait(&work_ready, &queue_lock);   /* nothing signals it */
  --queued;
  pthread_mutex_unlock(&queue_lock);
  return NULL;
}

int main(void) {
  pthread_t worker;
  hang_thread("main");
  pthread_create(&worker, NULL, consume, NULL);
  while (worker_tid == 0) usleep(1000);
  hang_line("hang: thread %d worker", (int)worker_tid);
  hang_wait(hang_tid(), "join", (void *)worker, "-", worker_tid);
  hang_line("hang: nocycle");
  hang_ready(2);
  pthread_join(worker, NULL);
  return 0;
}
