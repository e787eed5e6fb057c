// The crash history's schema and what it keeps: a database written by the release before the
// history (schema 1, tests/fleet/data/schema1-release.sqlite, made by that release's corelens
// triage --db) is upgraded in place on SQLite and PostgreSQL; a newer one is refused; the grants
// the user guide lists are enough for a worker and a reader, and their absence is explained;
// crashes per day come from the cores' times; collect and run record too; the SHA-256 is
// sha256sum's and the content key hashlib's, holes or not.
#include "cli/history/content_hash.hpp"
#include "tests/fleet/fleet_support.hpp"

namespace corelens::testing::fleet {
namespace {

const std::string kRelease = std::string(CORELENS_FLEET_DATA) + "/schema1-release.sqlite";

// What the release's file holds (sqlite3 ... 'SELECT hash, total_count FROM signatures'): it
// triaged null_read, assert_fail and divide_by_zero, then null_read again and wild_write.
const std::map<std::string, std::int64_t> kReleaseCounts = {
    {"c381525d850629a0", 2}, {"01eb924eb2e05875", 1}, {"e57849dc5cc503da", 1}, {"da46971f1c5fc992", 1}};
const std::string kNullRead = "c381525d850629a0", kWildWrite = "da46971f1c5fc992";

// The release's table and rows in a fresh PostgreSQL database, as that release would have made
// them had it spoken PostgreSQL: the same CREATE TABLE, the same rows.
std::string postgres_copy_of_release() {
  std::string db = fresh_database("fleet_release");
  if (db.empty()) return db;
  std::string rows = run_command("python3 -c " + q("import sqlite3, sys\n"
                                                   "c = sqlite3.connect(sys.argv[1])\n"
                                                   "for r in c.execute('SELECT * FROM signatures'):\n"
                                                   "    print('(' + ', '.join(\"'\" + str(v).replace(\"'\", \"''\") + \"'\" "
                                                   "for v in r) + ')')\n") +
                                 " " + q(kRelease));
  std::string values;
  std::istringstream lines(rows);
  for (std::string line; std::getline(lines, line);) values += (values.empty() ? "" : ", ") + line;
  int status = -1;
  std::string out = psql(db,
                         "CREATE TABLE signatures ( hash TEXT PRIMARY KEY, readable TEXT NOT NULL, category TEXT NOT "
                         "NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, total_count INTEGER NOT NULL, example "
                         "TEXT NOT NULL); INSERT INTO signatures VALUES " +
                             values,
                         &status);
  EXPECT_EQ(status, 0) << out;
  return db;
}

class Migration : public ::testing::TestWithParam<std::string> {};

TEST_P(Migration, ReleaseDatabaseIsUpgradedInPlaceAndKeepsItsCounts) {
  std::string dir = scratch("migrate-" + GetParam());
  std::string db;
  if (GetParam() == "postgresql") {
    db = postgres_copy_of_release();
  } else {
    db = dir + "/release.sqlite";
    fs::copy_file(kRelease, db);
  }
  ASSERT_FALSE(db.empty());
  auto before = history_of(db);  // opening it upgrades it
  ASSERT_EQ(before.size(), kReleaseCounts.size());
  for (const auto& [hash, count] : kReleaseCounts) EXPECT_EQ(before[hash].first, count) << hash;

  // Known signatures stay KNOWN with their first seen and their old counts; the dumps now count
  // once each on top of them (schema 1 kept no dumps, so nothing tells that these were seen).
  fs::create_symlink(core_path("auto", "null_read"), dir + "/a.core");
  fs::create_symlink(core_path("gcore", "null_read"), dir + "/b.core");
  fs::create_symlink(core_path("auto", "wild_write"), dir + "/c.core");
  fs::create_symlink(core_path("auto", "null_call"), dir + "/d.core");
  int status = -1;
  auto groups = groups_of(triage(db, {dir + "/a.core", dir + "/b.core", dir + "/c.core", dir + "/d.core"}, &status));
  EXPECT_EQ(status, 0);
  EXPECT_EQ(groups[kNullRead], (GroupView{2, 4, 2, "KNOWN"}));
  EXPECT_EQ(groups[kWildWrite], (GroupView{1, 2, 1, "KNOWN"}));
  ASSERT_EQ(groups.size(), 3u);
  for (const auto& [hash, g] : groups) {
    if (hash != kNullRead && hash != kWildWrite) {
      EXPECT_EQ(g, (GroupView{1, 1, 1, "NEW"}));
    }
  }
  Json text = parse_json(run_command(cli() + " history --since all --format json --db " + q(db)));
  for (const auto& s : text["signatures"]) {
    if (s["hash"] == "01eb924eb2e05875") {  // only in the release's file: its path, no frames
      EXPECT_EQ(s["first_seen"], "2026-12-03T05:47:04Z");
      EXPECT_NE(s["example"]["path"].get<std::string>().find("assert_fail.core"), std::string::npos);
      EXPECT_TRUE(s["per_day"].empty());
    }
  }
  // A second open finds the current version and changes nothing.
  EXPECT_EQ(history_of(db).size(), 5u);
  fs::remove_all(dir);
}

TEST_P(Migration, NewerSchemaIsRefused) {
  std::string dir = scratch("newer-" + GetParam());
  std::string db = GetParam() == "postgresql" ? fresh_database("fleet_newer") : dir + "/h.sqlite";
  ASSERT_FALSE(db.empty());
  history_of(db);
  if (GetParam() == "postgresql") {
    psql(db, "UPDATE corelens_schema SET version = 99");
  } else {
    run_command("python3 -c " + q("import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n"
                                  "c.execute('UPDATE corelens_schema SET version = 99')\nc.commit()") +
                " " + q(db));
  }
  int status = -1;
  std::string err = run_command(cli() + " triage --no-progress --db " + q(db) + " " + q(core_path("auto", "null_read")) +
                                    " 2>&1 >/dev/null",
                                &status);
  EXPECT_EQ(status, 66);
  EXPECT_NE(err.find("written by a newer corelens (schema 99; this one knows up to 2)"), std::string::npos) << err;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Engines, Migration, ::testing::ValuesIn(history_targets()),
                         [](const auto& param_info) { return param_info.param; });

TEST(FleetGrants, TheUserGuidesGrantsAreEnoughAndTheirAbsenceIsExplained) {
  std::string owner = fresh_database("fleet_grants");
  ASSERT_FALSE(owner.empty());
  std::string base = owner.substr(0, owner.find("postgres@")) ;
  std::string host_db = owner.substr(owner.find('@'));
  auto as = [&](const std::string& role) { return base + role + host_db; };
  // The user guide's statements ("Many machines"), with the test's superuser as corelens_owner.
  int status = -1;
  std::string out = psql(owner,
                         "DROP ROLE IF EXISTS corelens_worker; DROP ROLE IF EXISTS corelens_reader;"
                         "CREATE ROLE corelens_worker LOGIN; CREATE ROLE corelens_reader LOGIN;"
                         "GRANT CONNECT ON DATABASE fleet_grants TO corelens_worker, corelens_reader;"
                         "GRANT USAGE ON SCHEMA public TO corelens_worker, corelens_reader;"
                         "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES TO "
                         "corelens_worker;"
                         "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO "
                         "corelens_reader;",
                         &status);
  ASSERT_EQ(status, 0) << out;
  // Before the owner created the tables, a worker cannot, and says what it needs.
  std::string err = run_command(cli() + " triage --no-progress --db " + q(as("corelens_worker")) + " " +
                                    q(core_path("auto", "null_read")) + " 2>&1 >/dev/null",
                                &status);
  EXPECT_EQ(status, 66);
  EXPECT_NE(err.find("permission denied"), std::string::npos) << err;
  EXPECT_NE(err.find("the database user needs SELECT, INSERT and UPDATE"), std::string::npos) << err;

  EXPECT_TRUE(history_of(owner).empty());  // the owner's first run creates the tables
  Json worker = triage(as("corelens_worker"), {core_path("auto", "null_read"), core_path("gcore", "null_read")}, &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(groups_of(worker)[kNullRead], (GroupView{2, 2, 2, "NEW"}));
  auto seen = history_of(as("corelens_reader"));
  EXPECT_EQ(seen[kNullRead].first, 2);
  // The reader may look, not write.
  err = run_command(cli() + " triage --no-progress --db " + q(as("corelens_reader")) + " " +
                        q(core_path("auto", "wild_write")) + " 2>&1 >/dev/null",
                    &status);
  EXPECT_EQ(status, 66);
  EXPECT_NE(err.find("permission denied for table dumps"), std::string::npos) << err;
}

TEST(FleetHistory, CrashesPerDayComeFromTheCoresTimesAndSinceLimitsThem) {
  std::string dir = scratch("days");
  // Copies (a copy has the original's bytes, and so its key: a fresh history each time).
  const std::vector<std::pair<std::string, std::string>> cores = {
      {"null_read", "3 days ago"}, {"null_read", "1 hour ago"}, {"wild_write", "10 days ago"}};
  std::vector<std::string> files;
  for (std::size_t i = 0; i < cores.size(); ++i) {
    std::string file = dir + "/" + std::to_string(i) + ".core";
    fs::copy_file(core_path(i == 1 ? "gcore" : "auto", cores[i].first), file);
    run_command("touch -d " + q(cores[i].second) + " " + q(file));
    files.push_back(file);
  }
  std::string db = dir + "/h.sqlite";
  triage(db, files);
  auto day = [](const std::string& ago) { return run_command("date -u -d " + q(ago) + " +%F").substr(0, 10); };
  auto all = history_of(db);
  Json expected_null = Json::object();
  expected_null[day("3 days ago")] = 1;
  expected_null[day("1 hour ago")] = day("3 days ago") == day("1 hour ago") ? 2 : 1;
  EXPECT_EQ(all[kNullRead].second, expected_null);
  EXPECT_EQ(all[kWildWrite].second, (Json{{day("10 days ago"), 1}}));
  Json week = parse_json(run_command(cli() + " history --since 7d --format json --db " + q(db)));
  ASSERT_EQ(week["signatures"].size(), 2u);  // wild_write was last seen (counted) today
  for (const auto& s : week["signatures"]) {
    if (s["hash"] == kWildWrite) {
      EXPECT_EQ(s["count"], 0) << "its one crash is 10 days old";
    } else {
      EXPECT_EQ(s["count"], 2) << s["hash"];
    }
  }
  std::string text = run_command(cli() + " history --since 7d --db " + q(db));
  EXPECT_NE(text.find("2 signatures, 2 crashes since "), std::string::npos) << text;
  EXPECT_NE(text.find("  top frames null_read!f3 <- null_read!f2"), std::string::npos) << text;
  std::string md = run_command(cli() + " history --since 7d --format markdown --db " + q(db));
  EXPECT_NE(md.find("| crashes | in all | status | signature |"), std::string::npos) << md;
  fs::remove_all(dir);
}

TEST(FleetHistory, CollectAndRunRecordToo) {
  std::string dir = scratch("collect");
  std::string db = fresh_database("fleet_collect");
  ASSERT_FALSE(db.empty());
  fs::create_symlink(core_path("auto", "null_read"), dir + "/core.1");
  fs::create_symlink(core_path("auto", "divide_by_zero"), dir + "/core.2");
  int status = -1;
  std::string err = run_command(cli() + " collect --format json --db " + q(db) + " " + q(dir) + " 2>&1 >/dev/null", &status);
  EXPECT_EQ(status, 0) << err;
  EXPECT_NE(err.find("NEW    null-pointer-read | null_read!f3"), std::string::npos) << err;
  err = run_command(cli() + " collect --format json --db " + q(db) + " " + q(dir) + " 2>&1 >/dev/null", &status);
  EXPECT_NE(err.find("KNOWN  null-pointer-read | null_read!f3 | null_read!f2 | null_read!f1 | null_read!main (first seen "),
            std::string::npos)
      << err;
  EXPECT_NE(err.find(", 1 in all)"), std::string::npos) << err;
  // run: the core it writes of the crashing sample is recorded before it is deleted.
  err = run_command(cli() + " run --db " + q(db) + " -- " + q(std::string(CORELENS_SAMPLES_BIN_DIR) + "/null_read") +
                        " 2>&1 >/dev/null",
                    &status);
  EXPECT_NE(err.find("KNOWN  null-pointer-read | null_read!f3"), std::string::npos) << err;
  EXPECT_EQ(history_of(db)[kNullRead].first, 2);
  fs::remove_all(dir);
}

TEST(ContentHash, EqualsSha256sumOnRealCoresAndTheStandardsVectors) {
  using corelens::cli::history::file_sha256;
  for (const char* s : {"null_read", "stack_overflow", "threads_blocked"}) {
    std::string core = core_path("auto", s);
    auto ours = file_sha256(core);
    ASSERT_TRUE(ours) << ours.error().message;
    EXPECT_EQ(*ours, run_command("sha256sum " + q(core)).substr(0, 64)) << core;
  }
  std::string dir = scratch("sha");
  // FIPS 180-4's examples, and lengths around the padding's block boundary.
  run_command("printf abc > " + q(dir + "/abc") + "; : > " + q(dir + "/empty"));
  EXPECT_EQ(*file_sha256(dir + "/abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(*file_sha256(dir + "/empty"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (int n : {55, 56, 63, 64, 65, 119, 120, 1000003}) {
    std::string file = dir + "/n" + std::to_string(n);
    run_command("head -c " + std::to_string(n) + " /dev/urandom > " + q(file));
    EXPECT_EQ(*file_sha256(file), run_command("sha256sum " + q(file)).substr(0, 64)) << n << " bytes";
  }
  EXPECT_FALSE(file_sha256(dir + "/missing"));
  fs::remove_all(dir);
}

// The content key, computed again by Python's hashlib from its definition (content_hash.hpp).
std::string python_content_key(const std::string& file) {
  return run_command("python3 -c " + q("import hashlib, os, sys\n"
                                       "f = open(sys.argv[1], 'rb')\n"
                                       "key = hashlib.sha256(os.path.getsize(sys.argv[1]).to_bytes(8, 'big'))\n"
                                       "while piece := f.read(1 << 20):\n"
                                       "    key.update(hashlib.sha256(piece).digest())\n"
                                       "print(key.hexdigest())\n") +
                     " " + q(file))
      .substr(0, 64);
}

TEST(ContentHash, KeyIsHashlibsAndSparseFilesHashWithoutReadingTheirHoles) {
  using corelens::cli::history::content_key;
  for (const char* s : {"null_read", "stack_overflow", "threads_blocked"}) {
    std::string core = core_path("auto", s);
    auto ours = content_key(core);
    ASSERT_TRUE(ours) << ours.error().message;
    EXPECT_EQ(*ours, python_content_key(core)) << core;
  }
  // A sparse file of 64 MiB with data at 0, in the middle, and at the end, and a copy of it that
  // wrote its zeros out: one key, hashlib's.
  std::string dir = scratch("sparse");
  std::string sparse = dir + "/sparse.core", dense = dir + "/dense.core";
  run_command("printf head > " + q(sparse) + "; truncate -s 64M " + q(sparse) + "; printf middle | dd of=" + q(sparse) +
              " bs=1 seek=33554431 conv=notrunc 2>/dev/null; printf tail >> " + q(sparse) +
              "; cp --sparse=never " + q(sparse) + " " + q(dense));
  EXPECT_LT(std::stoll(run_command("du -k " + q(sparse) + " | cut -f1")), 4096) << "the file system made no holes";
  auto a = content_key(sparse), b = content_key(dense);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, python_content_key(sparse));
  EXPECT_FALSE(content_key(dir));  // a directory is no dump
  fs::remove_all(dir);
}

}  // namespace
}  // namespace corelens::testing::fleet
