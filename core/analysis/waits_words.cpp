// What a thread waits for, in words, and its system call's arguments as people read them.
#include <array>
#include <cstdio>

#include "core/analysis/memory_read.hpp"
#include "core/analysis/waits_internal.hpp"
#include "core/model/strings.hpp"

namespace corelens::waits {
namespace {

// Arguments that are counts, descriptors, ids or plain numbers: shown in decimal. Others are
// pointers and flags, kept in the JSON as raw values and left out of the sentence.
constexpr std::array<std::string_view, 24> kDecimal = {
    "fd",    "epfd",  "n",      "nfds",   "maxevents", "upid",   "options", "nsops",
    "semid", "msqid", "which",  "min_nr", "nr",        "vlen",   "count",   "size",
    "len",   "msgsz", "val",    "msg_len", "nr_futexes", "to_submit", "min_complete", "mqdes"};
// struct timespec pointers (relative, but for clock_nanosleep with TIMER_ABSTIME and futex's
// WAIT_BITSET, which take a deadline).
constexpr std::array<std::string_view, 5> kTimespec = {"rqtp", "uts", "tsp", "utime", "timeout"};

bool in_list(std::string_view name, std::span<const std::string_view> list) {
  for (auto n : list) {
    if (n == name) return true;
  }
  return false;
}

std::string duration_words(std::int64_t sec, std::int64_t nsec) {
  if (sec < 0 || nsec < 0 || nsec >= 1000000000) return {};
  if (sec == 0 && nsec < 1000000000 && nsec % 1000000 == 0) return std::to_string(nsec / 1000000) + " ms";
  if (nsec == 0) return std::to_string(sec) + " s";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%03lld s", static_cast<long long>(sec), static_cast<long long>(nsec / 1000000));
  return buf;
}

std::string address_words(const ThreadWait& w) {
  if (!w.object_address) return {};
  return w.object_name.empty() ? "at " + hex(*w.object_address) : w.object_name + " (" + hex(*w.object_address) + ")";
}

}  // namespace

void render_syscall_arguments(const MemorySource& memory, Arch, BlockingSyscall& s) {
  bool absolute = false;
  for (auto& a : s.args) {
    if (s.name == "clock_nanosleep" && a.name == "flags") absolute = (a.value & 1) != 0;  // TIMER_ABSTIME
    if (s.name == "futex" && a.name == "op") absolute = (a.value & 0x7f) == 9;            // FUTEX_WAIT_BITSET
  }
  for (auto& a : s.args) {
    // Descriptors, pids and timeouts are ints: a register holding -1 reads as -1, not 2^64 - 1.
    auto as_int = static_cast<std::int64_t>(static_cast<std::int32_t>(a.value));
    if (a.name == "timeout" && (s.name == "epoll_wait" || s.name == "epoll_pwait")) {
      a.text = as_int < 0 ? "none" : std::to_string(as_int) + " ms";
    } else if (a.name == "timeout_msecs") {
      a.text = as_int < 0 ? "none" : std::to_string(as_int) + " ms";
    } else if (in_list(a.name, kDecimal)) {
      a.text = std::to_string(a.name == "count" || a.name == "size" || a.name == "len" || a.name == "msgsz"
                                  ? static_cast<std::int64_t>(a.value)
                                  : as_int);
    } else if (in_list(a.name, kTimespec) || a.name == "tvp") {
      if (a.value == 0) {
        a.text = "none";
        continue;
      }
      auto sec = read_u64(memory, a.value);
      auto frac = read_u64(memory, a.value + 8);
      if (!sec || !frac) continue;
      // select's struct timeval counts microseconds.
      std::int64_t nsec = static_cast<std::int64_t>(*frac) * (a.name == "tvp" ? 1000 : 1);
      std::string d = duration_words(static_cast<std::int64_t>(*sec), nsec);
      if (!d.empty()) a.text = absolute ? "until " + d + " on its clock" : d;
    }
  }
}

std::string syscall_words(const BlockingSyscall& s) {
  std::string out = s.name + "(";
  bool first = true;
  for (const auto& a : s.args) {
    if (a.text.empty()) continue;
    out += (first ? "" : ", ") + a.name + " " + a.text;
    first = false;
  }
  return out + ")";
}

std::string object_words(const ThreadWait& w) {
  std::string where = address_words(w);
  const std::string& k = w.kind;
  if (k == "mutex") return "mutex " + where;
  if (k == "rwlock-read" || k == "rwlock-write") return "rwlock " + where;
  if (k == "condvar") return "condition variable " + where;
  if (k == "semaphore") return "semaphore " + where;
  if (k == "barrier") return "barrier " + where;
  if (k == "join") return w.object_name.empty() ? "a thread" : w.object_name;
  if (k == "lock") return "a lock of the C library " + where;
  if (k == "futex") return "the futex word " + where;
  return where;
}

std::string wait_description(const ThreadWait& w, const std::string& detail) {
  std::string s;
  const std::string& k = w.kind;
  std::string object = object_words(w);
  if (k == "mutex" || k == "lock") s = "waits for " + object;
  else if (k == "rwlock-read") s = "waits to read " + object;
  else if (k == "rwlock-write") s = "waits to write " + object;
  else if (k == "condvar" || k == "semaphore" || k == "futex") s = "waits on " + object;
  else if (k == "barrier") s = "waits at " + object;
  else if (k == "join") s = "waits in " + w.function + " for " + object + " to exit";
  else if (k == "sleep") {
    s = "sleeps in " + w.function;
    if (w.syscall) {
      for (const auto& a : w.syscall->args) {
        if (a.name == "rqtp" && !a.text.empty()) s += (a.text.starts_with("until") ? " " : " for ") + a.text;
      }
    }
  } else {
    s = "waits in " + (w.syscall ? syscall_words(*w.syscall) : w.function);
    if (w.syscall && w.function != w.syscall->name) s += " (" + w.function + ")";
  }
  if (w.owner_tid && k != "join") {
    s += k == "rwlock-read" ? ", held for writing by thread " : ", held by thread ";
    s += std::to_string(*w.owner_tid);
  }
  if (!detail.empty()) s += "; " + detail;
  return s;
}

}  // namespace corelens::waits
