// Where glibc keeps the state of its locks: the byte offsets, inside pthread_mutex_t,
// pthread_rwlock_t, pthread_cond_t and pthread_barrier_t, of the words a waiting thread sleeps on
// and of the fields that name an owner. The wait analysis (waits.hpp) reads them in the dumped
// process's memory.
//
// Two sources: glibc's own DWARF (libc6-dbg), read by unwinder/glibc_dwarf_layout.hpp, which is
// exact for the build that ran; and, without it, the layouts written down here for the glibc
// releases of Debian 11 (2.31), 12 (2.36) and 13 (2.41), taken from glibc's headers
// (sysdeps/x86/nptl/bits/struct_mutex.h, struct_rwlock.h, sysdeps/nptl/bits/thread-shared-types.h,
// sysdeps/nptl/internaltypes.h) at those tags and checked against libc6-dbg's DWARF by the tests.
//
// Which release ran is read from the C library's symbol versions (GLIBC_2.N), never from its
// banner text. The highest version node is not always the release (2.31 defines GLIBC_2.30 last),
// so a table entry covers the nodes whose layouts are the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/model/arch.hpp"

namespace corelens {

struct GlibcLayout {
  std::string source;  // in words: "glibc 2.36's headers (GLIBC_2.36)", "DWARF of /usr/lib/debug/..."
  // struct __pthread_mutex_s: __lock is at 0 (the futex word); __owner the holder's tid.
  std::uint32_t mutex_owner = 0, mutex_kind = 0;
  // struct __pthread_rwlock_arch_t: readers wait on __readers or __wrphase_futex, writers on
  // __writers_futex or __wrphase_futex; __cur_writer is the tid of the writer holding it.
  std::uint32_t rwlock_readers = 0, rwlock_wrphase_futex = 0, rwlock_writers_futex = 0, rwlock_cur_writer = 0;
  // struct __pthread_cond_s: waiters sleep on __g_signals[g]; __wseq's low bit indexes G2 and
  // __wrefs counts waiters (<< 3). Unset: this build's condvar layout is not known (see .cpp).
  std::optional<std::uint32_t> cond_wseq, cond_wrefs, cond_g_signals;
  // struct pthread_barrier (internaltypes.h): threads wait on IN or CURRENT_ROUND.
  std::uint32_t barrier_in = 0, barrier_current_round = 4, barrier_count = 8;
};

// The glibc release a C library's highest "GLIBC_2.N" symbol version names: {2, N}.
struct GlibcVersion {
  int major = 0, minor = 0;
};

// The built-in layout for ARCH and a library whose highest version node is VERSION; nullopt for
// an architecture or release not written down here (the analysis then names no owners).
std::optional<GlibcLayout> builtin_glibc_layout(Arch arch, GlibcVersion version);

}  // namespace corelens
