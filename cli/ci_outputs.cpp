#include "cli/ci_outputs.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "core/report/batch/batch_markdown.hpp"
#include "core/report/batch/github_report.hpp"
#include "core/report/batch/junit_report.hpp"
#include "core/report/batch/sarif_report.hpp"

namespace corelens::cli {

bool parse_ci_option(const std::vector<std::string>& argv, std::size_t& i, CiOutputs& out, std::string& error) {
  const std::string& a = argv[i];
  if (a == "--github") {
    out.github = true;
    return true;
  }
  if (a == "--redact") {
    out.report.redact_command_lines = true;
    return true;
  }
  std::string* target = a == "--junit" ? &out.junit : a == "--sarif" ? &out.sarif : a == "--markdown" ? &out.markdown
                        : a == "--source-root" ? &out.report.source_root : nullptr;
  if (target == nullptr) return false;
  if (i + 1 >= argv.size()) {
    error = a + " needs a value";
    return true;
  }
  *target = argv[++i];
  return true;
}

bool write_ci_outputs(const std::vector<CrashCase>& cases, const CiOutputs& o) {
  auto groups = group_crashes(cases);
  bool ok = true;
  auto write = [&](const std::string& path, const std::string& text, bool append = false) {
    std::ofstream f(path, append ? std::ios::app : std::ios::trunc);
    f << text;
    if (!f) {
      std::fprintf(stderr, "corelens: cannot write %s\n", path.c_str());
      ok = false;
    }
  };
  if (!o.junit.empty()) write(o.junit, to_junit(cases, groups, o.report));
  if (!o.sarif.empty()) write(o.sarif, to_sarif(cases, groups, o.report));
  if (!o.markdown.empty()) write(o.markdown, to_markdown(cases, groups, o.report));
  if (o.github) {
    std::string a = to_github_annotations(cases, groups, o.report);
    std::fwrite(a.data(), 1, a.size(), stdout);
    std::fflush(stdout);
    const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
    if (summary != nullptr && *summary != '\0') write(summary, to_markdown(cases, groups, o.report), true);
  }
  return ok;
}

}  // namespace corelens::cli
