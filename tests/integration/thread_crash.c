/* For `corelens run`'s tests: a crash in a worker thread, not the main one, while the other
 * threads are alive (three blocked, main in pthread_join). `run` must stop them all, write every
 * thread into the core with the crashing worker first, and let the process die of SIGSEGV.
 * Built with -O0 so each function keeps its own frame for gdb and eu-stack to agree on. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <unistd.h>

static atomic_int started;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void* blocked_worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  atomic_fetch_add(&started, 1);
  for (;;) pthread_cond_wait(&never, &lock);
  return NULL;
}

__attribute__((noinline)) static void write_through(int* p) {
  *p = 42;  /* NULL: SIGSEGV in the worker */
}

static void* crashing_worker(void* arg) {
  (void)arg;
  while (atomic_load(&started) < 3) usleep(1000);  /* every other thread exists by now */
  write_through(NULL);
  return NULL;
}

int main(void) {
  pthread_t t[4];
  for (int i = 0; i < 3; ++i) pthread_create(&t[i], NULL, blocked_worker, NULL);
  pthread_create(&t[3], NULL, crashing_worker, NULL);
  pthread_join(t[3], NULL);
  return 0;
}
