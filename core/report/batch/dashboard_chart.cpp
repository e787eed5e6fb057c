// The dashboard's chart: crashes per day, one stacked bar per day, one colour per signature, drawn
// as inline SVG here rather than by a charting library, so the page needs no script to show it
// and loads nothing. Every bar segment has a <title>, which browsers show as a tooltip.
#include <algorithm>
#include <array>
#include <cstdio>

#include "core/report/batch/dashboard_html.hpp"

namespace corelens {
namespace {

// Okabe and Ito's palette (distinguishable with the common colour-vision deficiencies), then
// four more; "other" is grey.
constexpr std::array<const char*, 12> kPalette = {"#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9",
                                                  "#f0e442", "#000000", "#7f3c8d", "#11a579", "#3969ac", "#e73f74"};
constexpr const char* kOther = "#9e9e9e";

// A round step for the y axis: 1, 2 or 5 times a power of ten, giving at most about 5 ticks.
std::int64_t tick_step(std::int64_t max) {
  std::int64_t step = 1;
  for (;;) {
    for (std::int64_t m : {1, 2, 5}) {
      if (max / (step * m) <= 5) return step * m;
    }
    step *= 10;
  }
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A name short enough for the legend: the signature's first frame ("category | frame | ...").
std::string short_label(const DashboardGroup& g) {
  std::string s = g.signature;
  if (auto bar = s.find(" | "); bar != std::string::npos) {
    std::string rest = s.substr(bar + 3);
    if (auto next = rest.find(" | "); next != std::string::npos) rest.resize(next);
    s = rest.empty() ? s : rest;
  }
  if (s.size() > 48) s = s.substr(0, 45) + "...";
  return s.empty() ? g.hash : s;
}

}  // namespace

std::string series_colour(std::size_t index) { return kPalette[index % kPalette.size()]; }

std::string crashes_per_day_svg(const DashboardPage& page, std::size_t max_series) {
  const std::size_t days = page.days.size();
  // Series: the first MAX_SERIES groups with any crash in the window, then "other".
  struct Series {
    std::string label, colour;
    std::vector<std::int64_t> counts;
  };
  std::vector<Series> series;
  Series other{"other signatures", kOther, std::vector<std::int64_t>(days, 0)};
  for (std::size_t gi = 0; gi < page.groups.size(); ++gi) {
    const DashboardGroup& g = page.groups[gi];
    if (g.per_day.size() != days) continue;
    bool any = std::any_of(g.per_day.begin(), g.per_day.end(), [](std::int64_t n) { return n > 0; });
    if (!any) continue;
    if (series.size() < max_series) {
      series.push_back(Series{short_label(g), series_colour(gi), g.per_day});
    } else {
      for (std::size_t d = 0; d < days; ++d) other.counts[d] += g.per_day[d];
    }
  }
  if (std::any_of(other.counts.begin(), other.counts.end(), [](std::int64_t n) { return n > 0; })) {
    series.push_back(std::move(other));
  }
  std::int64_t max = 0;
  for (std::size_t d = 0; d < days; ++d) {
    std::int64_t total = 0;
    for (const auto& s : series) total += s.counts[d];
    max = std::max(max, total);
  }

  const double width = 960, plot_height = 200, left = 44, right = 12, top = 12;
  const double legend_row = 18;
  const std::size_t legend_rows = (series.size() + 2) / 3;
  const double height = top + plot_height + 34 + static_cast<double>(legend_rows) * legend_row + 6;
  std::string svg = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(width) + " " +
                    num(height) + "\" role=\"img\" aria-label=\"crashes per day per signature\">";
  if (days == 0 || max == 0) {
    svg += "<text x=\"" + num(width / 2) + "\" y=\"" + num(top + plot_height / 2) +
           "\" text-anchor=\"middle\" class=\"empty\">No crashes in this period</text></svg>";
    return svg;
  }
  const double plot_width = width - left - right;
  const double band = plot_width / static_cast<double>(days);
  const double bar = std::max(1.0, band * 0.8);
  const std::int64_t step = tick_step(max);
  const std::int64_t y_max = ((max + step - 1) / step) * step;
  auto y_of = [&](double v) { return top + plot_height - plot_height * v / static_cast<double>(y_max); };

  for (std::int64_t t = 0; t <= y_max; t += step) {  // grid lines and y labels
    double y = y_of(static_cast<double>(t));
    svg += "<line class=\"grid\" x1=\"" + num(left) + "\" x2=\"" + num(width - right) + "\" y1=\"" + num(y) +
           "\" y2=\"" + num(y) + "\"/><text class=\"axis\" x=\"" + num(left - 6) + "\" y=\"" + num(y + 4) +
           "\" text-anchor=\"end\">" + std::to_string(t) + "</text>";
  }
  std::size_t label_every = std::max<std::size_t>(1, (days + 11) / 12);
  for (std::size_t d = 0; d < days; ++d) {
    double x = left + band * static_cast<double>(d) + (band - bar) / 2;
    double stacked = 0;
    for (const auto& s : series) {
      std::int64_t n = s.counts[d];
      if (n == 0) continue;
      double y0 = y_of(stacked), y1 = y_of(stacked + static_cast<double>(n));
      svg += "<rect x=\"" + num(x) + "\" y=\"" + num(y1) + "\" width=\"" + num(bar) + "\" height=\"" + num(y0 - y1) +
             "\" fill=\"" + s.colour + "\"><title>" + html_escape(page.days[d] + ": " + std::to_string(n) + " × " +
                                                                  s.label) +
             "</title></rect>";
      stacked += static_cast<double>(n);
    }
    if (d % label_every == 0 || d + 1 == days) {
      svg += "<text class=\"axis\" x=\"" + num(left + band * (static_cast<double>(d) + 0.5)) + "\" y=\"" +
             num(top + plot_height + 16) + "\" text-anchor=\"middle\">" + html_escape(page.days[d].substr(5)) +
             "</text>";
    }
  }
  for (std::size_t i = 0; i < series.size(); ++i) {  // the legend, three to a row
    double x = left + static_cast<double>(i % 3) * (plot_width / 3);
    double y = top + plot_height + 34 + static_cast<double>(i / 3) * legend_row;
    svg += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 10) + "\" width=\"12\" height=\"12\" fill=\"" +
           series[i].colour + "\"/><text class=\"legend\" x=\"" + num(x + 18) + "\" y=\"" + num(y) + "\">" +
           html_escape(series[i].label) + "</text>";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace corelens
