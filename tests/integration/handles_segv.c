/* For `corelens run`'s tests: takes a SIGSEGV in its own handler, recovers with siglongjmp and
 * exits 0. A crash it survives must not be reported. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static sigjmp_buf recover;

static void on_segv(int sig) {
  (void)sig;
  siglongjmp(recover, 1);
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_segv;
  sigaction(SIGSEGV, &sa, NULL);
  if (sigsetjmp(recover, 1) == 0) {
    volatile int* p = NULL;
    *p = 1;
  }
  printf("recovered\n");
  return 0;
}
