#include "core/report/batch/history_report.hpp"

#include <nlohmann/json.hpp>

namespace corelens {
namespace {

using Json = nlohmann::ordered_json;

// The first five frames, innermost first.
std::string frames_line(const std::vector<std::string>& frames) {
  std::string out;
  for (std::size_t i = 0; i < frames.size() && i < 5; ++i) out += (i ? " <- " : "") + frames[i];
  return out;
}

// Text in a table cell: every character Markdown could read as markup escaped, newlines as spaces.
std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

}  // namespace

// NEW: first seen inside the window. With no window (--since all) there is nothing to be new in.
std::string history_status(const SignatureHistory& s, const HistoryWindow& w) {
  if (w.since.empty()) return "";
  return s.first_seen >= w.since ? "NEW" : "KNOWN";
}

std::string history_example(const SignatureHistory& s) {
  if (s.example_host.empty()) return s.example_path;
  return s.example_host + ":" + s.example_path;
}

std::string history_to_text(const std::vector<SignatureHistory>& sigs, const HistoryWindow& w) {
  std::int64_t crashes = 0;
  for (const auto& s : sigs) crashes += s.in_window;
  std::string out = std::to_string(sigs.size()) + " signatures, " + std::to_string(crashes) + " crashes " + w.label + "\n";
  for (const auto& s : sigs) {
    std::string status = history_status(s, w);
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
    out += "  example    " + history_example(s) +
           (s.example_crashed_at.empty() ? " (counted before schema 2: no per-dump history)"
                                         : " (crashed " + s.example_crashed_at + ")") +
           "\n";
    if (!s.top_frames.empty()) out += "  top frames " + frames_line(s.top_frames) + "\n";
  }
  return out;
}

std::string history_to_json(const std::vector<SignatureHistory>& sigs, const HistoryWindow& w) {
  Json j;
  j["tool"] = "corelens";
  j["since"] = w.since.empty() ? Json(nullptr) : Json(w.since);
  Json arr = Json::array();
  for (const auto& s : sigs) {
    Json per_day = Json::object();
    for (const auto& [day, n] : s.per_day) per_day[day] = n;
    std::string status = history_status(s, w);
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

std::string history_to_markdown(const std::vector<SignatureHistory>& sigs, const HistoryWindow& w) {
  std::string out = "# corelens history\n\n" + std::to_string(sigs.size()) + " signatures " + w.label +
                    "\n\n| crashes | in all | status | signature | first seen | last seen | top frames |\n"
                    "|---:|---:|---|---|---|---|---|\n";
  for (const auto& s : sigs) {
    out += "| " + std::to_string(s.in_window) + " | " + std::to_string(s.total_count) + " | " + history_status(s, w) +
           " | `" + s.hash + "` " + md_cell(s.signature) + " | " + s.first_seen + " | " + s.last_seen + " | " +
           md_cell(frames_line(s.top_frames)) + " |\n";
  }
  return out;
}

DashboardPage history_dashboard_page(const std::vector<SignatureHistory>& sigs, const HistoryWindow& w,
                                     const std::string& where, const std::string& generated_at) {
  DashboardPage page;
  page.title = "corelens history";
  std::int64_t crashes = 0;
  for (const auto& s : sigs) crashes += s.in_window;
  page.summary = std::to_string(sigs.size()) + " signatures, " + std::to_string(crashes) + " crashes " + w.label +
                 " in " + where;
  page.generated_at = generated_at;
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
    g.status = history_status(s, w);
    g.first_seen = s.first_seen;
    g.last_seen = s.last_seen;
    g.total_count = s.total_count;
    g.example = history_example(s);
    g.stack = s.top_frames;
    g.per_day = counts_on(w.days, s.per_day);
    page.groups.push_back(std::move(g));
  }
  return page;
}

}  // namespace corelens
