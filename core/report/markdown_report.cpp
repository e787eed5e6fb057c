#include "core/report/markdown_report.hpp"

#include "core/model/strings.hpp"
#include "core/report/crash_summary.hpp"

namespace corelens {
namespace {

// Text from the dump in a table cell: no pipes or newlines that would break the table.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : printable(s)) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

// A fenced block whose fence cannot be closed by the content (function names are from the dump).
std::string fenced(const std::string& body) {
  std::string fence = "```";
  while (body.find(fence) != std::string::npos) fence += '`';
  return fence + "text\n" + body + fence + "\n";
}

}  // namespace

std::string report_to_markdown(const Report& r) {
  CrashSummary s = summarize(r);
  std::string out = "# Crash: " + cell(s.signal) + "\n\n";
  out += "| | |\n|---|---|\n";
  out += "| Process | " + cell(r.process.executable) + (r.process.pid ? " (pid " + std::to_string(*r.process.pid) + ")" : "") + " |\n";
  if (!r.process.command_line.empty()) out += "| Command | `" + cell(r.process.command_line) + "` |\n";
  out += "| Signal | " + cell(s.signal) + (s.cause.empty() ? "" : ", " + cell(s.cause)) + " |\n";
  if (!s.address.empty()) out += "| Address | " + cell(s.address) + " |\n";
  if (!s.thread.empty()) out += "| Crashed | " + cell(s.thread) + " |\n";
  if (!s.location.empty()) out += "| Where | " + cell(s.location) + " |\n";
  if (!s.explanation.empty()) out += "| Why | " + cell(s.explanation) + " |\n";
  out += "| Dump | " + cell(r.dump_path) + " (" + cell(r.arch) + ", written by " +
         producer_words(r.producer) + ") |\n\n";

  if (!r.threads.empty()) {
    const ThreadReport& crashed = r.threads[crashed_thread(r)];
    const int digits = address_digits(r.arch);
    out += "## Crashing thread\n\n" + fenced(backtrace_text(crashed, digits)) + "\n";
    if (r.threads.size() > 1) {
      out += "## Other threads\n\n";
      for (const auto& t : r.threads) {
        if (&t != &crashed) out += fenced(backtrace_text(t, digits)) + "\n";
      }
    }
  }

  bool header = false;
  for (const auto& m : r.modules) {
    if (m.symbols != SymbolSource::none && m.symbols != SymbolSource::mismatch) continue;
    if (!header) out += "## Modules without symbols\n\n| Module | Build-id | Symbols | Note |\n|---|---|---|---|\n";
    header = true;
    out += "| " + cell(m.path) + " | " + cell(m.build_id) + " | " + to_string(m.symbols) + " | " + cell(m.symbols_note) + " |\n";
  }
  if (header) out += "\n";

  header = false;
  for (const auto& d : r.diagnostics) {
    if (!header) out += "## Diagnostics\n\n";
    header = true;
    out += std::string("- **") + to_string(d.severity) + "** " + cell(d.message) + " (`" + cell(d.code) + "`";
    if (d.where) out += ", at " + hex(*d.where);
    out += ")\n";
  }
  return out;
}

}  // namespace corelens
