// `corelens history`: what the crash history (history_store.hpp) holds, for people (text, the
// HTML dashboard), for programs (JSON) and for CI summaries (Markdown).
#include "cli/history/history_command.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/history/dashboard_html.hpp"
#include "cli/history/history_store.hpp"

namespace corelens::cli::history {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kDefaultSince = "30d";

int usage_error(const std::string& m) {
  std::fprintf(stderr, "corelens history: %s\n(try 'corelens history --help')\n", m.c_str());
  return kExitUsage;
}

struct Window {
  std::string since;  // ISO 8601; "" = everything
  std::string label;  // "since 2026-11-01 (30d)" or "in all"
  std::vector<std::string> days;
};

// NEW: first seen inside the window. With no window (--since all) there is nothing to be new in.
std::string status_of(const SignatureHistory& s, const Window& w) {
  if (w.since.empty()) return "";
  return s.first_seen >= w.since ? "NEW" : "KNOWN";
}

std::string example_of(const SignatureHistory& s) {
  if (s.example_host.empty()) return s.example_path;
  return s.example_host + ":" + s.example_path;
}

std::string frames_line(const std::vector<std::string>& frames) {
  std::string out;
  for (std::size_t i = 0; i < frames.size() && i < 5; ++i) out += (i ? " <- " : "") + frames[i];
  return out;
}

std::string to_text(const std::vector<SignatureHistory>& sigs, const Window& w) {
  std::int64_t crashes = 0;
  for (const auto& s : sigs) crashes += s.in_window;
  std::string out = std::to_string(sigs.size()) + " signatures, " + std::to_string(crashes) + " crashes " + w.label + "\n";
  for (const auto& s : sigs) {
    std::string status = status_of(s, w);
    out += "\n" + std::to_string(s.in_window) + "  " + s.hash + "  " + s.category + (status.empty() ? "" : "  " + status) +
           "  (" + std::to_string(s.total_count) + " in all, first seen " + s.first_seen + ", last seen " + s.last_seen +
           ")\n";
    out += "  signature  " + s.signature + "\n";
    if (!s.why.empty()) out += "  why        " + s.why + "\n";
    if (!s.per_day.empty()) {
      out += "  per day   ";
      for (const auto& [day, n] : s.per_day) out += " " + day + " " + std::to_string(n);
      out += "\n";
    }
    out += "  example    " + example_of(s) +
           (s.example_crashed_at.empty() ? " (counted before schema 2: no per-dump history)"
                                         : " (crashed " + s.example_crashed_at + ")") +
           "\n";
    if (!s.top_frames.empty()) out += "  top frames " + frames_line(s.top_frames) + "\n";
  }
  return out;
}

std::string to_json(const std::vector<SignatureHistory>& sigs, const Window& w) {
  Json j;
  j["tool"] = "corelens";
  j["since"] = w.since.empty() ? Json(nullptr) : Json(w.since);
  Json arr = Json::array();
  for (const auto& s : sigs) {
    Json per_day = Json::object();
    for (const auto& [day, n] : s.per_day) per_day[day] = n;
    std::string status = status_of(s, w);
    arr.push_back(Json{{"hash", s.hash},
                       {"signature", s.signature},
                       {"category", s.category},
                       {"severity", s.severity},
                       {"why", s.why},
                       {"status", status.empty() ? Json(nullptr) : Json(status)},
                       {"count", s.in_window},
                       {"total_count", s.total_count},
                       {"first_seen", s.first_seen},
                       {"last_seen", s.last_seen},
                       {"created_by", s.created_by},
                       {"per_day", std::move(per_day)},
                       {"example", Json{{"path", s.example_path}, {"host", s.example_host},
                                        {"crashed_at", s.example_crashed_at}}},
                       {"top_frames", s.top_frames}});
  }
  j["signatures"] = std::move(arr);
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string to_markdown(const std::vector<SignatureHistory>& sigs, const Window& w) {
  std::string out = "# corelens history\n\n" + std::to_string(sigs.size()) + " signatures " + w.label +
                    "\n\n| crashes | in all | status | signature | first seen | last seen | top frames |\n"
                    "|---:|---:|---|---|---|---|---|\n";
  for (const auto& s : sigs) {
    out += "| " + std::to_string(s.in_window) + " | " + std::to_string(s.total_count) + " | " + status_of(s, w) +
           " | `" + s.hash + "` " + md_cell(s.signature) + " | " + s.first_seen + " | " + s.last_seen + " | " +
           md_cell(frames_line(s.top_frames)) + " |\n";
  }
  return out;
}

DashboardPage to_page(const std::vector<SignatureHistory>& sigs, const Window& w, const std::string& where) {
  DashboardPage page;
  page.title = "corelens history";
  std::int64_t crashes = 0;
  for (const auto& s : sigs) crashes += s.in_window;
  page.summary = std::to_string(sigs.size()) + " signatures, " + std::to_string(crashes) + " crashes " + w.label +
                 " in " + where;
  page.generated_at = iso_utc_now();
  page.chart_note = "By the time each core was written, one bar a day.";
  page.days = w.days;
  for (const auto& s : sigs) {
    DashboardGroup g;
    g.hash = s.hash;
    g.signature = s.signature;
    g.category = s.category;
    g.severity = s.severity;
    g.why = s.why;
    g.count = s.in_window;
    g.status = status_of(s, w);
    g.first_seen = s.first_seen;
    g.last_seen = s.last_seen;
    g.total_count = s.total_count;
    g.example = example_of(s);
    g.stack = s.top_frames;
    g.per_day = counts_on(w.days, s.per_day);
    page.groups.push_back(std::move(g));
  }
  return page;
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
  Window w;
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
  std::string out = format == "json"       ? to_json(*sigs, w)
                    : format == "markdown" ? to_markdown(*sigs, w)
                    : format == "html"     ? dashboard_to_html(to_page(*sigs, w, store->where()))
                                           : to_text(*sigs, w);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!html.empty() && !write_file(html, dashboard_to_html(to_page(*sigs, w, store->where())))) return kExitIo;
  return kExitOk;
}

}  // namespace corelens::cli::history
