// SqlConnection over PostgreSQL with libpq, PostgreSQL's own C client library (Debian's libpq5).
// libpq rather than libpqxx: libpqxx reports every error by throwing, and our errors are values
// (std::expected) that never cross a library boundary as exceptions; the few calls we need
// (connect, PQexecParams with text parameters, status, error text) are as short in C as in the
// wrapper, and libpq5 is what every PostgreSQL client on Debian already has, with a stable ABI.
//
// Parameters go as text and their types are inferred by the server from the statement (an
// INTEGER column, `total_count + $3`), so one SQL text serves SQLite and PostgreSQL.
#include <libpq-fe.h>

#include "cli/history/sql_connection.hpp"

namespace corelens::cli::history {
namespace {

struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultClear>;

// The advisory lock key that serialises schema changes between workers: "corelens" in ASCII.
constexpr const char* kSchemaLockSql = "SELECT pg_advisory_xact_lock(7165071312105598579)";

// No NOTICEs on stderr ("relation ... already exists, skipping" and the like).
void ignore_notice(void*, const char*) {}

class PostgresConnection final : public SqlConnection {
 public:
  PostgresConnection(PGconn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Result<std::vector<SqlRow>> query(std::string_view sql, const std::vector<SqlParam>& params) override {
    std::vector<std::string> texts;
    texts.reserve(params.size());
    for (const auto& p : params) {
      texts.push_back(std::holds_alternative<std::int64_t>(p) ? std::to_string(std::get<std::int64_t>(p))
                                                                : std::get<std::string>(p));
    }
    std::vector<const char*> values;
    for (const auto& t : texts) values.push_back(t.c_str());
    std::string statement(sql);
    PgResult result(PQexecParams(conn_, statement.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.empty() ? nullptr : values.data(), nullptr, nullptr, 0));
    ExecStatusType status = result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(result.get());
    std::vector<SqlRow> rows;
    int n = PQntuples(result.get()), columns = PQnfields(result.get());
    rows.reserve(static_cast<std::size_t>(n));
    for (int r = 0; r < n; ++r) {
      SqlRow row;
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result.get(), r, c)) row.emplace_back(std::nullopt);
        else row.emplace_back(std::string(PQgetvalue(result.get(), r, c), static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<void> begin() override { return exec("BEGIN"); }
  Result<void> begin_schema_change() override {
    if (auto b = exec("BEGIN"); !b) return b;
    if (auto lock = exec(kSchemaLockSql); !lock) {
      rollback();
      return lock;
    }
    return {};
  }
  Result<void> commit() override { return exec("COMMIT"); }
  void rollback() override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PgResult(PQexec(conn_, "ROLLBACK"));
  }

  Result<bool> table_exists(const std::string& name) override {
    // A plain query of the catalog, whatever our privileges on the table. Not to_regclass():
    // it reads the backend's catalog cache, which does not yet know of a table another worker
    // created while we waited for the schema lock (an advisory lock brings no cache refresh),
    // where this statement's own snapshot, taken after the lock, sees it.
    auto rows = query("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = $1",
                      {name});
    if (!rows) return unexpected(rows.error());
    return !rows->empty() && rows->front().size() == 1 && as_int(rows->front()[0]) > 0;
  }

  const std::string& where() const override { return where_; }

 private:
  Result<void> exec(const char* sql) {
    auto r = query(sql, {});
    if (!r) return unexpected(r.error());
    return {};
  }

  unexpected<Error> failure(const PGresult* result) const {
    std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
    if (message.empty()) message = PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    // 42501: insufficient privilege. Say which grants are missing rather than leave the user
    // with "permission denied for table signatures".
    if (state != nullptr && std::string_view(state) == "42501") {
      message += " (the database user needs SELECT, INSERT and UPDATE on corelens's tables, and to create or "
                 "upgrade them, their ownership: see the user guide, 'Many machines')";
    }
    return fail(ErrorCode::io, where_ + ": " + message);
  }

  PGconn* conn_;
  std::string where_;
};

}  // namespace

std::string libpq_version() {
  int v = PQlibVersion();  // 150018 for 15.18 (major * 10000 + minor since PostgreSQL 10)
  return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
}

std::string redact_url(const std::string& url) {
  std::string out = url;
  std::size_t scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  std::size_t start = scheme + 3;
  std::size_t end = out.find_first_of("/?", start);
  std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
  if (at != std::string::npos && at >= start) {
    std::size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
  }
  // password=... among the query parameters.
  for (std::size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
    std::size_t value = p + 9, stop = out.find('&', value);
    out.replace(value, (stop == std::string::npos ? out.size() : stop) - value, "***");
  }
  return out;
}

Result<std::unique_ptr<SqlConnection>> open_postgres(const std::string& url) {
  std::string where = redact_url(url);
  // connect_timeout and application_name first: expand_dbname lets the URL's own settings
  // override them.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"15", "corelens", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) return fail(ErrorCode::io, where + ": cannot connect: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    PQfinish(conn);
    return fail(ErrorCode::io, where + ": cannot connect: " + message);
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  return std::unique_ptr<SqlConnection>(std::make_unique<PostgresConnection>(conn, where));
}

}  // namespace corelens::cli::history
