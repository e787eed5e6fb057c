#include "core/report/batch/junit_report.hpp"

#include "core/report/batch/crash_words.hpp"

namespace corelens {

using crash_words::explanation;
using crash_words::origin_line;
using crash_words::source_root;
using crash_words::stack_text;
using crash_words::title;
using crash_words::utf8_clean;
using crash_words::xml_escape;

std::string to_junit(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                     const CiReportOptions& options) {
  std::string root = source_root(options);
  std::string n = std::to_string(groups.size());
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"corelens\" tests=\"" + n + "\" failures=\"" + n + "\" errors=\"0\">\n";
  out += "  <testsuite name=\"corelens.crashes\" tests=\"" + n + "\" failures=\"" + n +
         "\" errors=\"0\" skipped=\"0\" time=\"0\">\n";
  for (const auto& g : groups) {
    const CrashCase& first = cases[g.members.front()];
    std::string name = title(first, root);
    if (g.members.size() > 1) name += " x" + std::to_string(g.members.size());
    std::string body = stack_text(first) + "\nsignature: " + g.signature + "\n";
    std::string seen;
    for (std::size_t m : g.members) seen += origin_line(cases[m], options) + "\n";
    out += "    <testcase classname=\"corelens.crash\" name=\"" + xml_escape(name) + "\" time=\"0\">\n";
    out += "      <failure message=\"" + xml_escape(explanation(first)) + "\" type=\"" +
           xml_escape(first.report && first.report->signal ? first.report->signal->name : "crash") + "\">" +
           xml_escape(body) + "</failure>\n";
    out += "      <system-out>" + xml_escape(body + "\ncrashed " + std::to_string(g.members.size()) + " time(s):\n" + seen) +
           "</system-out>\n";
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return utf8_clean(out, true);
}

}  // namespace corelens
