// Days and durations of the crash history (days.hpp).
#include "cli/history/days.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "cli/history/history_store.hpp"

namespace corelens::cli::history {

std::optional<std::int64_t> parse_duration(const std::string& text) {
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || n < 0 || n > 100LL * 365 * 86400) return std::nullopt;
  std::string unit(end);
  if (unit.empty() || unit == "s") return n;
  if (unit == "m" || unit == "min") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  if (unit == "w") return n * 7 * 86400;
  return std::nullopt;
}

std::vector<std::string> day_range(const std::string& first, const std::string& last, std::size_t max_days) {
  auto parse = [](const std::string& day) -> std::optional<std::time_t> {
    std::tm tm{};
    if (day.size() < 10 || std::sscanf(day.c_str(), "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) {
      return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
  };
  auto a = parse(first), b = parse(last);
  std::vector<std::string> days;
  if (!a || !b || *a > *b) return days;
  std::time_t start = std::max<std::time_t>(*a, *b - static_cast<std::time_t>(max_days - 1) * 86400);
  for (std::time_t t = start; t <= *b; t += 86400) days.push_back(iso_utc_seconds(t).substr(0, 10));
  return days;
}

}  // namespace corelens::cli::history
