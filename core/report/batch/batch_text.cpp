#include "core/report/batch/batch_text.hpp"

#include "core/report/batch/crash_words.hpp"

namespace corelens {
namespace {

std::string group_line(const TriageEntry& g) {
  std::string s = std::to_string(g.dumps.size()) + "  " + g.hash + "  " + g.category + "  (" + g.severity + ")";
  if (g.history) {
    s += g.history->known ? "  KNOWN since " + g.history->first_seen + ", " + std::to_string(g.history->total_count) + " in all"
                          : "  NEW";
  }
  return s;
}

std::string thread_group_words(const TriageEntry& g) {
  std::string s;
  for (const auto& tg : g.thread_groups) {
    if (!s.empty()) s += "; ";
    s += std::to_string(tg.tids.size()) + " threads in " + tg.top_function;
    if (!tg.caller.empty()) s += " from " + tg.caller;
  }
  return s;
}

}  // namespace

std::string to_summary_text(const std::vector<CrashCase>& cases, const CiReportOptions& options) {
  std::string out;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const CrashCase& c = cases[i];
    out += "\n[" + std::to_string(i + 1) + "/" + std::to_string(cases.size()) + "] " + crash_words::origin_line(c, options) + "\n";
    if (!c.report) {
      out += "  " + c.error + "\n";
      continue;
    }
    out += "  " + crash_words::explanation(c) + "\n";
    std::string stack = crash_words::stack_text(c);
    std::size_t start = stack.find('\n');  // the signal line is in the explanation already
    std::size_t lines = 0;
    for (std::size_t pos = start + 1; pos < stack.size() && lines < 12; ++lines) {
      std::size_t end = stack.find('\n', pos);
      out += "  " + stack.substr(pos, end - pos) + "\n";
      pos = end + 1;
    }
    if (!c.error.empty()) out += "  note: " + c.error + "\n";
  }
  return out;
}

std::string triage_to_text(const TriageTable& table) {
  std::string out = std::to_string(table.dumps) + " dumps, " + std::to_string(table.groups.size()) + " signatures" +
                    (table.failed.empty() ? "" : ", " + std::to_string(table.failed.size()) + " not analysed") + "\n";
  for (const auto& g : table.groups) {
    out += "\n" + group_line(g) + "\n";
    out += "  signature  " + g.readable + "\n";
    out += "  why        " + g.why + "\n";
    out += "  example    " + g.example + "\n";
    out += "  top frames";
    for (std::size_t i = 0; i < g.top_frames.size() && i < 5; ++i) out += (i ? " <- " : " ") + g.top_frames[i];
    out += "\n";
    if (std::string tg = thread_group_words(g); !tg.empty()) out += "  threads    " + tg + "\n";
  }
  if (!table.failed.empty()) {
    out += "\nNot analysed:\n";
    for (const auto& r : table.failed) out += "  " + r.status + "  " + r.dump + ": " + r.error + "\n";
  }
  return out;
}

}  // namespace corelens
