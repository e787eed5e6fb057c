// The GUI's text exports of a dump, for the golden tests: what File > Export writes as Markdown
// (markdown), and what the Copy actions put on the clipboard: the crash's one-line summary and
// each thread's backtrace (clipboard). The dump is analysed as `corelens-gui --sysroot sysroot
// --debug-dir debug CORE` would, so the outputs match the CLI's goldens of the same dump.
// Usage: golden_render markdown|clipboard CORE
#include <cstdio>
#include <string>

#include "core/pipeline/session.hpp"
#include "gui/crash_summary.hpp"
#include "gui/report_markdown.hpp"

int main(int argc, char** argv) {
  using namespace corelens;
  if (argc != 3) {
    std::fprintf(stderr, "usage: golden_render markdown|clipboard CORE\n");
    return 64;
  }
  const std::string what = argv[1];
  AnalyzeOptions options;
  options.locator.sysroot = "sysroot";
  options.locator.debug_dirs = {"debug"};
  auto report = analyze_file(argv[2], options);
  if (!report) {
    std::fprintf(stderr, "golden_render: %s\n", report.error().message.c_str());
    return 1;
  }
  std::string out;
  if (what == "markdown") {
    out = gui::report_to_markdown(*report);
  } else if (what == "clipboard") {
    out = gui::summary_line(gui::summarize(*report)) + "\n";
    for (const auto& t : report->threads) out += "\n" + gui::backtrace_text(t);
  } else {
    std::fprintf(stderr, "golden_render: unknown output '%s'\n", what.c_str());
    return 64;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
