// The crash history's days: the chart's range of days, and the durations --since takes (the
// counts on the days are core/report/batch/dashboard_html.hpp's counts_on).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace corelens::cli::history {

// "90s", "30m", "12h", "30d", "2w" -> seconds.
std::optional<std::int64_t> parse_duration(const std::string& text);

// Every day from FIRST to LAST ("YYYY-MM-DD", both included), at most MAX_DAYS of the newest.
std::vector<std::string> day_range(const std::string& first, const std::string& last, std::size_t max_days = 366);

}  // namespace corelens::cli::history
