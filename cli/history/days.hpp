// The crash history's days: the chart's range of days and the counts on them, and the
// durations --since takes.
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
// The counts of PER_DAY on DAYS, 0 for a day without crashes.
std::vector<std::int64_t> counts_on(const std::vector<std::string>& days, const std::map<std::string, std::int64_t>& per_day);

}  // namespace corelens::cli::history
