/* hang_abba: two threads take two mutexes in opposite orders and deadlock; the main thread joins
 * the first of them. Killed from outside with SIGABRT once every thread sleeps (hang_record.h).
 *
 * What an analysis should find (the program writes the tids and addresses, hang_record.h):
 *   thread "forward"  holds lock_a, waits for lock_b (held by "backward")
 *   thread "backward" holds lock_b, waits for lock_a (held by "forward")
 *   main waits in pthread_join for "forward"
 *   deadlock: forward -> backward -> forward
 */
#include "hang_record.h"

#include <pthread.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t all_hold_one;  /* both workers hold their first lock, main knows them */
static pid_t worker_tid[2];

struct order {
  int index;
  pthread_mutex_t *first, *second;
  const char *second_name;
};

static void transfer(const struct order *o) {
  pthread_mutex_lock(o->first);
  worker_tid[o->index] = hang_tid();
  pthread_barrier_wait(&all_hold_one);
  hang_wait(hang_tid(), "mutex", o->second, o->second_name, worker_tid[1 - o->index]);
  pthread_mutex_lock(o->second);        /* never returns */
  pthread_mutex_unlock(o->second);
  pthread_mutex_unlock(o->first);
}

static void *worker(void *arg) {
  transfer(arg);
  return NULL;
}

int main(void) {
  static struct order forward = {0, &lock_a, &lock_b, "lock_b"};
  static struct order backward = {1, &lock_b, &lock_a, "lock_a"};
  pthread_t threads[2];
  pthread_barrier_init(&all_hold_one, NULL, 3);
  hang_thread("main");
  pthread_create(&threads[0], NULL, worker, &forward);
  pthread_create(&threads[1], NULL, worker, &backward);
  pthread_barrier_wait(&all_hold_one);
  hang_line("hang: thread %d forward", (int)worker_tid[0]);
  hang_line("hang: thread %d backward", (int)worker_tid[1]);
  hang_wait(hang_tid(), "join", (void *)threads[0], "-", worker_tid[0]);
  hang_line("hang: cycle %d %d", (int)worker_tid[0], (int)worker_tid[1]);
  hang_ready(3);
  pthread_join(threads[0], NULL);
  return 0;
}
