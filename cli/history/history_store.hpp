// The crash history: every dump counted once (by a SHA-256 key of its bytes,
// content_hash.hpp) under its crash
// signature, with first and last seen, shared by any number of workers on any number of
// machines (`--db FILE` for SQLite, `--db postgresql://...` for PostgreSQL).
//
// Exactness under concurrency comes from the database, not from the workers: each dump is one
// transaction that inserts the dump's row if its hash is new (ON CONFLICT DO NOTHING: a second
// worker with the same file waits for the first and then finds it), then inserts the signature
// if new (the one insert that succeeds is the one NEW) or adds one to its count. A worker killed
// mid-transaction leaves nothing: the server rolls it back, and a rerun counts the dump then.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/history/sql_connection.hpp"
#include "core/report/batch/history_report.hpp"

namespace corelens::cli::history {

// What the history keeps of one dump.
struct DumpFacts {
  std::string content_hash;  // content_key of the dump file
  std::string signature_hash, signature, category, severity, why;
  std::vector<std::string> top_frames;  // the crashing thread's first frames, "module!function"
  std::string path;
  std::string crashed_at;  // iso_utc of the core's time
};

struct Recorded {
  bool counted = false;        // false: these bytes were already in the history
  bool new_signature = false;  // this transaction inserted the signature: it says NEW
};

struct SignatureState {
  std::string first_seen, last_seen;
  std::int64_t total_count = 0;
};

// One signature as `corelens history` shows it (core/report/batch/history_report.hpp).
using corelens::SignatureHistory;

class HistoryStore {
 public:
  // Connects (a file, or postgresql://...) and creates or upgrades the schema.
  static Result<HistoryStore> open(const std::string& target);

  // One transaction: the dump, and its signature's count.
  Result<Recorded> record(const DumpFacts& dump);
  Result<std::optional<SignatureState>> signature(const std::string& hash);
  // Every signature last seen, or with a dump that crashed, at or after SINCE (ISO 8601; ""
  // for all), biggest in the window first.
  Result<std::vector<SignatureHistory>> read(const std::string& since);

  const std::string& where() const { return db_->where(); }
  int upgraded_from() const { return upgraded_from_; }

 private:
  explicit HistoryStore(std::unique_ptr<SqlConnection> db) : db_(std::move(db)) {}
  std::unique_ptr<SqlConnection> db_;
  std::string worker_;  // "HOST pid PID": who inserted a signature, who counted a dump
  std::string host_;
  int upgraded_from_ = 0;
};

// "2026-11-30T09:15:02Z" for a time in seconds or microseconds since the epoch.
std::string iso_utc_seconds(std::int64_t seconds);
inline std::string iso_utc_usec(std::int64_t usec) { return iso_utc_seconds(usec / 1000000); }
std::string iso_utc_now();

}  // namespace corelens::cli::history
