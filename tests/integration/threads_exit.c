/* For `corelens run`'s tests: eight threads add up numbers, main prints the total and exits 7.
 * Its output and exit status must pass through `corelens run` unchanged. */
#include <pthread.h>
#include <stdio.h>

static long partial[8];

static void* work(void* arg) {
  long i = (long)arg;
  for (long k = 0; k < 2000000; ++k) partial[i] += k % 7;
  return NULL;
}

int main(void) {
  pthread_t t[8];
  for (long i = 0; i < 8; ++i) pthread_create(&t[i], NULL, work, (void*)i);
  long total = 0;
  for (int i = 0; i < 8; ++i) {
    pthread_join(t[i], NULL);
    total += partial[i];
  }
  printf("total %ld\n", total);
  return 7;
}
