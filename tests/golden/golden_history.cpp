// The crash history's outputs for the golden tests: `corelens history` as text, JSON and Markdown,
// and the dashboard page, from a history made of the golden dumps. A real history's dates are
// when it was written, so no golden could run the command; these values come from the dumps'
// analyses (signature, category, why, frames) with fixed dates, and go through the same writers
// (core/report/batch/history_report.hpp, dashboard_html.hpp).
#include "golden_history.hpp"

#include <map>

#include "core/report/batch/dashboard_html.hpp"
#include "core/report/batch/history_report.hpp"

namespace corelens::golden {
namespace {

// The window a 3-day `--since` would give on 2026-11-03, and each dump's crash day in it.
HistoryWindow window() {
  return {"2026-11-01T00:00:00Z", "since 2026-11-01T00:00:00Z (3d)", {"2026-11-01", "2026-11-02", "2026-11-03"}};
}

// One signature per distinct hash, in the order first seen; the Nth dump crashed on day N % 3,
// and the first signature was already known before the window (KNOWN), the others not (NEW).
std::vector<SignatureHistory> signatures(const std::vector<Report>& reports) {
  std::vector<SignatureHistory> out;
  std::map<std::string, std::size_t> index;
  const HistoryWindow w = window();
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (!reports[i].analysis) continue;
    const CrashAnalysis& a = *reports[i].analysis;
    auto [it, inserted] = index.emplace(a.signature.hash, out.size());
    if (inserted) {
      SignatureHistory s;
      s.hash = a.signature.hash;
      s.signature = a.signature.readable;
      s.category = a.classification.category;
      s.severity = a.classification.severity;
      s.why = a.why;
      s.first_seen = out.empty() ? "2026-10-20T07:00:00Z" : w.days[i % w.days.size()] + "T10:00:00Z";
      s.created_by = "golden pid 1";
      s.total_count = out.empty() ? 5 : 0;
      s.example_host = "ci-runner-3";
      s.top_frames = a.signature.frames;
      out.push_back(std::move(s));
    }
    SignatureHistory& s = out[it->second];
    const std::string& day = w.days[i % w.days.size()];
    ++s.per_day[day];
    ++s.in_window;
    ++s.total_count;
    if (day + "T12:00:00Z" < s.last_seen) continue;  // the example is the newest dump
    s.last_seen = day + "T12:00:00Z";
    s.example_path = "/var/crash/" + std::filesystem::path(reports[i].dump_path).filename().string();
    s.example_crashed_at = day + "T11:59:00Z";
  }
  return out;
}

}  // namespace

std::optional<std::string> render_history(const std::string& format, const std::vector<Report>& reports) {
  const HistoryWindow w = window();
  const std::vector<SignatureHistory> sigs = signatures(reports);
  if (format == "history-text") return history_to_text(sigs, w);
  if (format == "history-json") return history_to_json(sigs, w);
  if (format == "history-markdown") return history_to_markdown(sigs, w);
  if (format == "dashboard") return dashboard_to_html(history_dashboard_page(sigs, w, "golden.sqlite", "2026-11-03T12:00:00Z"));
  return std::nullopt;
}

}  // namespace corelens::golden
