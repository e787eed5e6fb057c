// The Report as Markdown, for pasting into a bug tracker (the GUI's File > Export): the crash,
// the crashing thread's stack, the other threads, modules without symbols and the diagnostics.
// Reports on many dumps at once in Markdown (CI job summaries, triage tables):
// batch/batch_markdown.hpp.
#pragma once

#include <string>

#include "core/model/report.hpp"

namespace corelens {

std::string report_to_markdown(const Report& report);

}  // namespace corelens
