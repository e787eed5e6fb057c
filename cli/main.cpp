// corelens: the command-line front end. Thin by design: it parses arguments, runs the analysis
// library, and prints the Report; it never reads dump bytes itself.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <climits>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/analyze_values.hpp"
#include "cli/color.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/history/history_command.hpp"
#include "cli/isolation.hpp"
#include "cli/subcommands.hpp"
#include "cli/triage.hpp"
#include "core/report/json_report.hpp"
#include "core/report/text_report.hpp"
#include "unwinder/library_versions.hpp"
#include "unwinder/pipeline/live_session.hpp"
#include "unwinder/pipeline/session.hpp"
#include "unwinder/unwinder_choice.hpp"

namespace corelens::cli {
namespace {

struct Args {
  std::string core;  // -c/--core, or the last positional argument
  std::optional<int> pid;  // --pid: a running process instead of a core
  std::string format = "text";
  ColorMode color = ColorMode::auto_;
  AnalyzeOptions analyze;
  TextOptions text;
  bool isolate = false;
  IsolationLimits limits;
  ValueRequest values;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "corelens: %s\n(try 'corelens --help')\n", message.c_str());
  return kExitUsage;
}

// Analyses the dump (or, with --pid, the live process) and writes the report to FD; errors go to
// stderr. Returns the exit code.
int analyze_and_print(const Args& args, int fd) {
  Result<Report> report = Report{};
  if (args.pid) {
    // The process runs on once it is read: values come from the copy, as from a core.
    auto session = open_process(*args.pid, args.analyze);
    bool values = args.format == "text" || args.values.locals || args.values.print;
    if (session && values) return write_with_values(**session, args.format, args.text, args.values, fd);
    if (session) report = (*session)->report();
    else report = unexpected(session.error());
  } else if (args.format == "text" || args.values.locals || args.values.print) {
    // Values (the text's frame arguments, --locals, --print) read the dump while the report is
    // written: the session stays open for them.
    return analyze_with_values(args.core, args.analyze, args.format, args.text, args.values, fd);
  } else {
    report = analyze_file(args.core, args.analyze);
  }
  if (!report) {
    std::fprintf(stderr, "corelens: %s\n", report.error().message.c_str());
    return exit_code_for(report.error());
  }
  if (args.format == "json") {
    // Streamed: the JSON of a deep or wide dump is tens of MiB, and need not exist whole.
    bool ok = write_report_json(*report, [fd](std::string_view piece) { return write_all(fd, piece); });
    return ok && write_all(fd, "\n") ? kExitOk : kExitIo;
  }
  return write_all(fd, report_to_text(*report, args.text)) ? kExitOk : kExitIo;
}

// --isolate: the same in a child with limits (cli/isolation.hpp). The child's report is held
// until it has finished, so a crash half-way never leaves half a JSON document on stdout.
int analyze_isolated(const Args& args) {
  auto child = spawn_isolated(args.core, args.limits, [&](int fd) { return analyze_and_print(args, fd); });
  if (!child) {
    std::fprintf(stderr, "corelens: cannot start the isolated analysis: %s\n", std::strerror(errno));
    return kExitInternal;
  }
  ChildResult result = wait_for_child(*child, args.limits.timeout_seconds);
  if (auto end = abnormal_end(result.wait_status, result.killed_for_time)) {
    std::fprintf(stderr, "corelens: %s: %s\n", args.core.c_str(), end->message.c_str());
    return end->over_limit ? kExitLimit : kExitInternal;
  }
  if (!write_all(STDOUT_FILENO, result.output)) return kExitIo;
  return WIFEXITED(result.wait_status) ? WEXITSTATUS(result.wait_status) : kExitInternal;
}

// "--format=json" as "--format" "json", for every option that takes a value (GNU style; the
// shell completions offer both).
std::vector<std::string> split_equals(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (const auto& a : argv) {
    std::size_t eq = a.find('=');
    if (a.starts_with("--") && eq != std::string::npos) {
      out.push_back(a.substr(0, eq));
      out.push_back(a.substr(eq + 1));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

int run_analyze(const std::vector<std::string>& raw_argv) {
  const std::vector<std::string> argv = split_equals(raw_argv);
  Args args;
  std::vector<std::string> positional;
  bool debug_dir_given = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto value = [&](const char* name) -> const std::string* {
      if (i + 1 >= argv.size()) return nullptr;
      (void)name;
      return &argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fwrite(kHelpMain.data(), 1, kHelpMain.size(), stdout);
      return kExitOk;
    } else if (a == "-c" || a == "--core") {
      // gdb's `EXECUTABLE -c CORE`, which `coredumpctl debug --debugger=corelens` runs.
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a core file");
      if (!args.core.empty()) return usage_error("more than one core file");
      args.core = *v;
    } else if (a == "--pid" || a == "-p") {
      // A running process, analysed without stopping it for longer than it takes to copy it.
      const std::string* v = value(a.c_str());
      char* end = nullptr;
      long n = v == nullptr ? 0 : std::strtol(v->c_str(), &end, 10);
      if (v == nullptr || end == v->c_str() || *end != '\0' || n <= 0 || n > INT32_MAX) {
        return usage_error(a + " needs a process id");
      }
      args.pid = static_cast<int>(n);
    } else if (a == "--color") {
      const std::string* v = value(a.c_str());
      auto mode = v == nullptr ? std::nullopt : parse_color_mode(*v);
      if (!mode) return usage_error("--color needs auto, always or never");
      args.color = *mode;
    } else if (a == "--skip-frames") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      auto extra = SkipList::load(*v);
      if (!extra) return usage_error(extra.error().message);
      SkipList skip = SkipList::builtin();
      for (const auto& p : extra->patterns()) skip.add(p);
      args.analyze.skip_frames = std::move(skip);
    } else if (a == "--unwinder") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      auto choice = parse_unwinder_choice(*v);
      if (!choice) return usage_error("unknown unwinder '" + *v + "' (dwfl, libunwind, auto or cross-check)");
      args.analyze.unwinder = *choice;
    } else if (a == "--vmlinux") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      args.analyze.kernel.vmlinux.vmlinux = *v;
    } else if (a == "--module-dir") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      args.analyze.kernel.module_dirs.push_back(*v);
    } else if (a == "--kernel-unwinder") {
      const std::string* v = value(a.c_str());
      if (v == nullptr || (*v != "orc" && *v != "dwarf-cfi")) return usage_error(a + " needs orc or dwarf-cfi");
      args.analyze.kernel.cfi_first = *v == "dwarf-cfi";
    } else if (a == "--debuginfod-timeout") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      char* end = nullptr;
      double seconds = std::strtod(v->c_str(), &end);
      if (end == v->c_str() || *end != '\0' || !(seconds > 0) || seconds > 86400) {
        return usage_error("--debuginfod-timeout needs a number of seconds (more than 0, at most 86400)");
      }
      args.analyze.locator.debuginfod_timeout = seconds;
    } else if (a == "--exe" || a == "--sysroot" || a == "--debug-dir" || a == "--format" || a == "--max-frames") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      if (a == "--exe") args.analyze.locator.executable = *v;
      else if (a == "--sysroot") args.analyze.locator.sysroot = *v;
      else if (a == "--debug-dir") {
        args.analyze.locator.debug_dirs.push_back(*v);
        debug_dir_given = true;
      } else if (a == "--format") {
        if (*v != "text" && *v != "json") return usage_error("unknown format '" + *v + "' (text or json)");
        args.format = *v;
      } else {
        char* end = nullptr;
        unsigned long long n = std::strtoull(v->c_str(), &end, 10);
        if (end == v->c_str() || *end != '\0' || n == 0) return usage_error("--max-frames needs a positive number");
        args.analyze.limits.max_frames = static_cast<std::size_t>(n);
      }
    } else if (a == "--locals") {
      args.values.locals = true;
    } else if (a == "--raw") {
      args.values.raw = true;
    } else if (a == "--print") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error("--print needs an expression");
      args.values.print = *v;
    } else if (a == "--depth" || a == "--frame" || a == "--thread") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a number");
      char* end = nullptr;
      long long n = std::strtoll(v->c_str(), &end, 10);
      if (end == v->c_str() || *end != '\0' || n < 0 || n > (a == "--depth" ? 64 : 0x7fffffff)) {
        return usage_error(a + (a == "--depth" ? " needs a number from 0 to 64" : " needs a number"));
      }
      if (a == "--depth") args.values.depth = static_cast<int>(n);
      else if (a == "--frame") args.values.frame = static_cast<std::size_t>(n);
      else args.values.tid = static_cast<std::int32_t>(n);
    } else if (a == "--isolate") {
      args.isolate = true;
    } else if (a == "--timeout" || a == "--memory-limit") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      char* end = nullptr;
      unsigned long long n = std::strtoull(v->c_str(), &end, 10);
      bool timeout = a == "--timeout";
      if (end == v->c_str() || *end != '\0' || n == 0 || n > (timeout ? 86400ull : 1ull << 30)) {
        return usage_error(timeout ? "--timeout needs seconds (1 to 86400)" : "--memory-limit needs MiB");
      }
      if (timeout) args.limits.timeout_seconds = static_cast<unsigned>(n);
      else args.limits.memory_limit_mib = n;
      args.isolate = true;
    } else if (a == "--registers") {
      args.text.show_registers = true;
    } else if (a == "--modules") {
      args.text.show_modules = true;
    } else if (a == "--mappings") {
      args.text.show_mappings = true;
    } else if (a == "--notes") {
      args.text.show_notes = true;
    } else if (a == "--no-collapse") {
      args.text.collapse_recursion = false;
    } else if (a.starts_with("-") && a != "-") {
      return usage_error("unknown option " + a);
    } else {
      positional.push_back(a);
    }
  }
  if (!args.core.empty()) positional.push_back(args.core);  // -c CORE: as if it came last
  if (args.pid && positional.size() > 1) return usage_error("--pid analyses a running process: give no core");
  if (args.pid && positional.size() == 1 && args.analyze.locator.executable.empty()) {
    args.analyze.locator.executable = positional[0];  // corelens analyze EXECUTABLE --pid PID
    positional.clear();
  }
  if (args.pid) positional.push_back("process " + std::to_string(*args.pid));
  if (positional.empty()) return usage_error("analyze needs a core file (or --pid PID)");
  if (positional.size() > 2) return usage_error("too many arguments");
  if (positional.size() == 2) {
    // corelens analyze EXECUTABLE CORE, as gdb takes them.
    if (args.analyze.locator.executable.empty()) args.analyze.locator.executable = positional[0];
    positional.erase(positional.begin());
  }
  args.core = positional.front();
  if ((args.values.frame != 0 || args.values.tid) && !args.values.print) return usage_error("--frame and --thread go with --print");
  args.text.color = args.format == "text" && use_color_for(args.color, STDOUT_FILENO);
  if (!debug_dir_given) args.analyze.locator.debug_dirs.push_back("/usr/lib/debug");
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  args.analyze.locator.use_debuginfod = urls != nullptr && *urls != '\0';
  if (args.analyze.locator.use_debuginfod && ::isatty(STDERR_FILENO) == 1) {
    // Downloads take seconds: a person at a terminal sees them count down, then the line goes.
    args.analyze.progress = [shown = false](const AnalyzeProgress& p) mutable {
      if (p.stage == "fetching from debuginfod") {
        std::fprintf(stderr, "\rfetching from debuginfod: %zu of %zu look-ups done", p.done, p.total);
        shown = true;
      } else if (shown) {
        std::fputs("\r\033[K", stderr);
        shown = false;
      }
      std::fflush(stderr);
      return true;
    };
  }

  return args.isolate ? analyze_isolated(args) : analyze_and_print(args, STDOUT_FILENO);
}

