// Benchmark program: unbounded recursion with the smallest frame -O0 gives (32 bytes: return
// address, saved rbp, 16 bytes of locals), so an 8 MiB stack (`ulimit -s 8192`) overflows after
// ~260,000 frames. The dump has one thread whose stack is all `descend` frames.
#include <stdio.h>

static long descend(long depth) {
  // The call is not in tail position (its result is used), so even at -O1 it stays a call.
  return descend(depth + 1) + 1;  // SIGSEGV at the guard page below the stack
}

int main(void) {
  printf("%ld\n", descend(0));
  return 0;
}
