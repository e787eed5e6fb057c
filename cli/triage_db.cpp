// `corelens triage --db FILE`: an SQLite file that remembers every signature seen, so a batch can
// say which crashes are NEW and which are KNOWN, with first/last seen and a running count.
// SQLite (libsqlite3 from Debian) is embedded: nothing to start, one file to keep.
#include <sqlite3.h>

#include <ctime>
#include <memory>

#include "cli/triage.hpp"

namespace corelens::cli {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

unexpected<Error> db_error(sqlite3* db, const std::string& path, const std::string& what) {
  return fail(ErrorCode::io, path + ": " + what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

Result<Stmt> prepare(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) return db_error(db, path, "cannot prepare");
  return Stmt(s);
}

// Not named "bind": for a non-const std::string argument, argument-dependent lookup prefers
// std::bind (a better match than const&), which silently binds nothing.
void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), -1, SQLITE_TRANSIENT);
}

}  // namespace

Result<std::vector<KnownSignature>> update_signature_db(const std::string& path, const std::vector<GroupForDb>& groups) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return db_error(raw, path, "cannot open the database");
  sqlite3_busy_timeout(db.get(), 10000);  // two triage runs on one database wait for each other
  const char* schema =
      "CREATE TABLE IF NOT EXISTS signatures ("
      " hash TEXT PRIMARY KEY, readable TEXT NOT NULL, category TEXT NOT NULL,"
      " first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, total_count INTEGER NOT NULL,"
      " example TEXT NOT NULL);";
  if (sqlite3_exec(db.get(), schema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db_error(db.get(), path, "not a corelens triage database");
  }
  if (sqlite3_exec(db.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db_error(db.get(), path, "cannot start a transaction");
  }
  auto select = prepare(db.get(), path, "SELECT first_seen, total_count FROM signatures WHERE hash = ?1");
  auto insert = prepare(db.get(), path,
                        "INSERT INTO signatures (hash, readable, category, first_seen, last_seen, total_count, example)"
                        " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)");
  auto update = prepare(db.get(), path,
                        "UPDATE signatures SET last_seen = ?2, total_count = total_count + ?3 WHERE hash = ?1");
  if (!select) return unexpected(select.error());
  if (!insert) return unexpected(insert.error());
  if (!update) return unexpected(update.error());
  std::string now = now_utc();
  std::vector<KnownSignature> out;
  for (const auto& g : groups) {
    KnownSignature k;
    sqlite3_stmt* s = select->get();
    sqlite3_reset(s);
    bind_text(s, 1, g.hash);
    if (sqlite3_step(s) == SQLITE_ROW) {
      k.known = true;
      const unsigned char* first = sqlite3_column_text(s, 0);
      k.first_seen = first != nullptr ? reinterpret_cast<const char*>(first) : "";
      k.total_count = sqlite3_column_int64(s, 1) + g.count;
      sqlite3_stmt* u = update->get();
      sqlite3_reset(u);
      bind_text(u, 1, g.hash);
      bind_text(u, 2, now);
      sqlite3_bind_int64(u, 3, g.count);
      if (sqlite3_step(u) != SQLITE_DONE) return db_error(db.get(), path, "cannot update a signature");
    } else {
      k.first_seen = now;
      k.total_count = g.count;
      sqlite3_stmt* i = insert->get();
      sqlite3_reset(i);
      bind_text(i, 1, g.hash);
      bind_text(i, 2, g.readable);
      bind_text(i, 3, g.category);
      bind_text(i, 4, now);
      sqlite3_bind_int64(i, 5, g.count);
      bind_text(i, 6, g.example);
      if (sqlite3_step(i) != SQLITE_DONE) return db_error(db.get(), path, "cannot insert a signature");
    }
    k.last_seen = now;
    out.push_back(std::move(k));
  }
  if (sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db_error(db.get(), path, "cannot commit");
  }
  return out;
}

}  // namespace corelens::cli
