// Many triage workers on one history (issue 19): four at once over disjoint sets of real sample
// cores (two runs of every sample program, so each signature is contested by two workers), then
// one over all of them, give the groups, statuses and counts that the same commands give run one
// after another on SQLite; two workers over the same files count each dump once; a worker killed
// with SIGKILL inside a dump's transaction leaves nothing of that dump, and a rerun completes the
// counts. On PostgreSQL (the `postgres` fixture's server) and, where it applies, on SQLite.
#include <chrono>
#include <thread>

#include "tests/fleet/fleet_support.hpp"

namespace corelens::testing::fleet {
namespace {

// Runs every command at once (a shell each), waits for all; their stdout and exit statuses.
std::vector<std::pair<std::string, int>> run_at_once(const std::vector<std::string>& commands, const std::string& dir) {
  std::string script;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    script += "(" + commands[i] + ") > " + dir + "/out" + std::to_string(i) + " 2>" + dir + "/err" + std::to_string(i) +
              " & p" + std::to_string(i) + "=$!\n";
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    script += "wait $p" + std::to_string(i) + "; echo $? > " + dir + "/status" + std::to_string(i) + "\n";
  }
  run_command("bash -c " + q(script));
  std::vector<std::pair<std::string, int>> out;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    out.emplace_back(read_text_file(dir + "/out" + std::to_string(i)),
                     std::stoi("0" + read_text_file(dir + "/status" + std::to_string(i))));
  }
  return out;
}

std::string triage_command(const std::string& db, const std::vector<std::string>& files) {
  return cli() + " triage --format json --no-progress --jobs 1 --db " + q(db) + join(files);
}

// Worker K of 4: the kernel's cores (K = 0, 1) or gdb's (K = 2, 3) of every other sample, so
// workers 0 and 2 (and 1 and 3) race for the same signatures with different dumps.
std::vector<std::vector<std::string>> split_for_workers(const std::vector<std::string>& all) {
  std::vector<std::vector<std::string>> sets(4);
  std::size_t per_run = kAlwaysBuilt.size();
  for (std::size_t i = 0; i < all.size(); ++i) sets[(i / per_run) * 2 + (i % per_run) % 2].push_back(all[i]);
  return sets;
}

// Per signature, how many of the workers' reports say NEW.
std::map<std::string, int> new_counts(const std::vector<Json>& reports) {
  std::map<std::string, int> out;
  for (const auto& r : reports) {
    for (const auto& g : r["groups"]) out[g["hash"].get<std::string>()] += g["status"] == "NEW" ? 1 : 0;
  }
  return out;
}

TEST(FleetWorkers, FourAtOnceOnPostgresEqualOneAfterAnotherOnSqlite) {
  std::string dir = scratch("four");
  std::vector<std::string> all = link_all_cores(dir);
  auto sets = split_for_workers(all);
  std::string pg = fresh_database("fleet_four");
  ASSERT_FALSE(pg.empty());
  std::string lite = dir + "/history.sqlite";

  // The reference: the same four commands, one after another, on SQLite.
  std::vector<Json> sequential;
  for (const auto& set : sets) {
    int status = -1;
    sequential.push_back(parse_json(run_command(triage_command(lite, set) + " 2>/dev/null", &status)));
    EXPECT_EQ(status, 0);
  }
  // Opened once first, so the four start on a database whose tables exist (creating them at
  // once is tested below by the two workers on an empty database).
  ASSERT_EQ(parse_json(run_command(cli() + " history --format json --db " + q(pg))).value("signatures", Json()).size(), 0u);
  std::vector<std::string> commands;
  for (const auto& set : sets) commands.push_back(triage_command(pg, set));
  std::vector<Json> concurrent;
  for (const auto& [out, status] : run_at_once(commands, dir)) {
    EXPECT_EQ(status, 0) << out;
    concurrent.push_back(parse_json(out));
  }

  for (std::size_t w = 0; w < sets.size(); ++w) {
    // Each worker's groups and their sizes do not depend on the others ...
    std::map<std::string, std::size_t> a, b;
    for (const auto& g : concurrent[w]["groups"]) a[g["hash"]] = g["count"];
    for (const auto& g : sequential[w]["groups"]) b[g["hash"]] = g["count"];
    EXPECT_EQ(a, b) << "worker " << w;
    // ... and every dump was new to the history.
    for (const auto& g : concurrent[w]["groups"]) EXPECT_EQ(g["counted"], g["count"]) << g["signature"];
  }
  // Which worker said NEW depends on who won the race; that exactly one did does not.
  auto concurrent_new = new_counts(concurrent), sequential_new = new_counts(sequential);
  ASSERT_EQ(concurrent_new.size(), kAlwaysBuilt.size());
  for (const auto& [hash, n] : concurrent_new) EXPECT_EQ(n, 1) << hash << " said NEW by " << n << " workers";
  EXPECT_EQ(concurrent_new, sequential_new);

  // Then one over everything: all KNOWN, nothing counted again, the same totals on both.
  int s1 = -1, s2 = -1;
  Json final_pg = triage(pg, all, &s1), final_lite = triage(lite, all, &s2);
  EXPECT_EQ(s1, 0);
  EXPECT_EQ(s2, 0);
  auto pg_groups = groups_of(final_pg), lite_groups = groups_of(final_lite);
  EXPECT_EQ(pg_groups, lite_groups);
  ASSERT_EQ(pg_groups.size(), kAlwaysBuilt.size());
  for (const auto& [hash, g] : pg_groups) {
    EXPECT_EQ(g.status, "KNOWN") << hash;
    EXPECT_EQ(g.count, 2u) << hash;
    EXPECT_EQ(g.total, 2u) << hash;  // the kernel's core and gdb's, once each
    EXPECT_EQ(g.counted, 0u) << hash;
  }
  EXPECT_EQ(history_of(pg), history_of(lite));
  // Behind corelens's back: one row per dump, one per signature, each created by one worker.
  EXPECT_EQ(psql(pg, "SELECT count(*) FROM dumps"), std::to_string(all.size()) + "\n");
  EXPECT_EQ(psql(pg, "SELECT count(*), sum(total_count) FROM signatures"),
            std::to_string(kAlwaysBuilt.size()) + "|" + std::to_string(all.size()) + "\n");
  EXPECT_EQ(psql(pg, "SELECT count(*) FROM signatures WHERE created_by NOT LIKE '% pid %'"), "0\n");
  fs::remove_all(dir);
}

