#include "core/report/batch/github_report.hpp"

#include "core/report/batch/crash_words.hpp"

namespace corelens {
namespace {

using crash_words::explanation;
using crash_words::own_frame;
using crash_words::relative;
using crash_words::source_root;
using crash_words::stack_text;
using crash_words::title;
using crash_words::utf8_clean;

// GitHub workflow commands: data and property values are percent-escaped.
std::string gh_escape(const std::string& in, bool property) {
  std::string out;
  for (char ch : in) {
    if (ch == '%') out += "%25";
    else if (ch == '\r') out += "%0D";
    else if (ch == '\n') out += "%0A";
    else if (property && ch == ':') out += "%3A";
    else if (property && ch == ',') out += "%2C";
    else out += ch;
  }
  return out;
}

}  // namespace

std::string to_github_annotations(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                                  const CiReportOptions& options) {
  std::string root = source_root(options);
  std::string out;
  for (const auto& g : groups) {
    const CrashCase& first = cases[g.members.front()];
    std::string props;
    if (first.report) {
      if (const Frame* f = own_frame(*first.report, root)) {
        props = "file=" + gh_escape(relative(f->file, root), true) + ",line=" + std::to_string(f->line);
        if (f->column != 0) props += ",col=" + std::to_string(f->column);
        props += ",";
      }
    }
    props += "title=" + gh_escape(title(first, root), true);
    std::string msg = explanation(first) + (g.members.size() > 1 ? " (" + std::to_string(g.members.size()) + " times)" : "") +
                      "\n" + stack_text(first);
    out += "::error " + props + "::" + gh_escape(msg, false) + "\n";
  }
  return utf8_clean(out, false);
}

}  // namespace corelens
