#include "core/analysis/waits.hpp"

#include <array>

#include "core/analysis/signature.hpp"
#include "core/analysis/syscalls.hpp"
#include "core/analysis/waits_internal.hpp"

namespace corelens {
namespace {

std::string basename_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

// glibc's primitives by the names their implementations go by. The innermost match on the stack
// wins: a condvar wait re-locking its mutex (__pthread_mutex_cond_lock) waits for the mutex.
struct PrimitiveName {
  std::string_view prefix;
  std::string_view kind;
};
constexpr std::array<PrimitiveName, 22> kPrimitives = {{
    {"pthread_mutex_unlock", ""},  // wakes others; never the primitive a thread waits in
    {"pthread_mutex_", "mutex"},
    {"mtx_lock", "mutex"},
    {"mtx_timedlock", "mutex"},
    {"pthread_rwlock_rdlock", "rwlock-read"},
    {"pthread_rwlock_timedrdlock", "rwlock-read"},
    {"pthread_rwlock_clockrdlock", "rwlock-read"},
    {"pthread_rwlock_wrlock", "rwlock-write"},
    {"pthread_rwlock_timedwrlock", "rwlock-write"},
    {"pthread_rwlock_clockwrlock", "rwlock-write"},
    {"pthread_cond_", "condvar"},
    {"cnd_wait", "condvar"},
    {"cnd_timedwait", "condvar"},
    {"pthread_join", "join"},
    {"pthread_timedjoin", "join"},
    {"pthread_clockjoin", "join"},
    {"thrd_join", "join"},
    {"sem_wait", "semaphore"},
    {"sem_timedwait", "semaphore"},
    {"sem_clockwait", "semaphore"},
    {"new_sem_wait", "semaphore"},
    {"pthread_barrier_wait", "barrier"},
}};

struct Primitive {
  std::string kind;      // empty: none found
  std::string function;  // the API name: "pthread_mutex_lock"
  std::size_t frame = 0;
  bool internal_lock = false;  // __lll_lock_wait without a primitive above it
};

Primitive find_primitive(const ThreadReport& t) {
  Primitive p;
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    const Frame& f = t.frames[i];
    if (!f.module.empty() && !is_runtime_module(f.module)) break;  // the program's own code
    std::string name = api_name(f.function);
    if (name.starts_with("lll_lock_wait")) {
      p.internal_lock = true;
      p.frame = i;
      continue;
    }
    for (const auto& prim : kPrimitives) {
      if (!name.starts_with(prim.prefix)) continue;
      if (prim.kind.empty()) break;
      p.kind = std::string(prim.kind);
      // The implementations' names ("pthread_rwlock_wrlock_full64", "pthread_cond_wait_common",
      // "pthread_clockjoin_ex") stand for the call the program made.
      if (p.kind == "rwlock-read") p.function = "pthread_rwlock_rdlock";
      else if (p.kind == "rwlock-write") p.function = "pthread_rwlock_wrlock";
      else if (p.kind == "condvar") p.function = name.starts_with("cnd_") ? "cnd_wait" : "pthread_cond_wait";
      else if (p.kind == "join") p.function = name.starts_with("thrd_") ? "thrd_join" : "pthread_join";
      else if (p.kind == "semaphore") p.function = "sem_wait";
      else if (p.kind == "mutex") p.function = name.starts_with("mtx_") ? "mtx_lock" : "pthread_mutex_lock";
      else p.function = name;
      p.frame = i;
      return p;
    }
  }
  return p;
}

// The C++ library's inline wrappers (std::mutex::lock, __gthread_mutex_lock, std::thread::join)
// are compiled into the program but are not its code: every std::mutex wait passes through them,
// so the caller that tells two waits apart is the first frame outside their headers.
bool is_cxx_header_frame(const Frame& f) {
  return f.file.find("/include/c++/") != std::string::npos ||
         (f.file.find("/c++/") != std::string::npos && f.file.find("/bits/") != std::string::npos);
}

std::size_t first_own_frame(const ThreadReport& t) {
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    const Frame& f = t.frames[i];
    if (!f.module.empty() && !is_runtime_module(f.module) && !is_cxx_header_frame(f)) return i;
  }
  return t.frames.empty() ? 0 : t.frames.size() - 1;
}

