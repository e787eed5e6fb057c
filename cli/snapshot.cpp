// `corelens snapshot PID -o FILE`: a core of a running process, as gdb's gcore writes one, and the
// process runs on. Every thread is stopped (parsers/live/ptrace_stop.hpp), the core is written
// with the same writer as `corelens run` uses (cli/capture/process_core.hpp: the memory the
// process's coredump_filter selects), and every thread is let go. The core has no signal:
// corelens reads it as a snapshot.
//
// The core is written to a file of its own in the target's directory, unnamed (O_TMPFILE) where
// the file system allows it, and linked under its name only when it is complete: an existing
// file is never replaced, and a failed or interrupted snapshot (a full disk, Ctrl-C, even
// SIGKILL with O_TMPFILE) leaves no file and no half-written core behind.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cli/capture/process_core.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/subcommands.hpp"
#include "parsers/live/ptrace_stop.hpp"
#include "parsers/live/signal_shield.hpp"

namespace corelens::cli {
namespace {

int snapshot_usage(const std::string& message) {
  std::fprintf(stderr, "corelens snapshot: %s\n(try 'corelens snapshot --help')\n", message.c_str());
  return kExitUsage;
}

// The file a core is written to before it gets its name: unnamed when the file system can, else
// a hidden name beside the target. Removed when dropped unless publish() gave it its name.
class PendingFile {
 public:
  explicit PendingFile(std::string target) : target_(std::move(target)) {}
  ~PendingFile() { drop(); }
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  Result<int> open() {
    std::string dir = target_.find('/') == std::string::npos ? "." : target_.substr(0, target_.rfind('/') + 1);
    if (dir.empty()) dir = "/";
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      std::size_t slash = target_.rfind('/');
      std::string base = slash == std::string::npos ? target_ : target_.substr(slash + 1);
      temp_name_ = (slash == std::string::npos ? "" : target_.substr(0, slash + 1)) + "." + base + ".corelens-XXXXXX";
      fd_ = ::mkostemp(temp_name_.data(), O_CLOEXEC);
      if (fd_ < 0) {
        temp_name_.clear();
        return fail(ErrorCode::io, target_ + ": " + std::strerror(errno));
      }
    }
    return fd_;
  }
  // Gives the complete file its name, unless something took the name meanwhile.
  Result<void> publish() {
    if (::fsync(fd_) != 0) return fail(ErrorCode::io, target_ + ": " + std::strerror(errno));
    int r = 0;
    if (temp_name_.empty()) {
      r = ::linkat(AT_FDCWD, ("/proc/self/fd/" + std::to_string(fd_)).c_str(), AT_FDCWD, target_.c_str(),
                   AT_SYMLINK_FOLLOW);
    } else {
      r = ::renameat2(AT_FDCWD, temp_name_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE);
      if (r != 0 && errno == EINVAL) {  // a file system without RENAME_NOREPLACE
        r = ::link(temp_name_.c_str(), target_.c_str());
        if (r == 0) {
          ::unlink(temp_name_.c_str());
        } else if (errno == EPERM || errno == EOPNOTSUPP) {
          // Nor hard links (FAT): a plain rename, after a check a racing writer could slip past.
          errno = EEXIST;
          r = ::access(target_.c_str(), F_OK) == 0 ? -1 : ::rename(temp_name_.c_str(), target_.c_str());
        }
      }
      if (r == 0) temp_name_.clear();
    }
    if (r == 0) return {};
    if (errno == EEXIST) return fail(ErrorCode::io, target_ + " exists; not overwritten");
    return fail(ErrorCode::io, target_ + ": " + std::strerror(errno));
  }
  void drop() {
    if (!temp_name_.empty()) ::unlink(temp_name_.c_str());
    temp_name_.clear();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  std::string target_;
  std::string temp_name_;  // empty: unnamed (O_TMPFILE), or published, or none
  int fd_ = -1;
};

int report_error(const Error& e) {
  std::fprintf(stderr, "corelens snapshot: %s\n", e.message.c_str());
  return exit_code_for(e);
}

constexpr int kMaxAttempts = 8;

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
  // Ctrl-Z while the process was held: it was let go, corelens stopped and was continued; start over.
  for (int attempt = 0;; ++attempt) {
    PendingFile file(output);
    auto fd = file.open();
    if (!fd) return report_error(fd.error());
    int signal = 0;
    auto stopped = live::StoppedProcess::stop(*pid, &signal);
    if (!stopped) {
      if (live::SignalShield::is_stop_signal(signal) && attempt < kMaxAttempts) continue;
      return report_error(stopped.error());
    }
    live::StoppedProcess& s = **stopped;
    capture::CoreRequest req;
    req.tgid = *pid;
    const auto& threads = s.threads();
    req.crashed_tid = threads.front();
    req.other_tids.assign(threads.begin() + 1, threads.end());
    req.signo = 0;  // a snapshot: no signal
    req.path = output;
    req.fd = *fd;
    req.cancelled = [&s] { return s.interrupted() != 0; };
    auto written = capture::write_process_core(req);
    std::size_t thread_count = threads.size();
    if (!written || s.interrupted() != 0) file.drop();  // before a signal that ends corelens is delivered
    std::uint64_t stopped_us = s.resume();
    if (int sig = s.interrupted(); sig != 0) {
      if (live::SignalShield::is_stop_signal(sig) && attempt < kMaxAttempts) continue;
      return report_error(live::interrupted_error(*pid, sig));
    }
    if (!written) return report_error(written.error());
    if (auto published = file.publish(); !published) return report_error(published.error());
    for (const auto& w : written->warnings) std::fprintf(stderr, "corelens snapshot: warning: %s\n", w.c_str());
    std::fprintf(stderr, "corelens snapshot: wrote %s (%llu bytes, %zu threads); process %d was stopped for %.1f ms\n",
                 output.c_str(), static_cast<unsigned long long>(written->size), thread_count, *pid,
                 static_cast<double>(stopped_us) / 1000);
    return kExitOk;
  }
#endif
}

}  // namespace corelens::cli
