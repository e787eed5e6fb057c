// `corelens history`: what the crash history (history_store.hpp) holds, for people (text, the
// HTML dashboard), for programs (JSON) and for CI summaries (Markdown), written by
// core/report/batch (history_report.hpp, dashboard_html.hpp).
#include "cli/history/history_command.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>

#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/history/history_store.hpp"
#include "core/report/batch/dashboard_html.hpp"
#include "core/report/batch/history_report.hpp"

namespace corelens::cli::history {
namespace {

constexpr const char* kDefaultSince = "30d";

int usage_error(const std::string& m) {
  std::fprintf(stderr, "corelens history: %s\n(try 'corelens history --help')\n", m.c_str());
  return kExitUsage;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "corelens history: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int run_history(const std::vector<std::string>& argv) {
  std::string db, format = "text", html, since_text = kDefaultSince;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fwrite(kHelpHistory.data(), 1, kHelpHistory.size(), stdout);
      return kExitOk;
    }
    if (a == "--db" || a == "--since" || a == "--format" || a == "--html") {
      if (i + 1 >= argv.size()) return usage_error(a + " needs a value");
      const std::string& v = argv[++i];
      if (a == "--db") db = v;
      else if (a == "--since") since_text = v;
      else if (a == "--html") html = v;
      else if (v == "text" || v == "json" || v == "markdown" || v == "html") format = v;
      else return usage_error("unknown format '" + v + "'");
    } else {
      return usage_error("unknown argument " + a);
    }
  }
  if (db.empty()) return usage_error("history needs --db FILE or --db postgresql://...");
  HistoryWindow w;
  std::string today = iso_utc_now().substr(0, 10);
  if (since_text != "all") {
    auto seconds = parse_duration(since_text);
    if (!seconds || *seconds == 0) return usage_error("--since needs a duration such as 12h, 30d or 2w, or 'all'");
    w.since = iso_utc_seconds(static_cast<std::int64_t>(std::time(nullptr)) - *seconds);
    w.label = "since " + w.since + " (" + since_text + ")";
    w.days = day_range(w.since.substr(0, 10), today);
  } else {
    w.label = "in all";
  }

  auto store = HistoryStore::open(db);
  if (!store) {
    std::fprintf(stderr, "corelens history: %s\n", store.error().message.c_str());
    return kExitIo;
  }
  auto sigs = store->read(w.since);
  if (!sigs) {
    std::fprintf(stderr, "corelens history: %s\n", sigs.error().message.c_str());
    return kExitIo;
  }
  if (w.since.empty()) {  // the chart spans the days that had crashes
    std::string first = today;
    for (const auto& s : *sigs) {
      if (!s.per_day.empty()) first = std::min(first, s.per_day.begin()->first);
    }
    w.days = day_range(first, today);
  }
  std::string out = format == "json"       ? history_to_json(*sigs, w)
                    : format == "markdown" ? history_to_markdown(*sigs, w)
                    : format == "html"     ? dashboard_to_html(history_dashboard_page(*sigs, w, store->where(), iso_utc_now()))
                                           : history_to_text(*sigs, w);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!html.empty() && !write_file(html, dashboard_to_html(history_dashboard_page(*sigs, w, store->where(), iso_utc_now())))) return kExitIo;
  return kExitOk;
}

}  // namespace corelens::cli::history
