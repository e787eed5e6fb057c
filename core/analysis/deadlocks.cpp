#include "core/analysis/deadlocks.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/analysis/signature.hpp"
#include "core/analysis/syscalls.hpp"
#include "core/analysis/waits_internal.hpp"
#include "core/model/arch.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr int kSigQuit = 3, kSigAbrt = 6, kSigKill = 9, kSigTerm = 15, kSigStop = 19;
constexpr std::size_t kMaxChain = 64;  // threads followed from the main thread

const ThreadWait* wait_of(const std::vector<ThreadWait>& waits, std::int32_t tid) {
  for (const auto& w : waits) {
    if (w.tid == tid) return &w;
  }
  return nullptr;
}

bool is_join(const ThreadWait& w) { return w.kind == "join"; }

// The object as the cycle's sentence names it: its name, else its kind and address.
std::string short_object(const ThreadWait& w) {
  return w.object_name.empty() ? waits::object_words(w) : w.object_name;
}

std::string thread_words(std::int32_t tid) { return "thread " + std::to_string(tid); }

// "waits for lock_b, held by thread 202" / "waits in pthread_join for thread 202"; without the
// holder when SAY_HOLDER is false (the sentence named it already).
std::string edge_words(const ThreadWait& w, bool say_holder) {
  if (is_join(w)) return "waits in " + w.function + " for " + thread_words(w.owner_tid.value_or(0));
  std::string verb = w.kind == "rwlock-read" ? "waits to read " : w.kind == "rwlock-write" ? "waits to write " : "waits for ";
  std::string s = verb + short_object(w);
  if (say_holder && w.owner_tid) {
    s += w.kind == "rwlock-read" ? ", held for writing by " : ", held by ";
    s += thread_words(*w.owner_tid);
  }
  return s;
}

std::string cycle_words(const Deadlock& d, const std::vector<ThreadWait>& waits) {
  std::vector<const ThreadWait*> ws;
  for (auto tid : d.threads) ws.push_back(wait_of(waits, tid));
  if (std::find(ws.begin(), ws.end(), nullptr) != ws.end()) return {};
  if (ws.size() == 1) {
    return thread_words(d.threads[0]) + " " + edge_words(*ws[0], false) + ", which it holds itself";
  }
  const ThreadWait& last = *ws.back();
  std::string s = thread_words(d.threads[0]);
  if (!is_join(last)) s += " holds " + short_object(last) + " and";
  for (std::size_t i = 0; i < ws.size(); ++i) {
    bool final = i + 1 == ws.size();
    if (i > 0) s += ", which";
    s += " " + edge_words(*ws[i], !final);
  }
  return s;
}

bool killed_from_outside(const Report& r, const CrashAnalysis& a) {
  if (!r.signal || a.classification.category != "killed") return false;
  int n = r.signal->number;
  return n == kSigAbrt || n == kSigQuit || n == kSigTerm || n == kSigKill;
}

bool is_snapshot(const Report& r) { return !r.signal || r.signal->number == 0 || r.signal->number == kSigStop; }

std::int32_t main_thread(const Report& r) {
  if (r.process.pid) {
    for (const auto& t : r.threads) {
      if (t.tid == *r.process.pid) return t.tid;
    }
  }
  return r.threads.empty() ? 0 : r.threads.front().tid;
}

}  // namespace

std::vector<Deadlock> find_deadlocks(const std::vector<ThreadWait>& waits) {
  std::map<std::int32_t, std::int32_t> next;  // thread -> the thread it waits for
  for (const auto& w : waits) {
    if (w.owner_tid) next[w.tid] = *w.owner_tid;
  }
  std::vector<Deadlock> out;
  std::set<std::int32_t> done;
  for (const auto& [start, unused] : next) {
    if (done.count(start) != 0) continue;
    // Follow the edges; each thread has at most one, so a walk ends or closes one cycle.
    std::vector<std::int32_t> path;
    std::map<std::int32_t, std::size_t> on_path;
    std::int32_t cur = start;
    bool closed = false;  // the walk came back to a thread on its own path
    while (done.count(cur) == 0) {
      if (on_path.count(cur) != 0) {
        closed = true;
        break;
      }
      on_path[cur] = path.size();
      path.push_back(cur);
      auto it = next.find(cur);
      if (it == next.end()) break;  // CUR waits for no thread: the chain ends here
      cur = it->second;
    }
    if (closed) {
      std::vector<std::int32_t> cycle(path.begin() + static_cast<std::ptrdiff_t>(on_path[cur]), path.end());
      auto smallest = std::min_element(cycle.begin(), cycle.end());
      std::rotate(cycle.begin(), smallest, cycle.end());
      Deadlock d;
      d.threads = std::move(cycle);
      d.description = cycle_words(d, waits);
      out.push_back(std::move(d));
    }
    done.insert(path.begin(), path.end());
  }
  std::sort(out.begin(), out.end(), [](const Deadlock& a, const Deadlock& b) { return a.threads[0] < b.threads[0]; });
  return out;
}

