// corelens triage: many dumps at once, each analysed in an isolated child process, grouped by
// crash signature, optionally remembered across runs in an SQLite database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/pipeline/session.hpp"

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
};
inline constexpr std::size_t kTriageCrashFrames = 32;

// The part of a Report a record carries, as a Report, for the CI report writers.
Report report_from_record(const TriageRecord& record);

struct RunnerOptions {
  unsigned jobs = 1;
  unsigned timeout_seconds = 120;      // wall clock per dump; CPU limit is the same
  std::uint64_t memory_limit_mib = 4096;  // RLIMIT_AS on top of the dump's own size
  bool progress = false;               // a progress line on stderr
  AnalyzeOptions analyze;
};

// Analyses every dump in its own child process, at most JOBS at a time. Results are in the
// order of DUMPS.
std::vector<TriageRecord> run_children(const std::vector<std::string>& dumps, const RunnerOptions& options);

std::string record_to_json(const TriageRecord& r);
std::optional<TriageRecord> record_from_json(const std::string& text);
TriageRecord record_from_report(const Report& report);

// --db: signatures seen in earlier runs.
struct KnownSignature {
  bool known = false;             // seen in an earlier run
  std::string first_seen, last_seen;
  std::int64_t total_count = 0;   // including this run
};
struct GroupForDb {
  std::string hash, readable, category, example;
  std::int64_t count = 0;
};
// Records this run's groups in the database at PATH and says which were known before.
Result<std::vector<KnownSignature>> update_signature_db(const std::string& path, const std::vector<GroupForDb>& groups);

}  // namespace corelens::cli
