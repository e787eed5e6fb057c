// The wait-for graph: an edge from each waiting thread to the thread it waits for (a lock's
// owner, a joined thread). A cycle is a deadlock: none of its threads can go on. Without one, the
// chain from the main thread says what the process was doing.
//
// When the process did not crash but was killed from outside (SIGABRT, SIGQUIT, SIGTERM or
// SIGKILL sent by another process: a watchdog, systemd, timeout(1)) or is a snapshot of a live
// process, the hang is the analysis: a deadlock becomes the category ("deadlock") with the cycle
// in words as "Why"; otherwise "Why" tells the main thread's chain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/report.hpp"

namespace corelens {

// Every cycle once, each listed from its smallest tid; in order of that tid.
std::vector<Deadlock> find_deadlocks(const std::vector<ThreadWait>& waits);

// "thread 100 waits in pthread_join for thread 101, which waits on condition variable cv (0x...)":
// from FROM along the owners until a thread waits for nothing another thread holds.
std::string wait_chain(const std::vector<ThreadWait>& waits, std::int32_t from);

// The same whichever thread the cycle is read from and whatever the tids and addresses: each
// thread's wait kind and calling function, in cycle order from the smallest rotation.
CrashSignature deadlock_signature(const Deadlock& deadlock, const std::vector<ThreadWait>& waits);

// A hang without a cycle: the calls along FROM's chain and their callers ("pthread_join@prog!main",
// "pthread_cond_wait@prog!consume") after CATEGORY, whichever thread the killing signal reached;
// nullopt when FROM waits for nothing.
std::optional<CrashSignature> chain_signature(const std::vector<ThreadWait>& waits, std::int32_t from,
                                             const std::string& category);

// Puts WAITS, the deadlocks and LAYOUT_WORDS into A, and makes the hang the analysis when REPORT
// says the process was killed from outside or is a snapshot (see above).
void explain_hang(CrashAnalysis& a, const Report& report, std::vector<ThreadWait> waits, std::string layout_words);

}  // namespace corelens
