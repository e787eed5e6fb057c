// pagecache: make files cold, and tell how much of them is in the page cache.
//
//   pagecache drop FILE...       drops each file's clean cached pages (posix_fadvise
//                                POSIX_FADV_DONTNEED: no root needed). Pages some process has
//                                mapped (a running program's libraries) stay; they are not the
//                                dumps' or the debug files'.
//   pagecache resident FILE...   prints the bytes of each file in the page cache, one number a
//                                line, and their sum on the last line (mincore over a mapping,
//                                as util-linux's fincore does, which not every machine has).
//
// Used by run.sh for the cold runs (the dump, its modules and debug files dropped before each)
// and for the page-cache footprint each tool leaves after one cold run.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int drop(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { perror(path); return 1; }
  int rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
  if (rc != 0) { fprintf(stderr, "%s: posix_fadvise: %s\n", path, strerror(rc)); return 1; }
  return 0;
}

// Resident bytes of PATH, or -1.
static long long resident(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { perror(path); return -1; }
  struct stat st;
  if (fstat(fd, &st) != 0) { perror(path); close(fd); return -1; }
  if (st.st_size == 0) { close(fd); return 0; }
  long page = sysconf(_SC_PAGESIZE);
  long long total = 0;
  // In windows of 1 GiB, so a 32 GiB dump needs no 8 MiB vector or 32 GiB of address space.
  const size_t window = (size_t)1 << 30;
  unsigned char* vec = malloc(window / (size_t)page);
  if (vec == NULL) { close(fd); return -1; }
  for (size_t off = 0; off < (size_t)st.st_size; off += window) {
    size_t len = (size_t)st.st_size - off < window ? (size_t)st.st_size - off : window;
    void* p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
    if (p == MAP_FAILED) { perror("mmap"); total = -1; break; }
    if (mincore(p, len, vec) != 0) { perror("mincore"); munmap(p, len); total = -1; break; }
    size_t n = (len + (size_t)page - 1) / (size_t)page;
    for (size_t i = 0; i < n; ++i) total += vec[i] & 1;
    munmap(p, len);
  }
  free(vec);
  close(fd);
  return total < 0 ? -1 : total * page;
}

int main(int argc, char** argv) {
  if (argc < 3 || (strcmp(argv[1], "drop") != 0 && strcmp(argv[1], "resident") != 0)) {
    fprintf(stderr, "usage: pagecache drop|resident FILE...\n");
    return 2;
  }
  int rc = 0;
  long long sum = 0;
  for (int i = 2; i < argc; ++i) {
    if (argv[1][0] == 'd') {
      rc |= drop(argv[i]);
    } else {
      long long r = resident(argv[i]);
      if (r < 0) { rc = 1; r = 0; }
      printf("%lld\n", r);
      sum += r;
    }
  }
  if (argv[1][0] == 'r') printf("%lld\n", sum);
  return rc;
}
