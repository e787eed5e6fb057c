// What the crash-batch writers (batch_*.cpp, *_report.cpp in this folder) say alike about one
// crash: its title, its explanation, the crashing thread's stack, where it was seen; and the
// escapes their formats need. Not for other callers: the words are the CI reports' own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/report/batch/crash_batch.hpp"

namespace corelens::crash_words {

inline constexpr std::size_t kStackFrames = 32;  // frames shown per crash

// The thread marked crashed, else the first; null without threads.
const ThreadReport* crashed_thread(const Report& r);
// The source root as an absolute path ending in '/': the option's, else the working directory.
std::string source_root(const CiReportOptions& o);
// The topmost frame of the crashing thread in the project's own sources (under the source
// root); failing that, the topmost frame with a source file outside the system's directories.
const Frame* own_frame(const Report& r, const std::string& root);
// FILE relative to ROOT when it is under it.
std::string relative(const std::string& file, const std::string& root);
// The core/analysis category, "" when the analysis made none (or "unknown").
std::string category(const Report& r);

// One sentence: why it died (core/analysis), else the signal; for a case without a report, its
// error.
std::string explanation(const CrashCase& c);
// "SIGSEGV in parse (x.c:12) [prog]"
std::string title(const CrashCase& c, const std::string& root);
// The signal, then the crashing thread's first kStackFrames frames, a line each.
std::string stack_text(const CrashCase& c);
// "prog (pid 12): ./prog --flag  (core core.12)": where the crash was seen.
std::string origin_line(const CrashCase& c, const CiReportOptions& o);

// Text from a core (process names, command lines, paths, symbols) is bytes, not necessarily
// UTF-8; JUnit XML, SARIF and GitHub's Markdown must be UTF-8, and an XML reader stops at the first
// bad byte. Invalid sequences (overlong, surrogates, above U+10FFFF, cut short) become U+FFFD;
// for XML also U+FFFE and U+FFFF, which XML 1.0 forbids.
std::string utf8_clean(std::string_view in, bool xml);
// &, <, >, " and ' as entities; control characters XML 1.0 forbids even escaped as '?'.
std::string xml_escape(const std::string& in);

}  // namespace corelens::crash_words
