// Outputs of the report writers that no `corelens` command prints on its own, for the golden
// tests: the GUI's Markdown export (markdown) and what its Copy actions put on the clipboard, the
// crash's one-line summary and each thread's backtrace (clipboard); and the summary `corelens
// run` prints of the crashes it caught (run-summary: one case per CORE, as run makes them from
// the processes it traced; CORE:cut adds the note of a core cut at --max-core-size); and the
// crash history's outputs (history-text, history-json, history-markdown, dashboard: a history
// of the dumps given, golden_history.cpp). Dumps are analysed as `corelens-gui --sysroot
// sysroot --debug-dir debug CORE` would.
// Usage: golden_render markdown|clipboard CORE | golden_render run-summary CORE[:cut]...
//        | golden_render history-text|history-json|history-markdown|dashboard CORE...
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/report/batch/batch_text.hpp"
#include "core/report/crash_summary.hpp"
#include "core/report/markdown_report.hpp"
#include "golden_history.hpp"
#include "unwinder/pipeline/session.hpp"

namespace {

// The golden dumps' modules are under ./sysroot; elsewhere (a person comparing the outputs of
// real dumps before and after a change) the files the dump names are used.
corelens::AnalyzeOptions options() {
  corelens::AnalyzeOptions o;
  if (std::filesystem::is_directory("sysroot")) o.locator.sysroot = "sysroot";
  o.locator.debug_dirs = {"debug"};
  return o;
}

std::string run_summary(const std::vector<std::string>& cores) {
  using namespace corelens;
  std::vector<CrashCase> cases;
  for (std::string core : cores) {
    CrashCase c;
    bool cut = core.ends_with(":cut");
    if (cut) core.resize(core.size() - 4);
    auto report = analyze_file(core, options());
    std::string comm = std::filesystem::path(core).stem().string();
    if (report) {
      c.origin = comm + " (pid " + std::to_string(report->process.pid.value_or(0)) + ", " +
                 (report->signal ? report->signal->name : std::string("no signal")) + ")";
      c.report = std::move(*report);
    } else {
      c.origin = comm;
      c.error = report.error().message;
    }
    if (cut) c.error += (c.error.empty() ? "" : "; ") + std::string("core cut at --max-core-size");
    cases.push_back(std::move(c));
  }
  return to_summary_text(cases, CiReportOptions{});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace corelens;
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "run-summary") {
    std::string out = run_summary(std::vector<std::string>(argv + 2, argv + argc));
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  if (what.starts_with("history-") || what == "dashboard") {
    std::vector<Report> reports;
    for (int i = 2; i < argc; ++i) {
      auto report = analyze_file(argv[i], options());
      if (!report) {
        std::fprintf(stderr, "golden_render: %s\n", report.error().message.c_str());
        return 1;
      }
      reports.push_back(std::move(*report));
    }
    auto out = golden::render_history(what, reports);
    if (!out) {
      std::fprintf(stderr, "golden_render: unknown output '%s'\n", what.c_str());
      return 64;
    }
    std::fwrite(out->data(), 1, out->size(), stdout);
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: golden_render markdown|clipboard CORE | golden_render run-summary CORE[:cut]...\n");
    return 64;
  }
  auto report = analyze_file(argv[2], options());
  if (!report) {
    std::fprintf(stderr, "golden_render: %s\n", report.error().message.c_str());
    return 1;
  }
  std::string out;
  if (what == "markdown") {
    out = report_to_markdown(*report);
  } else if (what == "clipboard") {
    out = summary_line(summarize(*report)) + "\n";
    for (const auto& t : report->threads) out += "\n" + backtrace_text(t);
  } else {
    std::fprintf(stderr, "golden_render: unknown output '%s'\n", what.c_str());
    return 64;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
