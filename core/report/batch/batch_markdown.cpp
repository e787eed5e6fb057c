#include "core/report/batch/batch_markdown.hpp"

#include "core/report/batch/crash_words.hpp"

namespace corelens {
namespace {

// A table cell of the CI summary: pipes escaped, newlines as spaces.
std::string cell(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '|') o += "\\|";
    else if (ch == '\n') o += ' ';
    else o += ch;
  }
  return o;
}

// Text in triage's table: every character Markdown could read as markup is escaped.
std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string to_markdown(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                        const CiReportOptions& options) {
  using crash_words::explanation, crash_words::origin_line, crash_words::source_root, crash_words::stack_text,
      crash_words::title, crash_words::utf8_clean, crash_words::xml_escape;
  std::string root = source_root(options);
  std::string out = "## corelens: " + std::to_string(cases.size()) + (cases.size() == 1 ? " crash" : " crashes");
  out += groups.empty() ? "\n\nNo process crashed.\n" : " in " + std::to_string(groups.size()) +
                                                           (groups.size() == 1 ? " group\n\n" : " groups\n\n");
  if (groups.empty()) return out;
  out += "| # | crash | why | times |\n|---|---|---|---|\n";
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const CrashCase& first = cases[groups[i].members.front()];
    out += "| " + std::to_string(i + 1) + " | " + cell(title(first, root)) + " | " + cell(explanation(first)) + " | " +
           std::to_string(groups[i].members.size()) + " |\n";
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const CrashCase& first = cases[groups[i].members.front()];
    out += "\n<details><summary>" + std::to_string(i + 1) + ". " + xml_escape(title(first, root)) + "</summary>\n\n";
    out += "```\n" + stack_text(first) + "```\n\n";
    out += "Signature: `" + groups[i].signature + "`\n\n";
    for (std::size_t m : groups[i].members) out += "- " + cell(origin_line(cases[m], options)) + "\n";
    out += "\n</details>\n";
  }
  return utf8_clean(out, false);
}

std::string triage_to_markdown(const TriageTable& table) {
  std::string out = "# corelens triage\n\n" + std::to_string(table.dumps) + " dumps, " +
                    std::to_string(table.groups.size()) +
                    " signatures\n\n| count | signature | category | severity | status | example | top frames |\n"
                    "|---:|---|---|---|---|---|---|\n";
  for (const auto& g : table.groups) {
    std::string frames;
    for (std::size_t i = 0; i < g.top_frames.size() && i < 5; ++i) frames += (i ? " ← " : "") + g.top_frames[i];
    out += "| " + std::to_string(g.dumps.size()) + " | `" + g.hash + "` " + md_escape(g.readable) + " | " + g.category +
           " | " + g.severity + " | " + (g.history ? (g.history->known ? "KNOWN" : "NEW") : "") + " | " +
           md_escape(g.example) + " | " + md_escape(frames) + " |\n";
  }
  if (!table.failed.empty()) {
    out += "\n## Not analysed\n\n";
    for (const auto& r : table.failed) out += "- " + r.status + ": " + md_escape(r.dump) + ": " + md_escape(r.error) + "\n";
  }
  return out;
}

}  // namespace corelens
