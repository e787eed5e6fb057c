#include "core/analysis/glibc_layouts.hpp"

namespace corelens {
namespace {

// x86_64, the same in every glibc since 2.25 (the rewritten rwlock and condvar) up to 2.41 but
// for the condvar:
//
//   struct __pthread_mutex_s      { int __lock; unsigned __count; int __owner; unsigned __nusers;
//                                   int __kind; short __spins, __elision; __pthread_list_t __list; }   40 bytes
//   struct __pthread_rwlock_arch_t { unsigned __readers, __writers, __wrphase_futex, __writers_futex,
//                                   __pad3, __pad4; int __cur_writer, __shared; ... unsigned __flags; } 56 bytes
//   struct pthread_barrier        { unsigned in, current_round, count; int shared; unsigned out; }
//
// The condvar lost its __g_refs[2] (8 bytes before __g_size) in glibc 2.41 and in the 2.38, 2.39
// and 2.40 release branches' later point releases (the fix of bug 25847), so:
//   2.25 - 2.37:  __wseq 0, __g1_start 8, __g_refs 16, __g_size 24, __g1_orig_size 32, __wrefs 36, __g_signals 40
//   2.41 -     :  __wseq 0, __g1_start 8,                __g_size 16, __g1_orig_size 24, __wrefs 28, __g_signals 32
// and for 2.38 - 2.40 the version node cannot tell which: only the DWARF can.
//
// Measured (gdb's ptype/o on libc6-dbg's DWARF, 2026-12-03): Debian 11's 2.31-13+deb11u11 and
// Debian 13's 2.41-12+deb13u5 have exactly these offsets (mutex __owner 8, __kind 16; rwlock
// __wrphase_futex 8, __writers_futex 12, __cur_writer 24; condvar __wrefs 36 / 28 and
// __g_signals 40 / 32; barrier current_round 4, count 8); Debian 12's 2.36 is checked by
// tests/hangs (GlibcLayouts.BuiltInEqualsTheDwarfOfThisGlibc).
GlibcLayout x86_64_layout(GlibcVersion v) {
  GlibcLayout l;
  l.mutex_owner = 8;
  l.mutex_kind = 16;
  l.rwlock_readers = 0;
  l.rwlock_wrphase_futex = 8;
  l.rwlock_writers_futex = 12;
  l.rwlock_cur_writer = 24;
  if (v.minor <= 37) {
    l.cond_wseq = 0;
    l.cond_wrefs = 36;
    l.cond_g_signals = 40;
  } else if (v.minor >= 41) {
    l.cond_wseq = 0;
    l.cond_wrefs = 28;
    l.cond_g_signals = 32;
  }
  std::string name = "GLIBC_2." + std::to_string(v.minor);
  l.source = "the layouts of glibc " + std::string(v.minor <= 30 ? "2.31" : v.minor <= 37 ? "2.36" : "2.41") +
             " for x86_64 (the library defines " + name + ")";
  if (!l.cond_g_signals) l.source += "; its condition variable layout is not known without its DWARF";
  return l;
}

}  // namespace

std::optional<GlibcLayout> builtin_glibc_layout(Arch arch, GlibcVersion version) {
  // Before 2.25 the rwlock and the condvar were other algorithms with other layouts.
  if (version.major != 2 || version.minor < 25) return std::nullopt;
  if (arch == Arch::x86_64) return x86_64_layout(version);
  return std::nullopt;
}

}  // namespace corelens