std::string version() {
  std::vector<LibraryVersion> own = {
      {"sqlite", sqlite3_libversion()},
      {"libpq", history::libpq_version()},
      {"nlohmann-json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_MINOR) +
                            "." + std::to_string(NLOHMANN_JSON_VERSION_PATCH)},
  };
  return version_text("corelens", CORELENS_VERSION, own);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    // On a machine with systemd-coredump: its recent crashes. Elsewhere: how to use corelens.
    if (auto listed = list_recent_crashes()) return *listed;
    return usage_error("no command given");
  }
  const std::string& cmd = args.front();
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fwrite(kHelpMain.data(), 1, kHelpMain.size(), stdout);
    return kExitOk;
  }
  if (cmd == "--version") {
    std::string v = version();
    std::fwrite(v.data(), 1, v.size(), stdout);
    return kExitOk;
  }
  if (cmd == "analyze") return run_analyze({args.begin() + 1, args.end()});
  if (cmd == "run") return run_run({args.begin() + 1, args.end()});
  if (cmd == "collect") return run_collect({args.begin() + 1, args.end()});
  if (cmd == "triage") return run_triage({args.begin() + 1, args.end()});
  if (cmd == "history") return history::run_history({args.begin() + 1, args.end()});
  if (cmd == "snapshot") return run_snapshot({args.begin() + 1, args.end()});
  // No subcommand: `corelens CORE`, `corelens EXECUTABLE CORE`, or what `coredumpctl debug
  // --debugger=corelens [--debugger-arguments=ARGS]` runs: `corelens [ARGS] EXECUTABLE -c CORE`.
  return run_analyze(args);
}

}  // namespace corelens::cli

int main(int argc, char** argv) {
  try {
    return corelens::cli::main(argc, argv);
  } catch (const std::exception& e) {
    // Nothing should throw past the libraries; if something does, say so instead of aborting.
    std::fprintf(stderr, "corelens: internal error: %s\n", e.what());
    return corelens::cli::kExitInternal;
  }
}
