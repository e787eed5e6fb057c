// The dashboard page (dashboard_html.hpp). Everything from a dump (function names, paths, the
// explanation) is escaped: a hostile core chooses its own function and file names.
#include "core/report/batch/dashboard_html.hpp"

#include <algorithm>
#include <cctype>

namespace corelens {
namespace {

constexpr const char* kStyle = R"css(
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); background: var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 20px 0 6px; }
main { padding: 0 24px 32px; max-width: 1200px; }
.muted { color: var(--muted); }
.controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 10px 0 4px; }
#filter { width: 28em; max-width: 100%; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
.chart { width: 100%; max-width: 960px; height: auto; }
.chart .grid { stroke: #e6e9ed; } .chart .axis, .chart .legend { font-size: 11px; fill: #444; }
.chart .empty { font-size: 14px; fill: #777; }
.group { border: 1px solid var(--line); border-left: 6px solid var(--accent, #999); border-radius: 6px; margin: 10px 0; padding: 8px 12px; }
.group[hidden] { display: none; }
.head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.count { font-size: 20px; font-weight: 600; min-width: 2.5em; text-align: right; }
.badge { font-size: 11px; font-weight: 700; padding: 1px 7px; border-radius: 10px; color: #fff; }
.badge.new { background: #cf222e; } .badge.known { background: #57606a; }
.signature { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; word-break: break-word; }
.spark { margin-left: auto; align-self: center; }
.why { margin: 4px 0; }
.meta { font-size: 12px; color: var(--muted); }
details { margin: 4px 0; } summary { cursor: pointer; color: #0969da; }
ol.stack, ul.dumps { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; margin: 4px 0; }
table { border-collapse: collapse; } td, th { border: 1px solid var(--line); padding: 3px 8px; text-align: left; }
)css";

// Filters by the text box (every word must appear in the group's text) and the NEW/KNOWN
// choice; both can come from the address (#filter=WORDS&status=NEW) so a link shares a view.
constexpr const char* kScript = R"js(
(function () {
  'use strict';
  var box = document.getElementById('filter');
  var statusBox = document.getElementById('status');
  var groups = Array.prototype.slice.call(document.querySelectorAll('section.group'));
  var shown = document.getElementById('shown');
  function apply() {
    var words = box.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    var status = statusBox.value;
    var n = 0;
    groups.forEach(function (g) {
      var text = g.getAttribute('data-text');
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; }) &&
               (status === '' || g.getAttribute('data-status') === status);
      g.hidden = !ok;
      if (ok) n += 1;
    });
    shown.textContent = n + ' of ' + groups.length + ' groups shown';
  }
  var params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (params.has('filter')) box.value = params.get('filter');
  if (params.has('status')) statusBox.value = params.get('status');
  box.addEventListener('input', apply);
  statusBox.addEventListener('change', apply);
  apply();
  document.documentElement.setAttribute('data-ready', 'yes');
})();
)js";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A sparkline of the group's crashes per day, in its chart colour.
std::string sparkline(const DashboardGroup& g, const std::string& colour) {
  if (g.per_day.empty()) return "";
  std::int64_t max = *std::max_element(g.per_day.begin(), g.per_day.end());
  if (max == 0) return "";
  const double w = 120, h = 22, band = w / static_cast<double>(g.per_day.size());
  std::string svg = "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"22\" viewBox=\"0 0 120 22\">";
  for (std::size_t d = 0; d < g.per_day.size(); ++d) {
    if (g.per_day[d] == 0) continue;
    double bh = std::max(1.0, h * static_cast<double>(g.per_day[d]) / static_cast<double>(max));
    svg += "<rect x=\"" + std::to_string(band * static_cast<double>(d)) + "\" y=\"" + std::to_string(h - bh) +
           "\" width=\"" + std::to_string(std::max(1.0, band * 0.8)) + "\" height=\"" + std::to_string(bh) +
           "\" fill=\"" + colour + "\"/>";
  }
  return svg + "</svg>";
}

std::string group_html(const DashboardGroup& g, std::size_t index) {
  const std::string colour = series_colour(index);
  std::string text = g.hash + " " + g.signature + " " + g.category + " " + g.severity + " " + g.why + " " + g.status +
                     " " + g.example;
  for (const auto& f : g.stack) text += " " + f;
  for (const auto& d : g.dumps) text += " " + d;
  std::string out = "<section class=\"group\" id=\"g-" + html_escape(g.hash) + "\" style=\"--accent: " + colour +
                    "\" data-hash=\"" + html_escape(g.hash) + "\" data-count=\"" + std::to_string(g.count) +
                    "\" data-status=\"" + html_escape(g.status) + "\" data-text=\"" + html_escape(lower(text)) + "\">\n";
  out += "<div class=\"head\"><span class=\"count\" title=\"dumps in this report\">" + std::to_string(g.count) + "</span>";
  if (g.status == "NEW") out += "<span class=\"badge new\">NEW</span>";
  else if (g.status == "KNOWN") out += "<span class=\"badge known\">KNOWN</span>";
  out += "<span class=\"signature\">" + html_escape(g.signature.empty() ? g.hash : g.signature) + "</span>" +
         sparkline(g, colour) + "</div>\n";
  if (!g.why.empty()) out += "<p class=\"why\">" + html_escape(g.why) + "</p>\n";
  out += "<div class=\"meta\">" + html_escape(g.category) + (g.severity.empty() ? "" : " (" + html_escape(g.severity) + ")") +
         " · signature <code>" + html_escape(g.hash) + "</code>";
  if (g.total_count >= 0) {
    out += " · <span class=\"total\">" + std::to_string(g.total_count) + "</span> in all, first seen " +
           html_escape(g.first_seen) + ", last seen " + html_escape(g.last_seen);
  }
  if (!g.example.empty()) out += " · example <code>" + html_escape(g.example) + "</code>";
  out += "</div>\n";
  if (!g.stack.empty()) {
    out += "<details class=\"stack\"><summary>Stack (" + std::to_string(g.stack.size()) + " frames)</summary><ol class=\"stack\">";
    for (const auto& f : g.stack) out += "<li>" + html_escape(f) + "</li>";
    out += "</ol></details>\n";
  }
  if (!g.dumps.empty()) {
    out += "<details class=\"dumps\"><summary>Dumps (" + std::to_string(g.dumps.size()) + ")</summary><ul class=\"dumps\">";
    for (const auto& d : g.dumps) out += "<li>" + html_escape(d) + "</li>";
    out += "</ul></details>\n";
  }
  return out + "</section>\n";
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<std::int64_t> counts_on(const std::vector<std::string>& days, const std::map<std::string, std::int64_t>& per_day) {
  std::vector<std::int64_t> out;
  out.reserve(days.size());
  for (const auto& d : days) {
    auto it = per_day.find(d);
    out.push_back(it == per_day.end() ? 0 : it->second);
  }
  return out;
}

std::string dashboard_to_html(const DashboardPage& page) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // Nothing may be fetched: the page is one file, readable offline and safe to pass around.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "script-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      html_escape(page.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<header>\n<h1>" +
      html_escape(page.title) + "</h1>\n<div class=\"muted\"><span id=\"summary\">" + html_escape(page.summary) +
      "</span> · generated " + html_escape(page.generated_at) + "</div>\n";
  out += "<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter: function, file, category, "
         "hash …\" aria-label=\"filter the groups\"><label>Status <select id=\"status\"><option value=\"\">all</option>"
         "<option value=\"NEW\">NEW</option><option value=\"KNOWN\">KNOWN</option></select></label>"
         "<span id=\"shown\" class=\"muted\">" +
         std::to_string(page.groups.size()) + " of " + std::to_string(page.groups.size()) +
         " groups shown</span></div>\n</header>\n<main>\n";
  out += "<h2>Crashes per day</h2>\n";
  if (!page.chart_note.empty()) out += "<div class=\"muted\">" + html_escape(page.chart_note) + "</div>\n";
  out += crashes_per_day_svg(page) + "\n<h2>Groups, biggest first</h2>\n";
  if (page.groups.empty()) out += "<p class=\"muted\">No crash groups.</p>\n";
  for (std::size_t i = 0; i < page.groups.size(); ++i) out += group_html(page.groups[i], i);
  if (!page.not_analysed.empty()) {
    out += "<h2>Not analysed</h2>\n<table class=\"not-analysed\"><tr><th>dump</th><th>why</th></tr>";
    for (const auto& [dump, why] : page.not_analysed) {
      out += "<tr><td>" + html_escape(dump) + "</td><td>" + html_escape(why) + "</td></tr>";
    }
    out += "</table>\n";
  }
  out += "</main>\n<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace corelens