TEST(FleetWorkers, TwoWorkersOnTheSameFilesOfAnEmptyDatabaseCountEachDumpOnce) {
  std::string dir = scratch("same");
  std::vector<std::string> all = link_all_cores(dir);
  std::string pg = fresh_database("fleet_same");
  ASSERT_FALSE(pg.empty());
  // Both create the schema at once (the schema lock makes one wait), then race dump by dump.
  std::vector<std::string> reversed(all.rbegin(), all.rend());
  auto results = run_at_once({triage_command(pg, all), triage_command(pg, reversed)}, dir);
  std::vector<Json> reports;
  for (const auto& [out, status] : results) {
    EXPECT_EQ(status, 0) << out;
    reports.push_back(parse_json(out));
  }
  std::map<std::string, std::size_t> counted;
  for (const auto& r : reports) {
    for (const auto& g : r["groups"]) counted[g["hash"]] += g["counted"].get<std::size_t>();
  }
  ASSERT_EQ(counted.size(), kAlwaysBuilt.size());
  for (const auto& [hash, n] : counted) EXPECT_EQ(n, 2u) << hash << ": each of its two dumps once, by either worker";
  for (const auto& [hash, n] : new_counts(reports)) EXPECT_EQ(n, 1) << hash;
  EXPECT_EQ(psql(pg, "SELECT version FROM corelens_schema"), "2\n");
  EXPECT_EQ(psql(pg, "SELECT count(*) FROM dumps"), std::to_string(all.size()) + "\n");
  fs::remove_all(dir);
}

// Waits (bounded) until CONDITION holds; false if it never did.
template <typename F>
bool eventually(F condition, int seconds = 120) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class KilledWorker : public ::testing::TestWithParam<std::string> {};

TEST_P(KilledWorker, LeavesNothingHalfWrittenAndARerunCompletesTheCounts) {
  const bool postgres = GetParam() == "postgresql";
  std::string dir = scratch("killed-" + GetParam());
  std::vector<std::string> all = link_all_cores(dir);
  std::string db = postgres ? fresh_database("fleet_killed") : dir + "/history.sqlite";
  ASSERT_FALSE(db.empty());
  // The worker stops for good inside the transaction of its sixth dump, after that dump's row
  // and before its signature's count (CORELENS_TEST_DB_STALL): killed there, nothing of it may stay.
  const std::size_t stalled = 5;
  std::string marker = dir + "/worker.pid";
  std::string log = dir + "/worker.err";
  run_command("CORELENS_TEST_DB_STALL=" + q(fs::path(all[stalled]).filename().string()) + " " +
              triage_command(db, all) + " > /dev/null 2> " + q(log) + " & echo $! > " + q(marker));
  pid_t pid = static_cast<pid_t>(std::stol("0" + read_text_file(marker)));
  ASSERT_GT(pid, 0);
  // The worker says when it stalls; then PostgreSQL shows its open transaction, and SQLite the
  // rollback journal beside the file.
  bool said = eventually([&] { return read_text_file(log).find("corelens: stalled inside") != std::string::npos; });
  auto in_transaction = [&] {
    if (postgres) {
      return psql(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'corelens' AND "
                      "datname = 'fleet_killed' AND state = 'idle in transaction'") == "1\n";
    }
    return fs::exists(db + "-journal");
  };
  bool stalled_in_transaction = said && eventually(in_transaction, 10);
  ::kill(pid, SIGKILL);
  ASSERT_TRUE(said) << "the worker never reached the stalled dump: " << read_text_file(log);
  ASSERT_TRUE(stalled_in_transaction) << "the stalled worker holds no open transaction";
  ASSERT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; }, 10)) << "the killed worker is still there";
  if (postgres) {  // the server rolls back when it notices the connection is gone
    ASSERT_TRUE(eventually([&] { return !in_transaction(); }, 30));
  }

  // The five dumps before it are counted, the sixth not at all.
  Json partial = parse_json(run_command(cli() + " history --since all --format json --db " + q(db)));
  std::int64_t total = 0;
  for (const auto& s : partial["signatures"]) total += s["total_count"].get<std::int64_t>();
  EXPECT_EQ(total, static_cast<std::int64_t>(stalled));

  // The rerun counts the rest, and the totals are those of one uninterrupted run.
  int status = -1;
  Json rerun = triage(db, all, &status);
  EXPECT_EQ(status, 0);
  std::size_t counted = 0;
  for (const auto& [hash, g] : groups_of(rerun)) {
    EXPECT_EQ(g.total, 2u) << hash;
    counted += g.counted;
  }
  EXPECT_EQ(counted, all.size() - stalled);
  std::string reference = dir + "/reference.sqlite";
  triage(reference, all);
  EXPECT_EQ(history_of(db), history_of(reference));
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Engines, KilledWorker, ::testing::ValuesIn(history_targets()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace corelens::testing::fleet