std::string wait_chain(const std::vector<ThreadWait>& waits, std::int32_t from) {
  std::string s = thread_words(from);
  std::set<std::int32_t> seen;
  std::int32_t cur = from;
  for (std::size_t step = 0; step < kMaxChain; ++step) {
    seen.insert(cur);
    const ThreadWait* w = wait_of(waits, cur);
    if (w == nullptr) return s + (step == 0 ? " is not blocked in a system call" : ", which is not blocked in a system call");
    if (step > 0) s += ", which";
    if (!w->owner_tid || seen.count(*w->owner_tid) != 0) return s + " " + w->description;
    s += " " + edge_words(*w, true);
    cur = *w->owner_tid;
  }
  return s;
}

CrashSignature deadlock_signature(const Deadlock& d, const std::vector<ThreadWait>& waits) {
  std::vector<std::string> tokens;
  for (auto tid : d.threads) {
    const ThreadWait* w = wait_of(waits, tid);
    tokens.push_back(w == nullptr ? std::string("??") : w->kind + "@" + (w->caller.empty() ? "??" : w->caller));
  }
  // The smallest rotation: the same cycle read from any of its threads.
  std::vector<std::string> best = tokens;
  for (std::size_t r = 1; r < tokens.size(); ++r) {
    std::vector<std::string> rotated = tokens;
    std::rotate(rotated.begin(), rotated.begin() + static_cast<std::ptrdiff_t>(r), rotated.end());
    if (rotated < best) best = std::move(rotated);
  }
  CrashSignature sig;
  sig.frames = best;
  sig.readable = "deadlock";
  for (const auto& t : best) sig.readable += " | " + t;
  sig.hash = hex_padded(fnv1a64(sig.readable)).substr(2);
  return sig;
}

std::optional<CrashSignature> chain_signature(const std::vector<ThreadWait>& waits, std::int32_t from,
                                             const std::string& category) {
  CrashSignature sig;
  std::set<std::int32_t> seen;
  for (std::int32_t cur = from; sig.frames.size() < kMaxChain && seen.insert(cur).second;) {
    const ThreadWait* w = wait_of(waits, cur);
    if (w == nullptr) break;
    sig.frames.push_back(w->function + "@" + (w->caller.empty() ? "??" : w->caller));
    if (!w->owner_tid) break;
    cur = *w->owner_tid;
  }
  if (sig.frames.empty()) return std::nullopt;
  sig.readable = category;
  for (const auto& t : sig.frames) sig.readable += " | " + t;
  sig.hash = hex_padded(fnv1a64(sig.readable)).substr(2);
  return sig;
}

void explain_hang(CrashAnalysis& a, const Report& report, std::vector<ThreadWait> waits, std::string layout_words) {
  a.deadlocks = find_deadlocks(waits);
  a.waits = std::move(waits);
  a.waits_layout = std::move(layout_words);
  bool outside = killed_from_outside(report, a);
  bool snapshot = is_snapshot(report);
  if (!outside && !snapshot) return;
  std::string how = snapshot ? "a snapshot of a running process"
                             : "a process killed by " + report.signal->name +
                                   (report.signal->sender_pid ? " from pid " + std::to_string(*report.signal->sender_pid) : "");
  if (!a.deadlocks.empty()) {
    const Deadlock& d = a.deadlocks.front();
    a.classification.category = "deadlock";
    a.classification.severity = "probably-not-exploitable";
    a.classification.rule = "a cycle of lock owners and joined threads in " + how;
    a.why = "deadlock: " + d.description;
    if (a.deadlocks.size() > 1) a.why += " (and " + std::to_string(a.deadlocks.size() - 1) + " more deadlocks)";
    a.signature = deadlock_signature(d, a.waits);
    return;
  }
  if (report.threads.empty()) return;
  std::string chain = wait_chain(a.waits, main_thread(report));
  if (a.waits.empty() && !syscalls_readable(arch_from_string(report.arch))) {
    // Never "not blocked" where the registers were not read for the call a thread sleeps in.
    chain = thread_words(main_thread(report)) + " may be blocked: corelens does not read which system call a thread sleeps in on " +
            report.arch;
  }
  // Which thread a signal from outside lands in is chance; the main thread's chain is not.
  if (auto sig = chain_signature(a.waits, main_thread(report), a.classification.category)) a.signature = *sig;
  if (snapshot) {
    a.classification.rule = "no signal: " + how;
    a.why = chain;
  } else {
    a.why += "; " + chain;
  }
}

}  // namespace corelens
