// print-crash CORE [EXECUTABLE]: why the process died, and the crashing thread's stack, one
// frame a line. A small user of corelens' libraries (see CMakeLists.txt beside it).
#include <cstdio>

#include "core/report/text_report.hpp"  // signal_summary, frame_to_text
#include "unwinder/pipeline/session.hpp"  // analyze_file: open, unwind and symbolise a dump

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: print-crash CORE [EXECUTABLE]\n");
    return 64;
  }
  corelens::AnalyzeOptions options;
  options.locator.debug_dirs.push_back("/usr/lib/debug");  // separate debug info, by build-id
  if (argc == 3) options.locator.executable = argv[2];

  // Errors are values: a file that is not a dump comes back as an Error, never an exception.
  corelens::Result<corelens::Report> report = corelens::analyze_file(argv[1], options);
  if (!report) {
    std::fprintf(stderr, "print-crash: %s\n", report.error().message.c_str());
    return 65;
  }
  if (report->signal) std::printf("%s\n", corelens::signal_summary(*report->signal).c_str());
  for (const corelens::ThreadReport& thread : report->threads) {
    if (!thread.crashed) continue;
    std::printf("thread %d:\n", thread.tid);
    for (const corelens::Frame& frame : thread.frames) {
      std::printf("  %s\n", corelens::frame_to_text(frame).c_str());
    }
  }
  return 0;
}
