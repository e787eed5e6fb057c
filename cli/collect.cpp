// corelens collect: pick up the cores a test run left behind (the kernel's `core`, `core.PID`,
// `*.core`; systemd-coredump's core.COMM.UID.BOOTID.PID.USEC[.zst|.lz4|.xz]) within --since,
// analyse each, and report them for people or for CI, oldest first: in the order the crashes
// happened, so the first one reported is the one that may have caused the others.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/ci_outputs.hpp"
#include "cli/color.hpp"
#include "cli/core_files.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/history/recorder.hpp"
#include "cli/subcommands.hpp"
#include "core/report/batch/batch_json.hpp"
#include "core/report/batch/batch_markdown.hpp"
#include "core/report/text_report.hpp"

namespace corelens::cli {
namespace {

namespace fs = std::filesystem;

int usage_error(const std::string& m) {
  std::fprintf(stderr, "corelens collect: %s\n(try 'corelens collect --help')\n", m.c_str());
  return kExitUsage;
}

std::optional<std::int64_t> parse_duration_seconds(const std::string& s) {
  char* end = nullptr;
  long long n = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() || n < 0) return std::nullopt;
  std::string unit(end);
  if (unit.empty() || unit == "s") return n;
  if (unit == "m" || unit == "min") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  return std::nullopt;
}

}  // namespace

int run_collect(const std::vector<std::string>& argv) {
  std::vector<std::string> inputs;
  std::string format = "text", db;
  std::optional<std::int64_t> since;
  bool fail_on_crash = false;
  ColorMode color = ColorMode::auto_;
  CiOutputs ci;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string err;
    if (a == "-h" || a == "--help") {
      std::fwrite(kHelpCollect.data(), 1, kHelpCollect.size(), stdout);
      return kExitOk;
    }
    if (parse_ci_option(argv, i, ci, err)) {
      if (!err.empty()) return usage_error(err);
    } else if (a == "--color" || a.starts_with("--color=")) {
      std::string v = a.size() > 7 ? a.substr(8) : (i + 1 < argv.size() ? argv[++i] : "");
      auto mode = parse_color_mode(v);
      if (!mode) return usage_error("--color needs auto, always or never");
      color = *mode;
    } else if (a == "--since" || a == "--format" || a == "--db") {
      if (i + 1 >= argv.size()) return usage_error(a + " needs a value");
      const std::string& v = argv[++i];
      if (a == "--format") {
        if (v != "text" && v != "json" && v != "markdown") return usage_error("unknown format '" + v + "'");
        format = v;
      } else if (a == "--db") {
        db = v;
      } else {
        since = parse_duration_seconds(v);
        if (!since) return usage_error("--since needs a duration such as 30m, 1h or 2d");
      }
    } else if (a == "--fail-on-crash") {
      fail_on_crash = true;
    } else if (a.starts_with("-") && a != "-") {
      return usage_error("unknown option " + a);
    } else {
      inputs.push_back(a);
    }
  }
  if (inputs.empty()) return usage_error("collect needs a directory or core files");

  std::vector<FoundCore> found;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (auto& f : find_cores(in, ec)) found.push_back(std::move(f));
      if (ec) std::fprintf(stderr, "corelens collect: %s: %s\n", in.c_str(), ec.message().c_str());
    } else if (auto f = consider_core_file(in, true)) {
      found.push_back(*f);
    } else {
      std::fprintf(stderr, "corelens collect: %s: not a file or directory\n", in.c_str());
      return kExitIo;
    }
  }
  if (since) {
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count();
    std::int64_t oldest = now - *since * 1000000;
    std::erase_if(found, [&](const FoundCore& f) { return f.time_usec < oldest; });
  }
  std::sort(found.begin(), found.end(), [](const FoundCore& a, const FoundCore& b) {
    return a.time_usec != b.time_usec ? a.time_usec < b.time_usec : a.path < b.path;
  });

  // --db: opened before the first analysis; each core recorded as soon as it is analysed.
  std::optional<history::Recorder> recorder;
  if (!db.empty()) {
    auto opened = history::Recorder::open(db);
    if (!opened) {
      std::fprintf(stderr, "corelens collect: %s\n", opened.error().message.c_str());
      return kExitIo;
    }
    recorder.emplace(std::move(*opened));
  }
  AnalyzeOptions analyze = default_analyze_options();
  std::vector<CrashCase> cases;
  for (const auto& f : found) {
    CrashCase c;
    c.origin = fs::path(f.path).filename().string();
    c.core = f.path;
    auto report = analyze_file(f.path, analyze);
    if (report) c.report = std::move(*report);
    else c.error = report.error().message;
    if (recorder && c.report) {
      std::error_code ec;
      auto where = fs::absolute(f.path, ec).lexically_normal().string();
      recorder->record(f.path, history::facts_from_report(*c.report, ec ? f.path : where, f.time_usec));
    }
    cases.push_back(std::move(c));
  }

  std::string out;
  if (format == "json") {
    out = reports_to_json_array(cases);
  } else if (format == "markdown") {
    out = to_markdown(cases, group_crashes(cases), ci.report);
  } else {
    TextOptions text;
    text.color = use_color_for(color, STDOUT_FILENO);
    for (const auto& c : cases) {
      if (c.report) out += report_to_text(*c.report, text) + "\n";
    }
    out += "corelens collect: " + std::to_string(cases.size()) + (cases.size() == 1 ? " core" : " cores") + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  for (const auto& c : cases) {
    if (!c.report) std::fprintf(stderr, "corelens collect: %s\n", c.error.c_str());
  }
  bool ok = write_ci_outputs(cases, ci);
  if (recorder) {
    std::string summary = recorder->summary();
    if (!summary.empty()) std::fprintf(stderr, "corelens collect: in %s:\n%s", recorder->where().c_str(), summary.c_str());
    if (recorder->error()) {
      std::fprintf(stderr, "corelens collect: %s\n", recorder->error()->message.c_str());
      ok = false;
    }
  }
  if (!ok) return kExitIo;
  return fail_on_crash && !cases.empty() ? 1 : kExitOk;
}

}  // namespace corelens::cli
