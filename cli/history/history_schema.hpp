// The crash history's schema version, and bringing a database up to it (history_schema.cpp says
// what each version holds).
#pragma once

#include "cli/history/sql_connection.hpp"

namespace corelens::cli::history {

inline constexpr int kSchemaVersion = 2;

// Creates the tables in an empty database, upgrades an older one in place, and refuses one
// written by a newer corelens. Returns the version the database had before.
Result<int> ensure_schema(SqlConnection& db);

}  // namespace corelens::cli::history
