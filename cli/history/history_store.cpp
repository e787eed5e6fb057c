// The crash history's queries: the same SQL text on SQLite and PostgreSQL (sql_connection.hpp).
#include "cli/history/history_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "cli/history/history_schema.hpp"

namespace corelens::cli::history {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
  return s;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
  return buf;
}

// TEST ONLY. CORELENS_TEST_DB_STALL=NAME stops the worker for good inside the transaction of the
// dump whose file is named NAME, after its row is written and before its signature's count is,
// so a test can kill it there with SIGKILL and check that nothing of that dump stays.
void stall_if_asked(const std::string& path) {
  static const char* name = std::getenv("CORELENS_TEST_DB_STALL");
  if (name == nullptr || *name == '\0' || std::filesystem::path(path).filename() != name) return;
  std::fprintf(stderr, "corelens: stalled inside the transaction of %s (CORELENS_TEST_DB_STALL)\n", path.c_str());
  std::fflush(stderr);
  for (;;) ::pause();
}

}  // namespace

std::string iso_utc_seconds(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string iso_utc_now() { return iso_utc_seconds(static_cast<std::int64_t>(std::time(nullptr))); }

Result<HistoryStore> HistoryStore::open(const std::string& target) {
  auto db = open_connection(target);
  if (!db) return unexpected(db.error());
  auto from = ensure_schema(**db);
  if (!from) return unexpected(from.error());
  HistoryStore store(std::move(*db));
  store.upgraded_from_ = *from;
  store.host_ = host_name();
  store.worker_ = store.host_ + " pid " + std::to_string(::getpid());
  return store;
}

Result<Recorded> HistoryStore::record(const DumpFacts& d) {
  if (auto b = db_->begin(); !b) return unexpected(b.error());
  std::string now = iso_utc_now();
  auto body = [&]() -> Result<Recorded> {
    Recorded out;
    auto dump = db_->query(
        "INSERT INTO dumps (content_hash, signature, crashed_at, recorded_at, recorded_by, host, path, category,"
        " severity, why, top_frames) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        " ON CONFLICT (content_hash) DO NOTHING RETURNING content_hash",
        {d.content_hash, d.signature_hash, d.crashed_at, now, worker_, host_, d.path, d.category, d.severity, d.why,
         join_lines(d.top_frames)});
    if (!dump) return unexpected(dump.error());
    if (dump->empty()) return out;  // counted before, by us or by another worker
    out.counted = true;
    stall_if_asked(d.path);
    auto inserted = db_->query(
        "INSERT INTO signatures (hash, readable, category, first_seen, last_seen, total_count, example, created_by)"
        " VALUES ($1, $2, $3, $4, $4, 1, $5, $6) ON CONFLICT (hash) DO NOTHING RETURNING hash",
        {d.signature_hash, d.signature, d.category, now, d.path, worker_});
    if (!inserted) return unexpected(inserted.error());
    out.new_signature = !inserted->empty();
    if (!out.new_signature) {
      // Under PostgreSQL's READ COMMITTED the UPDATE waits for a concurrent one on the same row
      // and then adds to the value that one committed: no increment is lost.
      auto updated = db_->query(
          "UPDATE signatures SET total_count = total_count + 1,"
          " last_seen = CASE WHEN last_seen < $2 THEN $2 ELSE last_seen END WHERE hash = $1",
          {d.signature_hash, now});
      if (!updated) return unexpected(updated.error());
    }
    return out;
  };
  auto result = body();
  if (!result || !result->counted) {
    db_->rollback();
    return result;
  }
  if (auto c = db_->commit(); !c) {
    db_->rollback();
    return unexpected(c.error());
  }
  return result;
}

Result<std::optional<SignatureState>> HistoryStore::signature(const std::string& hash) {
  auto rows = db_->query("SELECT first_seen, last_seen, total_count FROM signatures WHERE hash = $1", {hash});
  if (!rows) return unexpected(rows.error());
  if (rows->empty()) return std::optional<SignatureState>();
  const SqlRow& r = rows->front();
  return std::optional<SignatureState>(SignatureState{as_text(r[0]), as_text(r[1]), as_int(r[2])});
}

Result<std::vector<SignatureHistory>> HistoryStore::read(const std::string& since) {
  auto sigs = db_->query(
      "SELECT hash, readable, category, first_seen, last_seen, total_count, example, created_by FROM signatures");
  if (!sigs) return unexpected(sigs.error());
  auto days = db_->query(
      "SELECT signature, substr(crashed_at, 1, 10), count(*) FROM dumps WHERE crashed_at >= $1"
      " GROUP BY signature, substr(crashed_at, 1, 10)",
      {since});
  if (!days) return unexpected(days.error());
  std::map<std::string, std::map<std::string, std::int64_t>> per_day;
  for (const auto& r : *days) per_day[as_text(r[0])][as_text(r[1])] += as_int(r[2]);

  std::vector<SignatureHistory> out;
  for (const auto& r : *sigs) {
    SignatureHistory s;
    s.hash = as_text(r[0]);
    s.signature = as_text(r[1]);
    s.category = as_text(r[2]);
    s.first_seen = as_text(r[3]);
    s.last_seen = as_text(r[4]);
    s.total_count = as_int(r[5]);
    s.example_path = as_text(r[6]);
    s.created_by = as_text(r[7]);
    if (auto it = per_day.find(s.hash); it != per_day.end()) s.per_day = it->second;
    for (const auto& [day, n] : s.per_day) s.in_window += n;
    if (s.in_window == 0 && s.last_seen < since) continue;
    auto newest = db_->query(
        "SELECT path, host, crashed_at, severity, why, top_frames FROM dumps WHERE signature = $1"
        " ORDER BY crashed_at DESC, content_hash LIMIT 1",
        {s.hash});
    if (!newest) return unexpected(newest.error());
    if (!newest->empty()) {
      const SqlRow& n = newest->front();
      s.example_path = as_text(n[0]);
      s.example_host = as_text(n[1]);
      s.example_crashed_at = as_text(n[2]);
      s.severity = as_text(n[3]);
      s.why = as_text(n[4]);
      s.top_frames = split_lines(as_text(n[5]));
    }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const SignatureHistory& a, const SignatureHistory& b) {
    if (a.in_window != b.in_window) return a.in_window > b.in_window;
    if (a.total_count != b.total_count) return a.total_count > b.total_count;
    return a.hash < b.hash;
  });
  return out;
}

}  // namespace corelens::cli::history
