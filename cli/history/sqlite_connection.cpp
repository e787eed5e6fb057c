// SqlConnection over an SQLite file (libsqlite3 from Debian): embedded, nothing to start, one file
// to keep. Several processes on one machine may share the file: each write transaction takes the
// file's write lock at its start and the others wait for it (the busy timeout).
#include <sqlite3.h>

#include <charconv>
#include <cstring>

#include "cli/history/sql_connection.hpp"

namespace corelens::cli::history {
namespace {

// How long a writer waits for another one's transaction. Each transaction is one dump's few
// rows, so a long wait means a stuck process, not a busy one.
constexpr int kBusyTimeoutMs = 60000;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override { sqlite3_close(db_); }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<std::vector<SqlRow>> query(std::string_view sql, const std::vector<SqlParam>& params) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK) {
      return failure("cannot prepare a statement");
    }
    Stmt stmt(raw);
    if (stmt == nullptr) return std::vector<SqlRow>{};  // only a comment or white space
    // Parameters are written $1, $2 ... as PostgreSQL wants them; SQLite sees named
    // parameters "$1" ... numbered in order of first use, so bind each by its name's number.
    int count = sqlite3_bind_parameter_count(raw);
    for (int i = 1; i <= count; ++i) {
      const char* name = sqlite3_bind_parameter_name(raw, i);
      std::size_t n = 0;
      if (name == nullptr || name[0] != '$' ||
          std::from_chars(name + 1, name + std::strlen(name), n).ec != std::errc() || n == 0 || n > params.size()) {
        return fail(ErrorCode::internal, path_ + ": statement parameter " + std::to_string(i) + " has no value");
      }
      const SqlParam& p = params[n - 1];
      int rc = std::holds_alternative<std::int64_t>(p)
                   ? sqlite3_bind_int64(raw, i, std::get<std::int64_t>(p))
                   : sqlite3_bind_text(raw, i, std::get<std::string>(p).data(),
                                       static_cast<int>(std::get<std::string>(p).size()), SQLITE_TRANSIENT);
      if (rc != SQLITE_OK) return failure("cannot bind a parameter");
    }
    std::vector<SqlRow> rows;
    for (;;) {
      int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return failure("statement failed");
      SqlRow row;
      int columns = sqlite3_column_count(raw);
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(raw, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
          continue;
        }
        const unsigned char* text = sqlite3_column_text(raw, c);
        int bytes = sqlite3_column_bytes(raw, c);
        row.emplace_back(std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes)));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<void> begin() override { return exec("BEGIN IMMEDIATE", "cannot start a transaction"); }
  Result<void> begin_schema_change() override { return begin(); }
  Result<void> commit() override { return exec("COMMIT", "cannot commit"); }
  void rollback() override {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  Result<bool> table_exists(const std::string& name) override {
    auto rows = query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", {name});
    if (!rows) return unexpected(rows.error());
    return !rows->empty();
  }

  const std::string& where() const override { return path_; }

 private:
  unexpected<Error> failure(const std::string& what) const {
    return fail(ErrorCode::io, path_ + ": " + what + ": " + sqlite3_errmsg(db_));
  }
  Result<void> exec(const char* sql, const char* what) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return failure(what);
    return {};
  }

  sqlite3* db_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> open_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return fail(ErrorCode::io, path + ": cannot open the database: " + why);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto connection = std::make_unique<SqliteConnection>(db, path);
  // A file that is not SQLite at all opens fine and fails at the first read: say so now.
  auto probe = connection->query("SELECT count(*) FROM sqlite_master", {});
  if (!probe) return fail(ErrorCode::io, path + ": not an SQLite database (" + probe.error().message + ")");
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

bool is_postgres_url(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

std::int64_t as_int(const SqlValue& v) {
  std::int64_t n = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), n);
  return n;
}

}  // namespace corelens::cli::history
