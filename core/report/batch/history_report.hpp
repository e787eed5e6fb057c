// What `corelens history` reports of the crash history (cli/history): its signatures over a
// window of time, as text for people, JSON for programs and Markdown for CI summaries (the HTML
// dashboard is dashboard_html.hpp). The writers take plain values: the store that read them is
// the CLI's.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/report/batch/dashboard_html.hpp"

namespace corelens {

// One signature as the history holds it.
struct SignatureHistory {
  std::string hash, signature, category, severity, why;
  std::string first_seen, last_seen, created_by;
  std::int64_t total_count = 0;       // every dump ever counted (schema 1's counts included)
  std::int64_t in_window = 0;         // dumps that crashed since the window's start
  std::map<std::string, std::int64_t> per_day;  // "YYYY-MM-DD" -> dumps that crashed that day
  // The newest dump (by crash time) and its first frames; empty when every dump of the
  // signature was counted before schema 2 (then only `example`, a path, is known).
  std::string example_path, example_host, example_crashed_at;
  std::vector<std::string> top_frames;
};

// The time the report covers.
struct HistoryWindow {
  std::string since;  // ISO 8601; "" = everything
  std::string label;  // "since 2026-11-01 (30d)" or "in all"
  std::vector<std::string> days;
};

// "NEW" (first seen inside the window), "KNOWN", or "" without a window.
std::string history_status(const SignatureHistory& s, const HistoryWindow& w);
// The newest dump of the signature, "host:path" when its host is known.
std::string history_example(const SignatureHistory& s);

std::string history_to_text(const std::vector<SignatureHistory>& sigs, const HistoryWindow& w);
std::string history_to_json(const std::vector<SignatureHistory>& sigs, const HistoryWindow& w);
std::string history_to_markdown(const std::vector<SignatureHistory>& sigs, const HistoryWindow& w);
// The dashboard page of the history (dashboard_to_html writes it): WHERE names the store in the
// summary line, GENERATED_AT (ISO 8601) is the caller's clock, so a golden test can fix it.
DashboardPage history_dashboard_page(const std::vector<SignatureHistory>& sigs, const HistoryWindow& w,
                                     const std::string& where, const std::string& generated_at);

}  // namespace corelens
