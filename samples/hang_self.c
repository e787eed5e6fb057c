/* hang_self: a worker locks registry_lock, a normal (non-recursive) mutex, and then, through a
 * helper, locks it again: it waits for itself forever. The main thread joins it.
 *
 * What an analysis should find (hang_record.h):
 *   worker waits for registry_lock, held by itself
 *   main waits in pthread_join for the worker
 *   deadlock: worker -> worker
 */
#include "hang_record.h"

#include <pthread.h>

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile pid_t worker_tid;
static int entries;

static void add_entry(void) {
  pthread_mutex_lock(&registry_lock);   /* never returns: the caller already holds it */
  ++entries;
  pthread_mutex_unlock(&registry_lock);
}

static void *register_all(void *arg) {
  (void)arg;
  pthread_mutex_lock(&registry_lock);
  hang_wait(hang_tid(), "mutex", &registry_lock, "registry_lock", hang_tid());
  worker_tid = hang_tid();
  add_entry();
  pthread_mutex_unlock(&registry_lock);
  return NULL;
}

int main(void) {
  pthread_t worker;
  hang_thread("main");
  pthread_create(&worker, NULL, register_all, NULL);
  while (worker_tid == 0) usleep(1000);
  hang_line("hang: thread %d worker", (int)worker_tid);
  hang_wait(hang_tid(), "join", (void *)worker, "-", worker_tid);
  hang_line("hang: cycle %d", (int)worker_tid);
  hang_ready(2);
  pthread_join(worker, NULL);
  return 0;
}
