// corelens collect: pick up the cores a test run left behind (the kernel's `core`, `core.PID`,
// `*.core`; systemd-coredump's core.COMM.UID.BOOTID.PID.USEC[.zst|.lz4|.xz]), newest first
// within --since, analyse each, and report them for people or for CI.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "cli/ci_reports.hpp"
#include "cli/exit_codes.hpp"
#include "cli/subcommands.hpp"
#include "core/report_json.hpp"
#include "core/report_text.hpp"

namespace corelens::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCollectUsage = R"(usage: corelens collect DIR|CORE... [options]

Finds the cores in each DIR (not recursively): the kernel's `core`, `core.PID` and `*.core`, and
systemd-coredump's core.COMM.UID.BOOTID.PID.USEC[.zst|.lz4|.xz] (/var/lib/systemd/coredump);
files named on the command line are taken whatever their name. Analyses each (compressed ones
too) and reports every crash.

options:
  --since DURATION        only cores from the last DURATION: 90s, 30m, 1h, 2d (systemd's USEC
                          field when the name has one, else the file's modification time)
  --format text|json|markdown   the report on stdout (default text: every report in full)
  --junit FILE, --sarif FILE, --markdown FILE, --github, --source-root DIR, --redact
                          CI reports, as for `corelens run`
  --fail-on-crash         exit with status 1 when any core was found
)";

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

struct Found {
  std::string path;
  std::int64_t time_usec = 0;  // when it crashed, as well as we know
};

// systemd-coredump: core.COMM.UID.BOOTID.PID.USEC[.zst|.lz4|.xz] (COMM may contain dots).
const std::regex& systemd_name() {
  static const std::regex re(R"(^core\.(.+)\.([0-9]+)\.([0-9a-f]{32})\.([0-9]+)\.([0-9]+)(\.(zst|lz4|xz))?$)");
  return re;
}

bool kernel_name(const std::string& name) {
  static const std::regex re(R"(^core(\.[0-9]+)?$)");
  return std::regex_match(name, re) || (name.size() > 5 && name.ends_with(".core"));
}

std::optional<Found> consider(const fs::path& p, bool named) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  std::string name = p.filename().string();
  std::smatch m;
  Found f;
  f.path = p.string();
  if (std::regex_match(name, m, systemd_name())) {
    f.time_usec = std::strtoll(m[5].str().c_str(), nullptr, 10);
    return f;
  }
  if (!named && !kernel_name(name)) return std::nullopt;
  struct stat st {};
  if (::stat(f.path.c_str(), &st) != 0) return std::nullopt;
  f.time_usec = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
  return f;
}

}  // namespace

int run_collect(const std::vector<std::string>& argv) {
  std::vector<std::string> inputs;
  std::string format = "text";
  std::optional<std::int64_t> since;
  bool fail_on_crash = false;
  CiOutputs ci;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string err;
    if (a == "-h" || a == "--help") {
      std::fputs(kCollectUsage, stdout);
      return kExitOk;
    }
    if (parse_ci_option(argv, i, ci, err)) {
      if (!err.empty()) return usage_error(err);
    } else if (a == "--since" || a == "--format") {
      if (i + 1 >= argv.size()) return usage_error(a + " needs a value");
      const std::string& v = argv[++i];
      if (a == "--format") {
        if (v != "text" && v != "json" && v != "markdown") return usage_error("unknown format '" + v + "'");
        format = v;
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

  std::vector<Found> found;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::directory_iterator(in, fs::directory_options::skip_permission_denied, ec)) {
        if (auto f = consider(e.path(), false)) found.push_back(*f);
      }
      if (ec) std::fprintf(stderr, "corelens collect: %s: %s\n", in.c_str(), ec.message().c_str());
    } else if (auto f = consider(in, true)) {
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
    std::erase_if(found, [&](const Found& f) { return f.time_usec < oldest; });
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return a.time_usec != b.time_usec ? a.time_usec < b.time_usec : a.path < b.path;
  });

  AnalyzeOptions analyze = default_analyze_options();
  std::vector<CrashCase> cases;
  for (const auto& f : found) {
    CrashCase c;
    c.origin = fs::path(f.path).filename().string();
    c.core = f.path;
    auto report = analyze_file(f.path, analyze);
    if (report) c.report = std::move(*report);
    else c.error = report.error().message;
    cases.push_back(std::move(c));
  }

  std::string out;
  if (format == "json") {
    out = "[";
    bool first = true;
    for (const auto& c : cases) {
      if (!c.report) continue;
      out += (first ? "\n" : ",\n") + report_to_json(*c.report);
      first = false;
    }
    out += "\n]\n";
  } else if (format == "markdown") {
    out = to_markdown(cases, group_crashes(cases), ci.report);
  } else {
    for (const auto& c : cases) {
      if (c.report) out += report_to_text(*c.report) + "\n";
    }
    out += "corelens collect: " + std::to_string(cases.size()) + (cases.size() == 1 ? " core" : " cores") + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  for (const auto& c : cases) {
    if (!c.report) std::fprintf(stderr, "corelens collect: %s\n", c.error.c_str());
  }
  bool ok = write_ci_outputs(cases, ci);
  if (!ok) return kExitIo;
  return fail_on_crash && !cases.empty() ? 1 : kExitOk;
}

}  // namespace corelens::cli
