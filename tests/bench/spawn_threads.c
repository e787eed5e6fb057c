/* For tests/bench/run_overhead.sh: a multithreaded program that does not crash, to time
 * `corelens run`'s cost on thread creation (each clone is a ptrace event stop under `run`).
 *
 *   spawn_threads ROUNDS THREADS WORK
 *
 * ROUNDS times, starts THREADS threads that each add up WORK numbers, and joins them. Many rounds
 * of little work measure the clone path; one round of much work, that a traced program runs at
 * full speed between events. Prints the total (so the work is not optimised away) and exits 0. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static long work_per_thread;

static void* work(void* arg) {
  long sum = 0;
  for (long k = 0; k < work_per_thread; ++k) sum += k % 7;
  *(long*)arg = sum;
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: spawn_threads ROUNDS THREADS WORK\n");
    return 2;
  }
  long rounds = atol(argv[1]), threads = atol(argv[2]);
  work_per_thread = atol(argv[3]);
  if (rounds < 1 || threads < 1 || threads > 1024 || work_per_thread < 0) {
    fprintf(stderr, "spawn_threads: bad arguments\n");
    return 2;
  }
  pthread_t* t = calloc((size_t)threads, sizeof *t);
  long* partial = calloc((size_t)threads, sizeof *partial);
  long total = 0;
  for (long r = 0; r < rounds; ++r) {
    for (long i = 0; i < threads; ++i) {
      if (pthread_create(&t[i], NULL, work, &partial[i]) != 0) {
        perror("pthread_create");
        return 1;
      }
    }
    for (long i = 0; i < threads; ++i) {
      pthread_join(t[i], NULL);
      total += partial[i];
    }
  }
  printf("%ld threads, total %ld\n", rounds * threads, total);
  free(t);
  free(partial);
  return 0;
}
