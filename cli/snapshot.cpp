// `corelens snapshot PID -o FILE`: a core of a running process, as gdb's gcore writes one, and the
// process runs on. Every thread is stopped (parsers/live/ptrace_stop.hpp), the core is written
// with the same writer as `corelens run` uses (cli/capture/process_core.hpp: the memory the
// process's coredump_filter selects), and every thread is let go. The core has no signal:
// corelens reads it as a snapshot.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/capture/process_core.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/subcommands.hpp"
#include "parsers/live/ptrace_stop.hpp"

namespace corelens::cli {
namespace {

int snapshot_usage(const std::string& message) {
  std::fprintf(stderr, "corelens snapshot: %s\n(try 'corelens snapshot --help')\n", message.c_str());
  return kExitUsage;
}

int exit_code(const Error& e) {
  switch (e.code) {
    case ErrorCode::not_found: return kExitIo;
    case ErrorCode::not_permitted: return kExitNoPermission;
    case ErrorCode::busy: return kExitLimit;
    case ErrorCode::unsupported: return kExitUnsupported;
    default: return kExitInternal;
  }
}

}  // namespace

int run_snapshot(const std::vector<std::string>& argv) {
  std::string output;
  std::optional<int> pid;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fwrite(kHelpSnapshot.data(), 1, kHelpSnapshot.size(), stdout);
      return kExitOk;
    } else if (a == "-o" || a == "--output") {
      if (i + 1 >= argv.size()) return snapshot_usage(a + " needs a file");
      output = argv[++i];
    } else if (a.starts_with("--output=")) {
      output = a.substr(9);
    } else if (a.starts_with("-")) {
      return snapshot_usage("unknown option " + a);
    } else {
      char* end = nullptr;
      long n = std::strtol(a.c_str(), &end, 10);
      if (end == a.c_str() || *end != '\0' || n <= 0 || n > INT32_MAX) return snapshot_usage("not a process id: " + a);
      if (pid) return snapshot_usage("one process at a time");
      pid = static_cast<int>(n);
    }
  }
  if (!pid) return snapshot_usage("which process? corelens snapshot PID -o FILE");
  if (output.empty()) output = "core." + std::to_string(*pid);  // gcore's name
#if !defined(__x86_64__)
  std::fprintf(stderr, "corelens snapshot: live processes are read on x86_64 only\n");
  return kExitUnsupported;
#else
  if (::access(output.c_str(), F_OK) == 0) {
    std::fprintf(stderr, "corelens snapshot: %s exists; not overwritten\n", output.c_str());
    return kExitIo;
  }
  auto stopped = live::StoppedProcess::stop(*pid);
  if (!stopped) {
    std::fprintf(stderr, "corelens snapshot: %s\n", stopped.error().message.c_str());
    return exit_code(stopped.error());
  }
  capture::CoreRequest req;
  req.tgid = *pid;
  const auto& threads = (*stopped)->threads();
  req.crashed_tid = threads.front();
  req.other_tids.assign(threads.begin() + 1, threads.end());
  req.signo = 0;  // a snapshot: no signal
  req.path = output;
  auto written = capture::write_process_core(req);
  std::uint64_t stopped_us = (*stopped)->resume();
  if (!written) {
    ::unlink(output.c_str());
    std::fprintf(stderr, "corelens snapshot: %s\n", written.error().message.c_str());
    return exit_code(written.error());
  }
  for (const auto& w : written->warnings) std::fprintf(stderr, "corelens snapshot: warning: %s\n", w.c_str());
  std::fprintf(stderr, "corelens snapshot: wrote %s (%llu bytes, %zu threads); process %d was stopped for %.1f ms\n",
               output.c_str(), static_cast<unsigned long long>(written->size), threads.size(), *pid,
               static_cast<double>(stopped_us) / 1000);
  return kExitOk;
#endif
}

}  // namespace corelens::cli
