// The whole analysis of a dump file: open, detect, parse, locate module files, unwind every
// thread, symbolise, and assemble the immutable Report that the CLI and the GUI present.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/report.hpp"
#include "unwinder/dwfl_backend.hpp"
#include "unwinder/module_locator.hpp"

namespace corelens {

struct AnalyzeOptions {
  LocatorOptions locator;
  UnwindLimits limits;
};

// Fails only when the file is not a dump we can read at all; everything short of that is a
// Report with diagnostics.
Result<Report> analyze_file(const std::string& path, const AnalyzeOptions& options);
Report analyze_process(const ProcessDump& dump, const std::string& path, const AnalyzeOptions& options);

// Which thread received the fatal signal: kernel cores list it first; gcore marks it with its
// own NT_SIGINFO while the others show SIGSTOP.
std::size_t crashed_thread_index(const ProcessDump& dump);

}  // namespace corelens
