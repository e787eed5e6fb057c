#include "core/analysis/readable_report.hpp"

#include "core/analysis/readable_names.hpp"

namespace corelens {
namespace {

void make_frame_readable(Frame& frame) {
  if (frame.function.empty() || !frame.function_exact.empty()) return;
  std::string readable = readable_name(frame.function);
  if (readable == frame.function) return;
  frame.function_exact = std::move(frame.function);
  frame.function = std::move(readable);
}

}  // namespace

void make_names_readable(Report& report) {
  for (ThreadReport& thread : report.threads) {
    for (Frame& frame : thread.frames) make_frame_readable(frame);
  }
  if (!report.analysis) return;
  CrashAnalysis& a = *report.analysis;
  // The sentences quote demangled names; readable_name leaves any text without a template
  // instantiation in it exactly as it came.
  a.why = readable_name(a.why);
  a.classification.rule = readable_name(a.classification.rule);
  a.classification.exception_type = readable_name(a.classification.exception_type);
  for (ThreadGroup& group : a.thread_groups) {
    group.top_function = short_function_name(group.top_function);
    group.caller = readable_name(group.caller);
  }
}

}  // namespace corelens
