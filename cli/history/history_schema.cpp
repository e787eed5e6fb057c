// The crash history's tables, one schema for SQLite and PostgreSQL, and the migrations that bring
// an older database up to date in place.
//
// Versions:
//   1  corelens triage --db before the history existed: one table, `signatures`, and no version
//      table. Its counts summed each run's group sizes, so a dump triaged twice counted twice;
//      those totals are kept as they are (there is nothing to recount them from).
//   2  `corelens_schema` (the version), `dumps` (one row per dump, keyed by a SHA-256 of its
//      bytes: each dump counted once, whoever sees it and however often) and
//      `signatures.created_by` (the worker that inserted it, the one that said NEW).
//
// A database at the current version is used as it is: no DDL runs, so workers need only
// SELECT, INSERT and UPDATE. Creating or upgrading takes the schema lock (one worker upgrades,
// the others wait and then find it done) and needs the tables' ownership.
#include <string>
#include <vector>

#include "cli/history/history_schema.hpp"

namespace corelens::cli::history {
namespace {

struct Migration {
  int to_version;
  std::vector<const char*> statements;
};

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       {// Exactly what corelens triage --db created before version 2.
        "CREATE TABLE IF NOT EXISTS signatures ("
        " hash TEXT PRIMARY KEY, readable TEXT NOT NULL, category TEXT NOT NULL,"
        " first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, total_count INTEGER NOT NULL,"
        " example TEXT NOT NULL)"}},
      {2,
       {"ALTER TABLE signatures ADD COLUMN created_by TEXT NOT NULL DEFAULT ''",
        // Times are ISO 8601 in UTC ("2026-11-30T09:15:02Z"): they sort as text and their first
        // ten characters are the day, in both engines.
        "CREATE TABLE dumps ("
        " content_hash TEXT PRIMARY KEY,"  // content_key of the file as stored, in hex
        " signature TEXT NOT NULL,"        // signatures.hash
        " crashed_at TEXT NOT NULL,"       // the core's time (systemd's USEC, else its mtime)
        " recorded_at TEXT NOT NULL,"      // when a worker counted it
        " recorded_by TEXT NOT NULL,"      // "HOST pid PID"
        " host TEXT NOT NULL, path TEXT NOT NULL,"
        " category TEXT NOT NULL, severity TEXT NOT NULL, why TEXT NOT NULL,"
        " top_frames TEXT NOT NULL)",      // the crashing thread's first frames, one a line
        "CREATE INDEX dumps_by_signature ON dumps (signature, crashed_at)",
        "CREATE TABLE corelens_schema (version INTEGER NOT NULL)",
        "INSERT INTO corelens_schema (version) VALUES (2)"}},
  };
  return all;
}

// 0: empty; 1: the release before the version table; else what the table says.
Result<int> detect_version(SqlConnection& db) {
  auto has_version = db.table_exists("corelens_schema");
  if (!has_version) return unexpected(has_version.error());
  if (*has_version) {
    auto rows = db.query("SELECT max(version) FROM corelens_schema");
    if (!rows) return unexpected(rows.error());
    if (rows->empty() || rows->front().empty() || !rows->front()[0]) {
      return fail(ErrorCode::malformed, db.where() + ": corelens_schema holds no version");
    }
    return static_cast<int>(as_int(rows->front()[0]));
  }
  auto has_signatures = db.table_exists("signatures");
  if (!has_signatures) return unexpected(has_signatures.error());
  return *has_signatures ? 1 : 0;
}

Result<void> check_not_newer(SqlConnection& db, int version) {
  if (version > kSchemaVersion) {
    return fail(ErrorCode::unsupported, db.where() + ": the history was written by a newer corelens (schema " +
                                            std::to_string(version) + "; this one knows up to " +
                                            std::to_string(kSchemaVersion) + ")");
  }
  return {};
}

}  // namespace

Result<int> ensure_schema(SqlConnection& db) {
  auto version = detect_version(db);
  if (!version) return unexpected(version.error());
  if (auto newer = check_not_newer(db, *version); !newer) return unexpected(newer.error());
  if (*version == kSchemaVersion) return *version;

  if (auto b = db.begin_schema_change(); !b) return unexpected(b.error());
  auto upgrade = [&]() -> Result<int> {
    // Again under the lock: another worker may have done it while we waited.
    auto now = detect_version(db);
    if (!now) return unexpected(now.error());
    if (auto newer = check_not_newer(db, *now); !newer) return unexpected(newer.error());
    for (const auto& m : migrations()) {
      if (m.to_version <= *now) continue;
      for (const char* sql : m.statements) {
        auto r = db.query(sql);
        if (!r) {
          return fail(r.error().code, "cannot upgrade the history from schema " + std::to_string(*now) + " to " +
                                          std::to_string(m.to_version) + ": " + r.error().message);
        }
      }
    }
    auto set = db.query("UPDATE corelens_schema SET version = $1", {std::int64_t{kSchemaVersion}});
    if (!set) return unexpected(set.error());
    if (auto c = db.commit(); !c) return unexpected(c.error());
    return *now;
  };
  auto from = upgrade();
  if (!from) {
    db.rollback();
    return unexpected(from.error());
  }
  return *from;
}

}  // namespace corelens::cli::history
