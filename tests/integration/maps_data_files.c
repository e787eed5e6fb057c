/* For the data-file tests: maps files the way real programs map data, then crashes.
 *   - setlocale(LC_ALL, "C.UTF-8"): glibc maps the locale's files (LC_CTYPE, LC_COLLATE, ...)
 *     whole, read-only, at file offset 0, as Python, GUI toolkits and coreutils do;
 *   - argv[1], mapped whole and read-only, as a font or a database is.
 * NT_FILE lists them beside the libraries; none is an object, and a report must not call them
 * modules whose file is missing. Exit status 2 when the setup fails, so that cannot pass for the
 * expected SIGSEGV. */
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((noinline)) static void use_tables(volatile const char* table, int* out) {
  *out = table[0];  /* out is NULL: SIGSEGV */
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: maps_data_files DATA-FILE\n");
    return 2;
  }
  if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
    fprintf(stderr, "maps_data_files: no C.UTF-8 locale\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
    perror(argv[1]);
    return 2;
  }
  const char* table = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (table == MAP_FAILED) {
    perror("mmap");
    return 2;
  }
  close(fd);
  use_tables(table, NULL);
  return 0;
}
