// The dashboard page (`--html FILE` of triage and history): one self-contained HTML file, no
// network and no external assets (its Content-Security-Policy forbids loading anything), that
// shows the crash groups biggest first with their explanation, expandable stacks and dumps,
// NEW/KNOWN badges, a chart of crashes per day per signature (inline SVG drawn here), and a text
// filter. The page is complete without its script; the script only filters.
//
// A report writer like the others: it takes plain values, knows nothing of where they came from
// (a triage run, the history database) and depends on the standard library only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace corelens {

struct DashboardGroup {
  std::string hash, signature, category, severity, why;
  std::int64_t count = 0;          // dumps in this report (triage: this run; history: the window)
  std::string status;              // "NEW", "KNOWN", or "" when there is no history
  std::string first_seen, last_seen;
  std::int64_t total_count = -1;   // in the whole history; -1 when there is none
  std::string example;             // one dump of the group, as the reader should find it
  std::vector<std::string> stack;  // the crashing thread's frames, innermost first, as shown
  std::vector<std::string> dumps;  // every dump of the group in this report (may be empty)
  std::vector<std::int64_t> per_day;  // crashes per day, one per DashboardPage::days (or empty)
};

struct DashboardPage {
  std::string title;         // "corelens triage"
  std::string summary;       // "52 dumps, 16 signatures"
  std::string generated_at;  // ISO 8601
  std::string chart_note;    // what the chart counts, under its heading
  std::vector<std::string> days;  // the chart's days, oldest first, "YYYY-MM-DD", one per day
  std::vector<DashboardGroup> groups;  // biggest first
  std::vector<std::pair<std::string, std::string>> not_analysed;  // dump, why
};

std::string dashboard_to_html(const DashboardPage& page);

// The counts of PER_DAY ("YYYY-MM-DD" -> crashes) on DAYS, 0 for a day without crashes: a group's
// DashboardGroup::per_day.
std::vector<std::int64_t> counts_on(const std::vector<std::string>& days, const std::map<std::string, std::int64_t>& per_day);

// The stacked bar chart alone (an <svg> element): crashes per day, one colour per group, the
// groups after the first MAX_SERIES summed as "other".
std::string crashes_per_day_svg(const DashboardPage& page, std::size_t max_series = 8);
// The colour of the group at INDEX in the chart and in its badges.
std::string series_colour(std::size_t index);
// Text for HTML content and attribute values.
std::string html_escape(const std::string& s);

}  // namespace corelens