std::vector<std::uint64_t> held_values(const ThreadReport& t, std::size_t up_to) {
  std::vector<std::uint64_t> out;
  for (const auto& r : t.registers) out.push_back(r.value);
  for (std::size_t i = 1; i <= up_to && i < t.frames.size(); ++i) {
    for (const auto& r : t.frames[i].registers) out.push_back(r.value);
  }
  return out;
}

const SyscallArgument* arg(const BlockingSyscall& s, std::string_view name) {
  for (const auto& a : s.args) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// The plain futex(2) waits: not a PI lock, not a requeue target.
bool is_futex_wait(std::uint64_t op) {
  std::uint64_t cmd = op & kFutexCommandMask;
  return cmd == kFutexWait || cmd == kFutexWaitBitset || cmd == kFutexWaitRequeuePi;
}
bool is_futex_lock_pi(std::uint64_t op) {
  std::uint64_t cmd = op & kFutexCommandMask;
  return cmd == kFutexLockPi || cmd == kFutexLockPi2;
}

// A futex no primitive on the stack explains. glibc's low-level lock waits with the value 2
// ("locked, with waiters") in a word that holds 2: a lock of the C library's own (stdio, malloc,
// the dynamic linker), or a mutex whose frames have no names.
ThreadWait futex_wait(const waits::WaitContext& c, const Primitive& p, std::uint64_t uaddr, std::uint64_t op,
                      std::uint64_t val) {
  ThreadWait w;
  auto word = waits::read_u32_at(c.in.memory, uaddr);
  bool lll = is_futex_wait(op) && val == 2 && word == 2u;
  if (p.internal_lock || lll) {
    w.kind = "lock";
    w.function = p.internal_lock ? "__lll_lock_wait" : "futex";
  } else {
    w.kind = "futex";
    w.function = "futex";
  }
  w.object_address = uaddr;
  if (is_futex_lock_pi(op) && word && (*word & kFutexTidMask) != 0) {
    w.owner_tid = static_cast<std::int32_t>(*word & kFutexTidMask);
    w.owner_source = "futex-word";
  }
  return w;
}

ThreadWait with_target(ThreadWait w, const waits::WaitTarget& t, std::string* detail) {
  w.object_address = t.object;
  w.owner_tid = t.owner;
  w.owner_source = t.owner_source;
  *detail = t.detail;
  if (t.object && !t.resolved && w.kind != "join") {
    *detail += std::string(detail->empty() ? "" : "; ") +
               "the address is the word it sleeps on: where the object starts is not known";
  }
  return w;
}

ThreadWait wait_of(const WaitInputs& in, std::size_t index, BlockingSyscall s, bool restarted) {
  const ThreadReport& t = in.report.threads[index];
  Primitive p = find_primitive(t);
  waits::WaitContext c{in, index, p.frame, first_own_frame(t), held_values(t, p.frame)};
  ThreadWait w;
  w.tid = t.tid;
  std::string detail;
  if (s.name == "futex" || s.name == "futex_wait") {
    const SyscallArgument* uaddr = arg(s, "uaddr");
    const SyscallArgument* op = arg(s, "op");
    const SyscallArgument* val = arg(s, "val");
    std::uint64_t futex_op = s.name == "futex_wait" ? kFutexWait : (op != nullptr ? op->value : 0);
    if (uaddr != nullptr && val != nullptr && (is_futex_wait(futex_op) || is_futex_lock_pi(futex_op))) {
      std::uint64_t u = uaddr->value, v = val->value;
      w.kind = p.kind;
      w.function = p.function;
      if (p.kind == "mutex") w = with_target(w, waits::resolve_mutex(c, u, futex_op), &detail);
      else if (p.kind == "rwlock-read" || p.kind == "rwlock-write")
        w = with_target(w, waits::resolve_rwlock(c, p.kind == "rwlock-write", u, v), &detail);
      else if (p.kind == "condvar") w = with_target(w, waits::resolve_condvar(c, u), &detail);
      else if (p.kind == "join") w = with_target(w, waits::resolve_join(c, u, v), &detail);
      else if (p.kind == "semaphore") w = with_target(w, waits::resolve_semaphore(c, u), &detail);
      else if (p.kind == "barrier") w = with_target(w, waits::resolve_barrier(c, u), &detail);
      else w = futex_wait(c, p, u, futex_op, v);
    }
  }
  if (w.kind.empty()) {
    bool sleep = s.name == "nanosleep" || s.name == "clock_nanosleep";
    w.kind = sleep ? "sleep" : "syscall";
    w.function = s.name;
    // The C library's call when it has another name (sleep, usleep, sigwait, waitpid ...).
    if (!t.frames.empty() && c.own_frame > 0) {
      std::string outer = api_name(t.frames[c.own_frame - 1].function);
      if (!outer.empty() && outer.find(' ') == std::string::npos) w.function = outer;
    }
  }
  waits::render_syscall_arguments(in.memory, in.dump.arch, s);
  w.syscall = std::move(s);
  if (c.own_frame < t.frames.size() && c.own_frame > 0) w.caller = frame_token(t.frames[c.own_frame]);
  if (w.object_address && in.names != nullptr && w.kind != "join") {
    w.object_name = in.names->name_object(index, c.own_frame, *w.object_address);
  }
  if (w.kind == "join" && w.owner_tid) w.object_name = "thread " + std::to_string(*w.owner_tid);
  if (restarted) detail += std::string(detail.empty() ? "" : "; ") + "restarted after the thread was stopped";
  w.description = waits::wait_description(w, detail);
  return w;
}

}  // namespace

