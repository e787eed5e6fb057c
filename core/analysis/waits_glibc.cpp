// glibc's objects behind a futex word, and their owners (see glibc_layouts.hpp for the layouts,
// and glibc's nptl/pthread_mutex_lock.c, pthread_rwlock_common.c, pthread_cond_wait.c,
// pthread_join_common.c, sem_waitcommon.c and pthread_barrier_wait.c for who waits where).
#include <algorithm>
#include <cstring>
#include <set>

#include "core/analysis/explain.hpp"
#include "core/analysis/memory_read.hpp"
#include "core/analysis/syscalls.hpp"
#include "core/analysis/waits_internal.hpp"

namespace corelens::waits {
namespace {

// pthread_mutex_t's __owner of a robust mutex whose owner died, or that was given up on
// (nptl/pthreadP.h).
constexpr std::int32_t kMutexInconsistent = 0x7fffffff, kMutexNotRecoverable = 0x7ffffffe;
// __readers: the low three bits are flags, the count of readers is above them
// (PTHREAD_RWLOCK_READER_SHIFT); a reader waiting on __readers has set RWAITING.
constexpr std::uint32_t kReaderShift = 3, kRwaiting = 4;
// __wrphase_futex and __writers_futex hold 1 | PTHREAD_RWLOCK_FUTEX_USED while a writer owns
// the phase or the lock; a writer waiting for readers sleeps on __wrphase_futex == FUTEX_USED.
constexpr std::uint64_t kFutexUsed = 2;
constexpr std::uint64_t kMaxStackScan = 256 * 1024;  // bytes of a thread's stack searched for an address

bool holds(const WaitContext& c, std::uint64_t value) {
  return std::find(c.held_values.begin(), c.held_values.end(), value) != c.held_values.end();
}

// Whether THREAD's registers or the live part of its stack (from its stack pointer up, at most
// kMaxStackScan bytes) hold VALUE as an aligned word.
bool refers_to(const WaitInputs& in, const ThreadReport& thread, std::uint64_t value) {
  for (const auto& r : thread.registers) {
    if (r.value == value) return true;
  }
  auto sp = register_value(thread.registers, sp_register(in.dump.arch));
  const Mapping* stack = sp ? in.dump.mapping_at(*sp) : nullptr;
  if (stack == nullptr) return false;
  std::uint64_t from = *sp & ~std::uint64_t{7};
  std::uint64_t end = std::min(stack->end, from + kMaxStackScan);
  std::byte page[4096];
  for (std::uint64_t at = from; at < end;) {
    std::uint64_t n = std::min<std::uint64_t>(sizeof page - (at % sizeof page), end - at);
    if (in.memory.read(at, std::span<std::byte>(page, n))) {
      for (std::uint64_t i = 0; i + 8 <= n; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, page + i, 8);
        if (v == value) return true;
      }
    }
    at += n;
  }
  return false;
}

bool is_thread(const WaitInputs& in, std::int32_t tid) {
  return std::any_of(in.report.threads.begin(), in.report.threads.end(),
                     [&](const ThreadReport& t) { return t.tid == tid; });
}

// Of several possible starts of one object, the one the waiting call holds in a register, or the
// only one a global symbol starts at, or the only one CONSISTENT accepts.
template <typename Consistent>
std::optional<std::uint64_t> pick_start(const WaitContext& c, const std::vector<std::uint64_t>& candidates,
                                        Consistent consistent) {
  std::vector<std::uint64_t> held, named, plausible;
  for (std::uint64_t a : candidates) {
    if (holds(c, a)) held.push_back(a);
    if (c.in.names != nullptr) {
      std::string n = c.in.names->name_object(c.thread_index, c.own_frame, a);
      if (!n.empty() && n.find('+') == std::string::npos) named.push_back(a);
    }
    if (consistent(a)) plausible.push_back(a);
  }
  for (const auto* set : {&held, &named, &plausible}) {
    if (set->size() == 1) return set->front();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> read_u32_at(const MemorySource& memory, std::uint64_t addr) {
  return read_u32(memory, addr);
}

WaitTarget resolve_mutex(const WaitContext& c, std::uint64_t uaddr, std::uint64_t op) {
  WaitTarget t;
  t.object = uaddr;  // __lock, the futex word, is the mutex's first field
  t.resolved = true;
  std::uint64_t cmd = op & kFutexCommandMask;
  if (cmd == kFutexLockPi || cmd == kFutexLockPi2) {
    // A priority-inheritance mutex: the lock word itself holds the owner's tid.
    if (auto word = read_u32_at(c.in.memory, uaddr); word && (*word & kFutexTidMask) != 0) {
      t.owner = static_cast<std::int32_t>(*word & kFutexTidMask);
      t.owner_source = "futex-word";
    }
    return t;
  }
  if (c.in.layout == nullptr) {
    t.detail = "its owner is unknown: glibc's mutex layout is not known for this C library";
    return t;
  }
  auto owner = read_u32_at(c.in.memory, uaddr + c.in.layout->mutex_owner);
  if (!owner) {
    t.detail = "its owner could not be read (memory not in the dump)";
    return t;
  }
  auto o = static_cast<std::int32_t>(*owner);
  if (o == kMutexInconsistent) {
    t.detail = "its owner died holding it (a robust mutex, now inconsistent)";
  } else if (o == kMutexNotRecoverable) {
    t.detail = "it is not recoverable (a robust mutex whose owner died)";
  } else if (o > 0) {
    t.owner = o;
    t.owner_source = "mutex-owner";
    if (!is_thread(c.in, o)) t.detail = "its owner, thread " + std::to_string(o) + ", is no longer a thread of the process";
  } else {
    t.detail = "it records no owner (being handed over, or taken by a lock that records none)";
  }
  return t;
}

WaitTarget resolve_rwlock(const WaitContext& c, bool write, std::uint64_t uaddr, std::uint64_t val) {
  WaitTarget t;
  t.object = uaddr;
  const GlibcLayout* l = c.in.layout;
  if (l == nullptr) {
    t.detail = "its holder is unknown: glibc's rwlock layout is not known for this C library";
    return t;
  }
  // Which futex of the lock it sleeps on follows from the call and the value it expects there.
  std::uint64_t futex_offset;
  bool waits_for_readers = false;
  if (!write) {
    futex_offset = (val | kFutexUsed) == (1 | kFutexUsed) ? l->rwlock_wrphase_futex : l->rwlock_readers;
    if (futex_offset == l->rwlock_readers && (val & kRwaiting) == 0) return t;  // not a wait glibc makes
  } else if (val == kFutexUsed) {
    futex_offset = l->rwlock_wrphase_futex;
    waits_for_readers = true;
  } else {
    futex_offset = l->rwlock_writers_futex;
  }
  if (uaddr < futex_offset) return t;
  std::uint64_t base = uaddr - futex_offset;
  t.object = base;
  t.resolved = true;
  auto writer = read_u32_at(c.in.memory, base + l->rwlock_cur_writer);
  if (writer && *writer != 0) {
    t.owner = static_cast<std::int32_t>(*writer);
    t.owner_source = "rwlock-writer";
    return t;
  }
  auto readers = read_u32_at(c.in.memory, base + l->rwlock_readers);
  if (waits_for_readers && readers) {
    std::uint32_t n = *readers >> kReaderShift;
    t.detail = "held by " + std::to_string(n) + (n == 1 ? " reader" : " readers") + ", which glibc does not record";
  } else if (!writer) {
    t.detail = "its holder could not be read (memory not in the dump)";
  }
  return t;
}

WaitTarget resolve_condvar(const WaitContext& c, std::uint64_t uaddr) {
  WaitTarget t;
  t.object = uaddr;
  const GlibcLayout* l = c.in.layout;
  if (l == nullptr || !l->cond_g_signals || !l->cond_wrefs || !l->cond_wseq) return t;
  // Waiters sleep on __g_signals[g] for their group g: two possible starts.
  std::vector<std::uint64_t> starts;
  for (std::uint64_t g : {0u, 1u}) {
    std::uint64_t off = *l->cond_g_signals + 4 * g;
    if (uaddr >= off) starts.push_back(uaddr - off);
  }
  // A start is consistent when its __wrefs counts this waiter (>= 1 << 3) and its __wseq says the
  // group the word belongs to is G2, where a waiter that no signal reached still is.
  auto consistent = [&](std::uint64_t start) {
    auto wrefs = read_u32_at(c.in.memory, start + *l->cond_wrefs);
    auto wseq = read_u32_at(c.in.memory, start + *l->cond_wseq);
    std::uint64_t g = (uaddr - start - *l->cond_g_signals) / 4;
    return wrefs && wseq && (*wrefs >> 3) >= 1 && (*wseq & 1) == g;
  };
  if (auto start = pick_start(c, starts, consistent)) {
    t.object = *start;
    t.resolved = true;
  }
  return t;
}

WaitTarget resolve_join(const WaitContext& c, std::uint64_t uaddr, std::uint64_t val) {
  WaitTarget t;
  t.object = uaddr;
  // pthread_join sleeps on the joined thread's tid word (struct pthread's tid) while it holds
  // that thread's tid; the kernel clears it when the thread exits.
  auto tid = static_cast<std::int32_t>(static_cast<std::uint32_t>(val));
  if (tid <= 0) return t;
  t.owner = tid;
  t.owner_source = "join-target";
  // On x86_64 the thread pointer (fs_base) is the struct pthread, pthread_t itself: the object
  // the program joins, a few hundred bytes below the tid word.
  for (const auto& th : c.in.report.threads) {
    if (th.tid != tid) continue;
    auto fs = register_value(th.registers, "fs_base");
    if (fs && uaddr >= *fs && uaddr - *fs < 4096) {
      t.object = *fs;
      t.resolved = true;
    }
  }
  if (!is_thread(c.in, tid)) t.detail = "thread " + std::to_string(tid) + " is not in the dump";
  return t;
}

WaitTarget resolve_semaphore(const WaitContext& c, std::uint64_t uaddr) {
  WaitTarget t;
  // struct new_sem: on 64-bit targets the value is the low half of DATA, the futex word, at 0;
  // the waiters are counted in the high half.
  t.object = uaddr;
  t.resolved = true;
  auto value = read_u32_at(c.in.memory, uaddr);
  auto waiters = read_u32_at(c.in.memory, uaddr + 4);
  if (value && waiters && pointer_size(c.in.dump.arch) == 8) {
    t.detail = "value " + std::to_string(*value) + ", " + std::to_string(*waiters) +
               (*waiters == 1 ? " waiter" : " waiters");
  }
  return t;
}

WaitTarget resolve_barrier(const WaitContext& c, std::uint64_t uaddr) {
  WaitTarget t;
  t.object = uaddr;
  const GlibcLayout* l = c.in.layout;
  if (l == nullptr) return t;
  std::vector<std::uint64_t> starts;
  for (std::uint64_t off : {std::uint64_t{l->barrier_current_round}, std::uint64_t{l->barrier_in}}) {
    if (uaddr >= off) starts.push_back(uaddr - off);
  }
  // IN counts arrivals in this round, below COUNT (a thread past COUNT waits on IN, rarely).
  auto consistent = [&](std::uint64_t start) {
    auto in = read_u32_at(c.in.memory, start + l->barrier_in);
    auto count = read_u32_at(c.in.memory, start + l->barrier_count);
    return in && count && *count >= 1 && *in % *count != 0;
  };
  if (auto start = pick_start(c, starts, consistent)) {
    t.object = *start;
    t.resolved = true;
    auto in = read_u32_at(c.in.memory, *start + l->barrier_in);
    auto count = read_u32_at(c.in.memory, *start + l->barrier_count);
    if (in && count && *count != 0) {
      t.detail = std::to_string(*in % *count) + " of " + std::to_string(*count) + " threads arrived";
    }
  }
  return t;
}

void infer_rwlock_readers(const WaitInputs& in, std::vector<ThreadWait>& waits) {
  for (auto& w : waits) {
    if (w.kind != "rwlock-write" || w.owner_tid || !w.object_address || in.layout == nullptr) continue;
    auto readers = read_u32_at(in.memory, *w.object_address + in.layout->rwlock_readers);
    if (!readers || (*readers >> kReaderShift) != 1) continue;
    std::set<std::int32_t> writers;  // waiting to write the same lock: not its reader
    for (const auto& o : waits) {
      if (o.kind == "rwlock-write" && o.object_address == w.object_address) writers.insert(o.tid);
    }
    std::vector<std::int32_t> referring;
    for (const auto& t : in.report.threads) {
      if (writers.count(t.tid) != 0) continue;
      if (refers_to(in, t, *w.object_address)) referring.push_back(t.tid);
    }
    if (referring.size() == 1) {
      w.owner_tid = referring.front();
      w.owner_source = "stack-reference";
      w.description = wait_description(w, "held by 1 reader, which glibc does not record: thread " +
                                              std::to_string(referring.front()) +
                                              " is the only other thread whose registers or stack hold its address");
    }
  }
}

}  // namespace corelens::waits
