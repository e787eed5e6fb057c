// corelens run: run a command, catch every crash of its process tree (cli/capture/tracer.hpp),
// analyse each core as `corelens analyze` would, summarise on stderr, write CI reports, and exit
// as the command did.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/capture/tracer.hpp"
#include "cli/ci_outputs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/history/recorder.hpp"
#include "cli/subcommands.hpp"
#include "core/model/signals.hpp"
#include "core/report/batch/batch_text.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::cli {
namespace {

int usage_error(const std::string& m) {
  std::fprintf(stderr, "corelens run: %s\n(try 'corelens run --help')\n", m.c_str());
  return kExitUsage;
}

// Exits the way the command did: its exit code, or death by its signal (without a core of
// corelens itself), so a shell or CI runner sees exactly what it would have seen.
[[noreturn]] void exit_like(int status) {
  std::fflush(nullptr);
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    std::_Exit(128 + sig);
  }
  std::_Exit(WIFEXITED(status) ? WEXITSTATUS(status) : kExitInternal);
}

}  // namespace

int run_run(const std::vector<std::string>& argv) {
  capture::TraceOptions trace;
  trace.max_core_size = std::uint64_t{4} << 30;
  std::string keep_dir, db;
  bool fail_on_crash = false, quiet = false;
  CiOutputs ci;
  std::size_t i = 0;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string err;
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-h" || a == "--help") {
      std::fwrite(kHelpRun.data(), 1, kHelpRun.size(), stdout);
      return kExitOk;
    }
    if (parse_ci_option(argv, i, ci, err)) {
      if (!err.empty()) return usage_error(err);
    } else if (a == "--keep-cores" || a == "--max-core-size" || a == "--db") {
      if (i + 1 >= argv.size()) return usage_error(a + " needs a value");
      const std::string& v = argv[++i];
      if (a == "--keep-cores") {
        keep_dir = v;
      } else if (a == "--db") {
        db = v;
      } else {
        auto n = parse_size(v);
        if (!n || *n == 0) return usage_error("--max-core-size needs a size such as 512M");
        trace.max_core_size = *n;
      }
    } else if (a == "--fail-on-crash") {
      fail_on_crash = true;
    } else if (a == "--quiet") {
      quiet = true;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + a + " (put the command after --)");
    } else {
      break;  // the command starts here (no "--")
    }
  }
  trace.argv.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
  if (trace.argv.empty()) return usage_error("no command to run");

  // --db: opened before COMMAND runs, so a wrong URL or a missing grant costs nothing.
  std::optional<history::Recorder> recorder;
  if (!db.empty()) {
    auto opened = history::Recorder::open(db);
    if (!opened) {
      std::fprintf(stderr, "corelens run: %s\n", opened.error().message.c_str());
      return kExitIo;
    }
    recorder.emplace(std::move(*opened));
  }

  std::string temp_dir;
  if (keep_dir.empty()) {
    const char* t = std::getenv("TMPDIR");
    std::string tmpl = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/corelens-run-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::perror("corelens run: cannot create a temporary directory for cores");
      return kExitInternal;
    }
    temp_dir = tmpl;
    trace.core_dir = temp_dir;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(keep_dir, ec);
    if (ec) return usage_error("--keep-cores " + keep_dir + ": " + ec.message());
    trace.core_dir = keep_dir;
  }

  auto result = capture::run_traced(trace);
  if (!result) {
    if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir);
    std::fprintf(stderr, "corelens run: %s\n", result.error().message.c_str());
    // As a shell says it: 127 command not found, 126 found but not executable.
    return result.error().code == ErrorCode::not_found ? 127 : 126;
  }

  std::vector<CrashCase> cases;
  AnalyzeOptions analyze = default_analyze_options();
  for (const auto& c : result->crashes) {
    CrashCase cc;
    cc.origin = c.comm + " (pid " + std::to_string(c.pid) + (c.tid != c.pid ? ", thread " + std::to_string(c.tid) : "") +
                ", " + signal_name(c.signo) + ")";
    cc.core = keep_dir.empty() ? "" : c.core;
    cc.error = c.error;
    if (c.truncated) cc.error += (cc.error.empty() ? "" : "; ") + std::string("core cut at --max-core-size");
    if (!c.core.empty()) {
      auto report = analyze_file(c.core, analyze);
      if (report) cc.report = std::move(*report);
      else cc.error += (cc.error.empty() ? "" : "; ") + report.error().message;
      // Recorded before the temporary core is deleted: its bytes are its key. A core that was
      // cut at --max-core-size is not the crash's whole core, and is not recorded.
      if (recorder && cc.report && !c.truncated) {
        std::error_code ec;
        std::string where = keep_dir.empty() ? cc.origin : std::filesystem::absolute(c.core, ec).string();
        std::int64_t now_usec = static_cast<std::int64_t>(std::time(nullptr)) * 1000000;
        recorder->record(c.core, history::facts_from_report(*cc.report, where, now_usec));
      }
    }
    cases.push_back(std::move(cc));
  }
  if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir);

  if (!quiet && !cases.empty()) {
    std::string s = "\ncorelens run: " + std::to_string(cases.size()) + (cases.size() == 1 ? " crash" : " crashes") +
                    " caught among " + std::to_string(result->processes) +
                    (result->processes == 1 ? " traced process" : " traced processes and threads") +
                    (keep_dir.empty() ? "" : "; cores in " + keep_dir) + "\n" + to_summary_text(cases, ci.report);
    std::fwrite(s.data(), 1, s.size(), stderr);
  }
  bool ok = write_ci_outputs(cases, ci);
  if (recorder) {
    std::string summary = recorder->summary();
    if (!quiet && !summary.empty()) std::fprintf(stderr, "corelens run: in %s:\n%s", recorder->where().c_str(), summary.c_str());
    if (recorder->error()) {
      std::fprintf(stderr, "corelens run: %s\n", recorder->error()->message.c_str());
      ok = false;
    }
  }
  int status = result->wait_status;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && ((fail_on_crash && !cases.empty()) || !ok)) return 1;
  exit_like(status);
}

}  // namespace corelens::cli
