// Benchmark program: touches 4 GiB of heap (argv[1]: MiB, to change it), then reads through NULL.
// One nonzero byte per page, so every page is really in memory and the kernel (or gcore) writes
// all of it: the dump is ~4 GiB of memory around a tiny stack, and analysing it should cost about
// what a small dump costs (the file is mapped, not read).
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long touch(unsigned char* heap, size_t bytes, size_t page) {
  long pages = 0;
  for (size_t off = 0; off < bytes; off += page) {
    heap[off] = (unsigned char)(1 + (off / page) % 255);  // nonzero: not a zero page
    ++pages;
  }
  return pages;
}

static int crash(const int* record) {
  return *record;  // SIGSEGV: record is NULL
}

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? strtoull(argv[1], NULL, 10) : 4096;
  size_t bytes = mib << 20;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  unsigned char* heap = malloc(bytes);
  if (heap == NULL) { fprintf(stderr, "cannot allocate %zu MiB\n", mib); return 1; }
  long pages = touch(heap, bytes, page);
  fprintf(stderr, "touched %ld pages (%zu MiB)\n", pages, mib);
  volatile int* record = NULL;
  return crash((const int*)record) + heap[0];
}
