// What the samples that hang on purpose (samples/hang_*.c, hang_*.cpp) say of themselves
// (samples/hang_record.h), and the checks of a JSON report against it, shared by the tests on
// their cores and on the live processes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tests/integration/samples.hpp"  // read_text_file, run_command

namespace corelens::testing {

struct RecordedWait {
  int tid = 0;
  std::string kind;
  std::optional<std::uint64_t> object;
  std::string name;  // "-": none
  std::optional<int> owner;
};

struct HangRecord {
  std::map<int, std::string> threads;  // tid -> role
  std::vector<RecordedWait> waits;
  std::optional<std::vector<int>> cycle;  // nullopt: "nocycle"
  bool ready = false;
  bool complete() const { return ready && !threads.empty(); }
};

HangRecord parse_hang_record(const std::string& text);

// Checks REPORT (corelens analyze --format json) against what the program recorded: every
// recorded wait found with its kind, object, name and owner; the deadlock (or its absence);
// the category; "Why" naming the cycle's threads and objects. LIVE: a report of a running
// process (a snapshot) rather than of a core killed by SIGABRT.
void expect_report_matches(const nlohmann::json& report, const HangRecord& record, bool live);

// The samples, their threads in all (for the live tests' wait until every thread sleeps).
struct HangSample {
  std::string name;
  int threads;
};
const std::vector<HangSample>& hang_samples();
// GoogleTest names a parameter by this, not by its bytes.
inline void PrintTo(const HangSample& sample, std::ostream* os) { *os << sample.name; }

// Every thread of PID sleeps in the kernel (state S), and there are THREADS of them.
bool all_threads_asleep(pid_t pid, int threads);
// The state letters of PID's threads ("SSS"), empty when it is gone.
std::string thread_states(pid_t pid);


}  // namespace corelens::testing
