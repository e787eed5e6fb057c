// `corelens` with no arguments on a machine with systemd-coredump: the recent crashes it kept,
// newest first, as `coredumpctl list` shows them, with the command that analyses each. The cores
// are found by their names (cli/core_files.hpp, as `corelens collect` finds them); only the
// newest few are opened, and only their notes are read (no unwinding), so the list is quick
// even when the directory holds gigabytes.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/core_files.hpp"
#include "cli/subcommands.hpp"
#include "core/file/mapped_file.hpp"
#include "core/model/signals.hpp"
#include "core/model/strings.hpp"
#include "parsers/compressed.hpp"
#include "parsers/elf_core.hpp"

namespace corelens::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kListed = 10;  // the newest ones; `corelens collect DIR` reports them all

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string dirs = path;
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

std::string local_time(std::int64_t usec) {
  std::time_t t = static_cast<std::time_t>(usec / 1000000);
  std::tm tm{};
  char buf[32] = "?";
  if (::localtime_r(&t, &tm) != nullptr) std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string human_size(std::uintmax_t bytes) {
  const char* units[] = {"B", "K", "M", "G", "T"};
  double v = static_cast<double>(bytes);
  std::size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
  return buf;
}

struct Row {
  std::string time, pid, uid, signal = "?", size, what;
};

// The signal and executable from the core's notes; what the file name says when it cannot be read.
Row describe(const FoundCore& c) {
  Row row;
  // Appended piece by piece: GCC 12's -Wrestrict misfires on `" (" + message + ")"` here.
  auto unreadable = [&row](const std::string& why) {
    row.what += " (";
    row.what += why;
    row.what += ")";
    return row;
  };
  row.time = local_time(c.time_usec);
  if (c.systemd) {
    row.pid = std::to_string(c.systemd->pid);
    row.uid = std::to_string(c.systemd->uid);
    row.what = printable(c.systemd->comm);
  }
  std::error_code ec;
  auto size = fs::file_size(c.path, ec);
  row.size = ec ? std::string("?") : human_size(size);
  auto file = MappedFile::open(c.path);
  if (!file) return unreadable(file.error().message);
  std::shared_ptr<const MappedFile> plain = *file;
  if (detect_compression((*file)->bytes()) != Compression::none) {
    auto d = decompress(**file);
    if (!d) return unreadable(d.error().message);
    plain = *d;
  }
  auto dump = parse_elf_core(plain);
  if (!dump) return unreadable(dump.error().message);
  if (dump->siginfo && dump->siginfo->signo != 0) row.signal = signal_name(dump->siginfo->signo);
  if (dump->psinfo) {
    if (row.pid.empty()) row.pid = std::to_string(dump->psinfo->pid);
    if (row.uid.empty()) row.uid = std::to_string(dump->psinfo->uid);
  }
  for (const auto& m : dump->modules) {
    if (m.is_main_executable) row.what = printable(m.path);
  }
  if (row.what.empty() && dump->psinfo) row.what = printable(dump->psinfo->fname);
  return row;
}

}  // namespace

std::optional<int> list_recent_crashes() {
  // systemd-coredump is here when coredumpctl is, or when its directory holds cores (systemd
  // itself creates the directory, so an empty one says nothing). CORELENS_COREDUMP_DIR replaces
  // the detection: that directory, when it exists (tests; systems that keep cores elsewhere).
  const char* override_dir = std::getenv("CORELENS_COREDUMP_DIR");
  bool overridden = override_dir != nullptr && *override_dir != '\0';
  std::string dir = overridden ? override_dir : kSystemdCoredumpDir;
  std::error_code ec;
  std::vector<FoundCore> found;
  if (fs::is_directory(dir, ec)) {
    found = find_cores(dir, ec);
    std::erase_if(found, [](const FoundCore& f) { return !f.systemd; });
  } else if (overridden) {
    return std::nullopt;
  }
  if (!overridden && found.empty() && !on_path("coredumpctl")) return std::nullopt;
  if (ec) {
    std::fprintf(stderr, "corelens: %s: %s (its cores may be readable as root)\n", dir.c_str(), ec.message().c_str());
  }
  if (found.empty()) {
    std::printf("No crashes kept by systemd-coredump in %s.\n"
                "(coredumpctl list shows those only in the journal; corelens --help for usage)\n",
                dir.c_str());
    return 0;
  }
  std::sort(found.begin(), found.end(), [](const FoundCore& a, const FoundCore& b) {
    return a.time_usec != b.time_usec ? a.time_usec > b.time_usec : a.path < b.path;
  });
  std::size_t shown = std::min(found.size(), kListed);
  std::vector<Row> rows{{"TIME", "PID", "UID", "SIGNAL", "SIZE", "EXECUTABLE"}};
  for (std::size_t i = 0; i < shown; ++i) rows.push_back(describe(found[i]));
  std::size_t w[5] = {};
  for (const auto& r : rows) {
    const std::string* cells[5] = {&r.time, &r.pid, &r.uid, &r.signal, &r.size};
    for (std::size_t k = 0; k < 5; ++k) w[k] = std::max(w[k], cells[k]->size());
  }
  std::string out = "Recent crashes kept by systemd-coredump in " + dir + ", newest first:\n\n";
  for (const auto& r : rows) {
    const std::string* cells[5] = {&r.time, &r.pid, &r.uid, &r.signal, &r.size};
    for (std::size_t k = 0; k < 5; ++k) {
      bool right = k == 1 || k == 2 || k == 4;
      std::string pad(w[k] - cells[k]->size(), ' ');
      out += (right ? pad + *cells[k] : *cells[k] + pad) + "  ";
    }
    out += r.what + "\n";
  }
  out += "\nThe newest: corelens analyze " + found.front().path + "\n";
  if (found.size() > shown) {
    out += std::to_string(found.size() - shown) + " older not shown; corelens collect " + dir + " reports them all\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace corelens::cli
