// corelens triage: many dumps at once, each analysed in an isolated child process, grouped by
// crash signature, optionally remembered across runs in an SQLite database.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/history/recorder.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::cli {

int run_triage(const std::vector<std::string>& argv);

// What one child reports about one dump: a summary of its Report, sent as JSON over a pipe.
struct TriageRecord {
  std::string dump;
  std::string status = "ok";  // ok | error (not a dump ...) | analyzer-crashed | analyzer-timeout
  std::string error;          // why, for anything but ok
  std::string category, severity, why, signal;
  CrashSignature signature;
  std::vector<std::string> top_frames;  // the crashing thread's first frames, "module!function"
  std::vector<ThreadGroup> thread_groups;
  std::size_t threads = 0;
  // For the CI reports (--junit, --sarif ...): the process, the classification's message, and
  // the crashing thread's first frames with their source lines (no registers, no memory).
  std::string process_name, command_line, message;
  std::vector<Frame> crash_frames;
  std::string content_hash;  // --db: the SHA-256 of the dump file (cli/history/content_hash.hpp)
};
inline constexpr std::size_t kTriageCrashFrames = 32;

// The part of a Report a record carries, as a Report, for the CI report writers.
Report report_from_record(const TriageRecord& record);

struct RunnerOptions {
  unsigned jobs = 1;
  unsigned timeout_seconds = 120;      // wall clock per dump; CPU limit is the same
  std::uint64_t memory_limit_mib = 4096;  // RLIMIT_AS on top of the dump's own size
  bool progress = false;               // a progress line on stderr
  bool content_hash = false;           // each child also hashes its dump (for --db)
  AnalyzeOptions analyze;
  // Called in the parent as each dump's result arrives (--db records it at once, so a run
  // killed half-way has recorded every dump it finished).
  std::function<void(const TriageRecord&)> on_result;
};

// Analyses every dump in its own child process, at most JOBS at a time. Results are in the
// order of DUMPS.
std::vector<TriageRecord> run_children(const std::vector<std::string>& dumps, const RunnerOptions& options);

std::string record_to_json(const TriageRecord& r);
std::optional<TriageRecord> record_from_json(const std::string& text);
TriageRecord record_from_report(const Report& report);

// --db: what the crash history says of a group after this run.
struct KnownSignature {
  bool known = false;             // this run did not insert the signature (another run or worker did)
  std::string first_seen, last_seen;
  std::int64_t total_count = 0;   // every dump counted, this run's included
  std::int64_t counted = 0;       // this run's dumps of the group that were not in the history yet
};
// A crash group of a triage run: its dumps, in the order found.
struct TriageGroup {
  std::string hash;
  std::vector<const TriageRecord*> members;
  KnownSignature db;
  bool has_db = false;
};

// The --html page of a run (cli/triage_html.cpp): with a history, its crashes per day over the
// last 30 days; without, this run's dumps by the day they crashed.
Result<std::string> triage_page(const std::vector<TriageGroup>& groups, const std::vector<const TriageRecord*>& failed,
                                std::size_t total, history::Recorder* recorder);

// The facts the history keeps of a triaged dump.
history::DumpFacts facts_from_record(const TriageRecord& r);
// A frame as the HTML page's stacks show it: "module!function  file:line".
std::string frame_line(const Frame& f);

}  // namespace corelens::cli
