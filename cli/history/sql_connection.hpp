// The crash history's one way to talk to a database: SQLite (a file, embedded: the default) or
// PostgreSQL (a server many machines share). The store (history_store.cpp) and the migrations
// (history_schema.cpp) are written once over this interface, with SQL both engines run as
// written: `$1` parameters (SQLite takes them as named parameters, bound here by name), TEXT and
// INTEGER columns, INSERT ... ON CONFLICT ... DO NOTHING RETURNING, CASE, substr, LIMIT. What
// differs between the engines (how a write transaction starts, how to ask whether a table
// exists) is a method of the connection, not an `if` in the queries.
//
// A connection is owned by one thread; nothing here is shared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/model/error.hpp"

namespace corelens::cli::history {

using SqlParam = std::variant<std::string, std::int64_t>;
using SqlValue = std::optional<std::string>;  // nullopt: SQL NULL; numbers come back as text
using SqlRow = std::vector<SqlValue>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  // Runs one statement with parameters $1, $2 ... and returns its rows (none for most writes).
  virtual Result<std::vector<SqlRow>> query(std::string_view sql, const std::vector<SqlParam>& params = {}) = 0;

  // A write transaction, serialised against the other writers where the engine needs it:
  // SQLite takes the file's write lock at once (BEGIN IMMEDIATE), so two processes never both
  // read and then fail to upgrade; PostgreSQL's row locks need nothing more than BEGIN.
  virtual Result<void> begin() = 0;
  // A transaction that also excludes every other schema change (creating or upgrading the
  // tables): SQLite's write lock is already exclusive; PostgreSQL takes an advisory lock held to
  // the end of the transaction, so two workers starting on an empty database do not both create.
  virtual Result<void> begin_schema_change() = 0;
  virtual Result<void> commit() = 0;
  // Never fails in a way the caller could act on: a rollback of a broken connection is a no-op.
  virtual void rollback() = 0;

  virtual Result<bool> table_exists(const std::string& name) = 0;

  // Where this is, for messages: a file name, or a URL without its password.
  virtual const std::string& where() const = 0;
};

// "postgresql://..." and "postgres://..." (libpq's connection URIs) open PostgreSQL; anything
// else is an SQLite file, created if missing.
bool is_postgres_url(std::string_view target);
Result<std::unique_ptr<SqlConnection>> open_sqlite(const std::string& path);
Result<std::unique_ptr<SqlConnection>> open_postgres(const std::string& url);
inline Result<std::unique_ptr<SqlConnection>> open_connection(const std::string& target) {
  return is_postgres_url(target) ? open_postgres(target) : open_sqlite(target);
}

// libpq's version, "15.18", for --version.
std::string libpq_version();

// The URL without a password (postgresql://user:secret@host/db -> postgresql://user@host/db).
std::string redact_url(const std::string& url);

// Rows hold numbers as text: the INTEGER of SQLite and the bigint of PostgreSQL alike.
std::int64_t as_int(const SqlValue& v);
inline std::string as_text(const SqlValue& v) { return v.value_or(std::string()); }

}  // namespace corelens::cli::history
