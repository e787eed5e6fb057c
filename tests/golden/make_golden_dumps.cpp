// Writes the synthetic dumps of the golden-output tests (tests/golden/README.md) and the files
// their modules name, into OUTDIR: the same bytes on every machine and every run, unlike the
// sample cores, which a compiler and a kernel make. Usage: make_golden_dumps OUTDIR
//
//   segv.core      x86_64, the kernel's note order: a NULL read in parse_header, explained from
//                  the instruction; three frames by frame pointer; libc without a file
//   threads.core   x86_64: abort() on the main thread and six others, four of them waiting in
//                  the same place (one thread group), one in poll
//   damaged.core   x86_64, gdb's note order: a thread note cut short, and the file cut inside
//                  the stack, so the walk stops early and the dump says why
//   arm64.core     aarch64: a NULL read in parse_header, frame records through x29
//   segv-again.core  segv.core's crash in another process (collect and triage group them)
//   sysroot/       the executables and libraries, with symbol tables (--sysroot sysroot)
//
// Every file gets a fixed modification time, so `corelens collect` lists them in one order.
#include <cstdio>
#include <exception>

#include "tests/golden/golden_dumps.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_golden_dumps OUTDIR\n");
    return 64;
  }
  try {
    corelens::golden::write_all(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_golden_dumps: %s\n", e.what());
    return 1;
  }
  return 0;
}
