// The Report as Markdown, for pasting into a bug tracker: the crash, the crashing thread's stack,
// the other threads, modules without symbols and the diagnostics. Qt-free.
// (The CLI has no Markdown formatter yet; when core/ gains one, the GUI should use that instead.)
#pragma once

#include <string>

#include "core/model/report.hpp"

namespace corelens::gui {

std::string report_to_markdown(const Report& report);
// The stack of one thread as text (frame_to_text lines under a "Thread N" header).
std::string backtrace_text(const ThreadReport& thread);

}  // namespace corelens::gui
