// The pieces of analyze_waits (waits.hpp), shared by its files: waits.cpp finds the call and the
// primitive, waits_glibc.cpp finds glibc's objects and their owners, waits_words.cpp says it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/waits.hpp"

namespace corelens::waits {

// One waiting thread, as the resolvers see it.
struct WaitContext {
  const WaitInputs& in;
  std::size_t thread_index = 0;  // into in.report.threads
  std::size_t api_frame = 0;     // the frame of the primitive's call (pthread_mutex_lock ...)
  std::size_t own_frame = 0;     // the first frame of the program's own code (the caller)
  // Values the waiting call holds in registers: frame 0's, and those the unwinder recovered for
  // every frame up to the primitive's. A primitive keeps its object's address in one of them.
  std::vector<std::uint64_t> held_values;
};

// Where a wait's object is and who holds it.
struct WaitTarget {
  std::optional<std::uint64_t> object;  // the object's start, or the futex word when unresolved
  bool resolved = false;                // OBJECT is the primitive's start, not just its futex word
  std::optional<std::int32_t> owner;
  std::string owner_source;             // as ThreadWait::owner_source
  std::string detail;                   // words after the object: "(3 readers)", "its owner died"
};

std::optional<std::uint32_t> read_u32_at(const MemorySource& memory, std::uint64_t addr);

WaitTarget resolve_mutex(const WaitContext& c, std::uint64_t uaddr, std::uint64_t futex_op);
WaitTarget resolve_rwlock(const WaitContext& c, bool write, std::uint64_t uaddr, std::uint64_t val);
WaitTarget resolve_condvar(const WaitContext& c, std::uint64_t uaddr);
WaitTarget resolve_join(const WaitContext& c, std::uint64_t uaddr, std::uint64_t val);
WaitTarget resolve_semaphore(const WaitContext& c, std::uint64_t uaddr);
WaitTarget resolve_barrier(const WaitContext& c, std::uint64_t uaddr);

// A writer waits for readers, which glibc does not record: the only thread other than the
// waiters for writing on the same lock whose registers or live stack hold the lock's address is
// taken for the reader, when the lock has exactly one reader (said so in owner_source).
void infer_rwlock_readers(const WaitInputs& in, std::vector<ThreadWait>& waits);

// Words: the object as people name it ("mutex lock_b", "rwlock table_lock"), a system call with
// its arguments ("read(fd 5, count 4096)"), a duration ("3600 s").
std::string object_words(const ThreadWait& w);
std::string syscall_words(const BlockingSyscall& s);
void render_syscall_arguments(const MemorySource& memory, Arch arch, BlockingSyscall& s);
std::string wait_description(const ThreadWait& w, const std::string& detail);

}  // namespace corelens::waits