std::string api_name(std::string_view function) {
  std::string name(function);
  if (auto at = name.find('@'); at != std::string::npos) name.resize(at);  // "x@@GLIBC_2.34"
  name = function_base_name(name);
  // "__GI___pthread_mutex_lock", "___pthread_cond_wait", "__libc_read": the exported name.
  for (bool changed = true; changed;) {
    changed = false;
    std::size_t underscores = name.find_first_not_of('_');
    if (underscores != 0 && underscores != std::string::npos) {
      name.erase(0, underscores);
      changed = true;
    }
    for (std::string_view prefix : {"GI_", "libc_"}) {
      if (name.starts_with(prefix) && name.size() > prefix.size()) {
        name.erase(0, prefix.size());
        changed = true;
      }
    }
  }
  return name;
}

bool is_runtime_module(const std::string& module) {
  std::string name = basename_of(module);
  for (const char* prefix : {"libc.so", "libc-", "ld-linux", "ld64.so", "ld.so", "ld-musl", "libpthread.so",
                             "libpthread-", "librt.so", "librt-", "libdl.so", "libstdc++.so", "libc++.so",
                             "libc++abi.so", "libgcc_s.so"}) {
    if (name.starts_with(prefix)) return true;
  }
  return false;
}

std::vector<ThreadWait> analyze_waits(const WaitInputs& in) {
  std::vector<ThreadWait> out;
  for (std::size_t i = 0; i < in.report.threads.size(); ++i) {
    const ThreadReport& t = in.report.threads[i];
    auto s = blocking_syscall(in.dump.arch, t.registers, &in.memory);
    if (!s) continue;
    bool restarted = false;
    if (!t.frames.empty()) {
      if (auto r = restarted_syscall(in.dump.arch, t.registers, *s, api_name(t.frames.front().function))) {
        s = std::move(r);
        restarted = true;
      }
    }
    out.push_back(wait_of(in, i, std::move(*s), restarted));
  }
  waits::infer_rwlock_readers(in, out);
  return out;
}

}  // namespace corelens
