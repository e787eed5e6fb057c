// Reports on many dumps at once: the crashes `corelens run` caught and `corelens collect` found,
// grouped by signature, for people and for CI; and the signature table of `corelens triage`.
// This is their model; each format has its files beside it (batch_text, batch_json,
// batch_markdown, junit_report, sarif_report, github_report). No memory contents and no
// environment are shown in any of them: CI logs are often public.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/report.hpp"

namespace corelens {

struct CrashCase {
  std::string origin;  // "null_read (pid 1234)", or the core's file name
  std::string core;    // the core file (it may be gone when the run kept none)
  std::optional<Report> report;
  std::string error;   // the core could not be written or analysed
};

struct CrashGroup {
  std::string key;                   // the signature hash (or the fallback's)
  std::string signature;             // readable signature
  std::vector<std::size_t> members;  // indexes into the cases, in their order
};

// Grouping: the crash signature of core/analysis (report.analysis->signature) when the analysis
// made one; otherwise fallback_signature(). Groups in order of first appearance.
std::vector<CrashGroup> group_crashes(const std::vector<CrashCase>& cases);
// For reports without a signature: the signal and the crashing thread's first three functions.
// Cases without a report group by their error.
std::string fallback_signature(const CrashCase& c);

struct CiReportOptions {
  std::string source_root;    // the project's sources: frames under it locate a crash; "" = cwd
  bool redact_command_lines = false;
};

// corelens triage's table: one entry per crash signature, biggest group first, and the dumps
// that could not be analysed.
struct TriageEntry {
  std::string hash, readable;  // the signature
  std::string category, severity, why;
  std::string example;                   // the first dump with this signature
  std::vector<std::string> top_frames;   // the example's crashing thread, "module!function"
  std::vector<ThreadGroup> thread_groups;
  std::vector<std::string> dumps;        // every dump with this signature, the example first
  // --db: what the crash history says of this signature after this run.
  struct History {
    bool known = false;  // this run did not insert the signature (another run or worker did)
    std::string first_seen, last_seen;
    std::int64_t total_count = 0;  // every dump counted, this run's included
    std::int64_t counted = 0;      // this run's dumps of the group that were not in the history yet
  };
  std::optional<History> history;
};
struct TriageFailure {
  std::string dump;
  std::string status;  // error (not a dump ...) | analyzer-crashed | analyzer-timeout
  std::string error;   // why
};
struct TriageTable {
  std::size_t dumps = 0;  // every dump given, analysed or not
  std::vector<TriageEntry> groups;
  std::vector<TriageFailure> failed;
};

}  // namespace corelens
