/* For `corelens run`'s tests: a crash in a worker thread, not the main one, while the other
 * threads are alive (three blocked, main in pthread_join, waited for: on a loaded machine main
 * could still be in clone3). `run` must stop them all, write every
 * thread into the core with the crashing worker first, and let the process die of SIGSEGV.
 * Built with -O0 so each function keeps its own frame for gdb and eu-stack to agree on. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

static atomic_int started;
static atomic_int joining;  /* main is about to call pthread_join */
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

/* Whether the main thread is asleep (state S in /proc/self/task/PID/stat): in pthread_join, and
 * no longer returning from the clone3 that made this thread, which eu-stack cannot unwind. */
static int main_thread_sleeps(void) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)getpid());
  FILE* f = fopen(path, "r");
  if (f == NULL) return 1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char* paren = NULL;
  for (const char* c = buf; *c; ++c) {
    if (*c == ')') paren = c;  /* the last ')': comm may contain one */
  }
  return paren != NULL && paren[1] == ' ' && paren[2] == 'S';
}

static void* crashing_worker(void* arg) {
  (void)arg;
  while (atomic_load(&started) < 3) usleep(1000);  /* every other thread exists by now */
  while (!atomic_load(&joining)) usleep(1000);
  for (int i = 0; i < 2000 && !main_thread_sleeps(); ++i) usleep(1000);  /* at most 2 s */
  write_through(NULL);
  return NULL;
}

int main(void) {
  pthread_t t[4];
  for (int i = 0; i < 3; ++i) pthread_create(&t[i], NULL, blocked_worker, NULL);
  pthread_create(&t[3], NULL, crashing_worker, NULL);
  atomic_store(&joining, 1);
  pthread_join(t[3], NULL);
  return 0;
}
