/* hang_join: the main thread holds config_lock and joins a worker that waits for config_lock.
 *
 * What an analysis should find (hang_record.h):
 *   main   holds config_lock, waits in pthread_join for the worker
 *   worker waits for config_lock, held by main
 *   deadlock: main -> worker -> main
 */
#include "hang_record.h"

#include <pthread.h>

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile pid_t worker_tid;
static pid_t main_tid;

static void *reload_config(void *arg) {
  (void)arg;
  worker_tid = hang_tid();
  hang_wait(hang_tid(), "mutex", &config_lock, "config_lock", main_tid);
  pthread_mutex_lock(&config_lock);     /* never returns: main holds it */
  pthread_mutex_unlock(&config_lock);
  return NULL;
}

int main(void) {
  pthread_t worker;
  main_tid = hang_tid();
  hang_thread("main");
  pthread_mutex_lock(&config_lock);
  pthread_create(&worker, NULL, reload_config, NULL);
  while (worker_tid == 0) usleep(1000);
  hang_line("hang: thread %d worker", (int)worker_tid);
  hang_wait(main_tid, "join", (void *)worker, "-", worker_tid);
  hang_line("hang: cycle %d %d", (int)main_tid, (int)worker_tid);
  hang_ready(2);
  pthread_join(worker, NULL);           /* never returns: the worker waits for config_lock */
  pthread_mutex_unlock(&config_lock);
  return 0;
}
