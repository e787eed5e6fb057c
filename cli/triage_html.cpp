// `corelens triage --html FILE`: the run's groups as the dashboard page (core/report/batch/
// dashboard_html.hpp), with the crashes per day from the history when there is one.
#include <algorithm>
#include <ctime>
#include <map>

#include "core/report/batch/dashboard_html.hpp"
#include "cli/history/days.hpp"
#include "cli/triage.hpp"

namespace corelens::cli {

Result<std::string> triage_page(const std::vector<TriageGroup>& groups, const std::vector<const TriageRecord*>& failed,
                                std::size_t total, history::Recorder* recorder) {
  DashboardPage page;
  page.title = "corelens triage";
  page.summary = std::to_string(total) + " dumps, " + std::to_string(groups.size()) + " signatures" +
                 (failed.empty() ? "" : ", " + std::to_string(failed.size()) + " not analysed");
  page.generated_at = history::iso_utc_now();
  std::string today = page.generated_at.substr(0, 10);

  // Crashes per day of each group: the history's last 30 days, or this run's dumps.
  std::map<std::string, std::map<std::string, std::int64_t>> per_day;
  if (recorder != nullptr) {
    std::string since = history::iso_utc_seconds(static_cast<std::int64_t>(std::time(nullptr)) - 30 * 86400);
    auto sigs = recorder->read(since);
    if (!sigs) return unexpected(sigs.error());
    for (const auto& s : *sigs) per_day[s.hash] = s.per_day;
    page.days = history::day_range(since.substr(0, 10), today);
    page.chart_note = "From the history in " + recorder->where() +
                      ": every dump counted, by the time its core was written, over the last 30 days.";
  } else {
    std::string first = today, last;
    for (const auto& g : groups) {
      for (const auto* m : g.members) {
        std::string day = facts_from_record(*m).crashed_at.substr(0, 10);
        ++per_day[g.hash][day];
        first = std::min(first, day);
        last = std::max(last, day);
      }
    }
    page.days = history::day_range(first, std::max(last, first));
    page.chart_note = "This run's dumps, by the time each core was written.";
  }

  for (const auto& g : groups) {
    const TriageRecord& ex = *g.members.front();
    DashboardGroup d;
    d.hash = g.hash;
    d.signature = ex.signature.readable;
    d.category = ex.category;
    d.severity = ex.severity;
    d.why = ex.why;
    d.count = static_cast<std::int64_t>(g.members.size());
    if (g.has_db) {
      d.status = g.db.known ? "KNOWN" : "NEW";
      d.first_seen = g.db.first_seen;
      d.last_seen = g.db.last_seen;
      d.total_count = g.db.total_count;
    }
    d.example = ex.dump;
    for (const auto& f : ex.crash_frames) d.stack.push_back(frame_line(f));
    if (d.stack.empty()) d.stack = ex.top_frames;
    for (const auto* m : g.members) d.dumps.push_back(m->dump);
    if (auto it = per_day.find(g.hash); it != per_day.end()) d.per_day = counts_on(page.days, it->second);
    else d.per_day.assign(page.days.size(), 0);
    page.groups.push_back(std::move(d));
  }
  for (const auto* r : failed) page.not_analysed.emplace_back(r->dump, r->status + ": " + r->error);
  return dashboard_to_html(page);
}

}  // namespace corelens::cli
