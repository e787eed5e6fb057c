// Benchmark program for the batch of 200 small dumps: argv[1] (an integer) picks one of four
// crash sites, so a batch made with arguments 0..199 has a few distinct crashes, as real batches
// do: NULL read, abort(), integer division by zero, write to a wild address. Each is reached
// through a few frames whose depth also depends on the argument.
#include <stdio.h>
#include <stdlib.h>

static volatile int zero = 0;

static int read_null(int n) { volatile int* p = NULL; return *p + n; }           // SIGSEGV
static int call_abort(int n) { if (n >= 0) abort(); return n; }                   // SIGABRT
static int divide(int n) { return n / zero; }                                     // SIGFPE
static int write_wild(int n) { *(volatile int*)0xdead000beefUL = n; return n; }  // SIGSEGV

static int dispatch(int site, int n) {
  switch (site) {
    case 0: return read_null(n);
    case 1: return call_abort(n);
    case 2: return divide(n);
    default: return write_wild(n);
  }
}

static int nest(int depth, int site, int n) {
  volatile int d = depth;
  return d > 0 ? nest(d - 1, site, n) + 1 : dispatch(site, n);
}

int main(int argc, char** argv) {
  int k = argc > 1 ? atoi(argv[1]) : 0;
  printf("%d\n", nest(k % 7, k % 4, k));
  return 0;
}
