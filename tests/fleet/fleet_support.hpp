// What the fleet tests share: the PostgreSQL server of the `postgres` fixture
// (postgres-server.sh), a fresh database per test, psql for looking behind corelens's back, and
// the sample cores split as the workers of a fleet would see them.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/samples.hpp"

namespace corelens::testing::fleet {

namespace fs = std::filesystem;
using Json = nlohmann::json;

inline const std::vector<std::string> kAlwaysBuilt = {
    "null_read",      "wild_write",        "readonly_write",   "assert_fail", "uncaught_exception", "stack_overflow",
    "divide_by_zero", "illegal_instruction", "threads_blocked", "inlined_o2", "heap_corruption",    "stack_smashing",
    "killed_by_signal", "null_call",       "null_member",      "uncaught_derived"};

// Shell quoting for the commands the tests build.
inline std::string q(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The superuser URL the fixture wrote; empty (and the test fails) when the server is not there.
inline std::string server_url() {
  std::ifstream in(std::string(CORELENS_FLEET_STATE) + "/url");
  std::string url;
  std::getline(in, url);
  return url;
}

// Runs SQL through psql as URL's user; returns the rows, '|'-separated, one a line.
inline std::string psql(const std::string& url, const std::string& sql, int* status = nullptr) {
  return run_command("psql -X -q -t -A -v ON_ERROR_STOP=1 " + q(url) + " -c " + q(sql) + " 2>&1", status);
}

// A new, empty database on the fixture's server, named after the test; its URL.
inline std::string fresh_database(const std::string& name) {
  std::string admin = server_url();
  EXPECT_FALSE(admin.empty()) << "no PostgreSQL server: the fleet.postgres_start fixture failed";
  if (admin.empty()) return "";
  psql(admin, "DROP DATABASE IF EXISTS " + name);
  int status = -1;
  std::string out = psql(admin, "CREATE DATABASE " + name, &status);
  EXPECT_EQ(status, 0) << out;
  return admin.substr(0, admin.rfind('/') + 1) + name;
}

inline std::string scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("corelens-fleet-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// Every sample core of both runs (the kernel's or gcore's "auto" set, and gdb's "gcore" set),
// linked into DIR as "METHOD-SAMPLE.core" so each file name says which dump it is.
inline std::vector<std::string> link_all_cores(const std::string& dir) {
  std::vector<std::string> out;
  for (const char* method : {"auto", "gcore"}) {
    for (const auto& s : kAlwaysBuilt) {
      std::string link = dir + "/" + method + "-" + s + ".core";
      fs::create_symlink(core_path(method, s), link);
      out.push_back(link);
    }
  }
  return out;
}

inline std::string join(const std::vector<std::string>& files) {
  std::string s;
  for (const auto& f : files) s += " " + q(f);
  return s;
}

inline std::string cli() { return CORELENS_CLI; }

inline Json parse_json(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text.substr(0, 2000);
  return j;
}

// `corelens triage --format json` over FILES on DB.
inline Json triage(const std::string& db, const std::vector<std::string>& files, int* status = nullptr,
                   const std::string& extra = "") {
  return parse_json(run_command(cli() + " triage --format json --no-progress --jobs 1 --db " + q(db) + extra +
                                    join(files) + " 2>/dev/null",
                                status));
}

// The part of a triage report that must not depend on timing: per group, its size, status,
// total and the dumps it counted.
struct GroupView {
  std::size_t count = 0, total = 0, counted = 0;
  std::string status;
  bool operator==(const GroupView&) const = default;
};
inline std::map<std::string, GroupView> groups_of(const Json& report) {
  std::map<std::string, GroupView> out;
  for (const auto& g : report["groups"]) {
    out[g["hash"].get<std::string>()] = GroupView{g["count"].get<std::size_t>(), g["total_count"].get<std::size_t>(),
                                                  g["counted"].get<std::size_t>(), g["status"].get<std::string>()};
  }
  return out;
}

// `corelens history --since all --format json`, per signature: total, per-day counts.
inline std::map<std::string, std::pair<std::int64_t, Json>> history_of(const std::string& db) {
  Json j = parse_json(run_command(cli() + " history --since all --format json --db " + q(db) + " 2>&1"));
  std::map<std::string, std::pair<std::int64_t, Json>> out;
  for (const auto& s : j["signatures"]) {
    out[s["hash"].get<std::string>()] = {s["total_count"].get<std::int64_t>(), s["per_day"]};
  }
  return out;
}

inline std::vector<std::string> history_targets() { return {"sqlite", "postgresql"}; }

}  // namespace corelens::testing::fleet
