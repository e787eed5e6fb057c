// The isolation of `corelens triage`: every dump is analysed in a child process with a memory
// limit (RLIMIT_AS), a CPU limit (RLIMIT_CPU) and a wall-clock timeout, so a dump that crashes or
// hangs the analyzer costs that dump, not the batch. The child writes a TriageRecord as JSON to a
// pipe; the parent reads it, and anything else (no JSON, a signal, a timeout) is reported.
//
// The parent is single-threaded (a poll() loop), so fork() without exec is safe here.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cli/triage.hpp"
#include "core/analysis/signature.hpp"
#include "core/signals.hpp"

namespace corelens::cli {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// TEST ONLY. CORELENS_TEST_CHILD_FAULT=crash:NAME or hang:NAME makes the child analysing the
// dump whose file name is NAME crash (SIGSEGV) or hang, so the tests can prove the isolation
// without a dump that really breaks the analyzer. Never set it outside the test suite.
void apply_test_fault(const std::string& dump) {
  const char* spec = std::getenv("CORELENS_TEST_CHILD_FAULT");
  if (spec == nullptr) return;
  std::string s(spec);
  auto colon = s.find(':');
  if (colon == std::string::npos) return;
  std::string kind = s.substr(0, colon), name = s.substr(colon + 1);
  std::string base = dump.substr(dump.find_last_of('/') + 1);
  if (base != name) return;
  if (kind == "crash") {
    ::signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
  } else if (kind == "hang") {
    for (;;) pause();
  }
}

bool write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

[[noreturn]] void child_main(const std::string& dump, int fd, const RunnerOptions& options) {
  std::uint64_t file_size = 0;
  struct stat st {};
  if (::stat(dump.c_str(), &st) == 0) file_size = static_cast<std::uint64_t>(st.st_size);
  // The dump is mapped whole, so its size is added to the memory the analysis may use.
  rlimit as{};
  as.rlim_cur = as.rlim_max = static_cast<rlim_t>(options.memory_limit_mib * 1024 * 1024 + file_size);
  setrlimit(RLIMIT_AS, &as);
  rlimit cpu{};
  cpu.rlim_cur = cpu.rlim_max = options.timeout_seconds + 1;
  setrlimit(RLIMIT_CPU, &cpu);
  rlimit core{};  // an analyzer crash must not leave a core of its own in the user's directory
  setrlimit(RLIMIT_CORE, &core);
  apply_test_fault(dump);

  TriageRecord rec;
  auto report = analyze_file(dump, options.analyze);
  if (report) {
    rec = record_from_report(*report);
  } else {
    rec.status = "error";
    rec.error = report.error().message;
  }
  rec.dump = dump;
  bool ok = write_all(fd, record_to_json(rec));
  ::close(fd);
  std::_Exit(ok ? 0 : 1);
}

struct Running {
  pid_t pid = -1;
  int fd = -1;
  std::size_t index = 0;
  Clock::time_point start;
  std::string output;
  bool timed_out = false;
};

void finish(Running& r, TriageRecord& out, const std::string& dump) {
  int status = 0;
  while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
  }
  auto rec = r.output.empty() ? std::nullopt : record_from_json(r.output);
  if (rec && !r.timed_out) {
    out = std::move(*rec);
    out.dump = dump;
    return;
  }
  out = TriageRecord{};
  out.dump = dump;
  if (r.timed_out) {
    out.status = "analyzer-timeout";
    out.error = "the analysis took longer than the time limit and was killed";
  } else if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    out.status = sig == SIGXCPU ? "analyzer-timeout" : "analyzer-crashed";
    out.error = "the analysis died of " + signal_name(sig) + " (" + signal_description(sig) + ")";
  } else {
    out.status = "analyzer-crashed";
    out.error = "the analysis exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                " without a result";
  }
}

}  // namespace

std::vector<TriageRecord> run_children(const std::vector<std::string>& dumps, const RunnerOptions& options) {
  std::vector<TriageRecord> results(dumps.size());
  std::vector<Running> running;
  std::size_t next = 0, done = 0;
  unsigned jobs = options.jobs == 0 ? 1 : options.jobs;
  std::fflush(nullptr);  // buffered output must not be written twice by the children
  while (done < dumps.size()) {
    while (running.size() < jobs && next < dumps.size()) {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) break;
      pid_t pid = ::fork();
      if (pid == 0) {
        ::close(fds[0]);
        child_main(dumps[next], fds[1], options);
      }
      ::close(fds[1]);
      if (pid < 0) {
        ::close(fds[0]);
        results[next].dump = dumps[next];
        results[next].status = "analyzer-crashed";
        results[next].error = std::string("fork failed: ") + std::strerror(errno);
        ++next, ++done;
        continue;
      }
      Running r;
      r.pid = pid;
      r.fd = fds[0];
      r.index = next++;
      r.start = Clock::now();
      running.push_back(std::move(r));
    }
    if (running.empty()) break;
    std::vector<pollfd> pfds;
    for (const auto& r : running) pfds.push_back(pollfd{r.fd, POLLIN, 0});
    ::poll(pfds.data(), pfds.size(), 200);
    for (std::size_t i = running.size(); i-- > 0;) {
      Running& r = running[i];
      bool eof = false;
      if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[65536];
        ssize_t n = ::read(r.fd, buf, sizeof buf);
        if (n > 0) r.output.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR) eof = true;
      }
      if (!eof && Clock::now() - r.start > std::chrono::seconds(options.timeout_seconds)) {
        ::kill(r.pid, SIGKILL);
        r.timed_out = true;
        eof = true;
      }
      if (!eof) continue;
      ::close(r.fd);
      finish(r, results[r.index], dumps[r.index]);
      ++done;
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      if (options.progress) {
        std::fprintf(stderr, "\r\033[Ktriage: %zu/%zu  %s", done, dumps.size(), dumps[r.index].c_str());
      }
    }
  }
  if (options.progress) std::fprintf(stderr, "\r\033[K");
  return results;
}

TriageRecord record_from_report(const Report& report) {
  TriageRecord rec;
  rec.dump = report.dump_path;
  rec.threads = report.threads.size();
  if (report.signal) rec.signal = report.signal->name;
  if (report.analysis) {
    const CrashAnalysis& a = *report.analysis;
    rec.category = a.classification.category;
    rec.severity = a.classification.severity;
    rec.why = a.why;
    rec.signature = a.signature;
    rec.thread_groups = a.thread_groups;
    rec.message = a.classification.message;
  }
  rec.process_name = report.process.name;
  rec.command_line = report.process.command_line;
  for (const auto& t : report.threads) {
    if (!t.crashed) continue;
    for (const auto& f : t.frames) {
      if (rec.top_frames.size() < 8) rec.top_frames.push_back(frame_token(f));
      if (rec.crash_frames.size() >= kTriageCrashFrames) break;
      Frame kept = f;
      kept.registers.clear();  // CI reports show no register values
      rec.crash_frames.push_back(std::move(kept));
    }
  }
  return rec;
}

Report report_from_record(const TriageRecord& r) {
  Report report;
  report.dump_path = r.dump;
  report.process.name = r.process_name;
  report.process.command_line = r.command_line;
  if (!r.signal.empty()) {
    SignalReport s;
    s.name = r.signal;
    report.signal = s;
  }
  CrashAnalysis a;
  a.why = r.why;
  a.classification.category = r.category.empty() ? "unknown" : r.category;
  a.classification.severity = r.severity.empty() ? "unknown" : r.severity;
  a.classification.message = r.message;
  a.signature = r.signature;
  a.thread_groups = r.thread_groups;
  report.analysis = std::move(a);
  ThreadReport t;
  t.crashed = true;
  t.frames = r.crash_frames;
  report.threads.push_back(std::move(t));
  return report;
}

std::string record_to_json(const TriageRecord& r) {
  Json j;
  j["dump"] = r.dump;
  j["status"] = r.status;
  j["error"] = r.error;
  j["category"] = r.category;
  j["severity"] = r.severity;
  j["why"] = r.why;
  j["signal"] = r.signal;
  j["threads"] = r.threads;
  j["signature"] = Json{{"hash", r.signature.hash}, {"readable", r.signature.readable}, {"frames", r.signature.frames}};
  j["top_frames"] = r.top_frames;
  j["process_name"] = r.process_name;
  j["command_line"] = r.command_line;
  j["message"] = r.message;
  Json frames = Json::array();
  for (const auto& f : r.crash_frames) {
    frames.push_back(Json{{"pc", f.pc}, {"function", f.function}, {"module", f.module}, {"file", f.file},
                          {"compilation_dir", f.compilation_dir}, {"line", f.line}, {"column", f.column},
                          {"inlined", f.inlined}});
  }
  j["crash_frames"] = std::move(frames);
  Json groups = Json::array();
  for (const auto& g : r.thread_groups) groups.push_back(Json{{"tids", g.tids}, {"top_function", g.top_function}});
  j["thread_groups"] = std::move(groups);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<TriageRecord> record_from_json(const std::string& text) {
  // The child is our own code, but it analysed a hostile dump: parse defensively, never throw.
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto str = [&](const Json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto strings = [&](const Json& o, const char* key) {
    std::vector<std::string> out;
    auto it = o.find(key);
    if (it != o.end() && it->is_array()) {
      for (const auto& e : *it) {
        if (e.is_string()) out.push_back(e.get<std::string>());
      }
    }
    return out;
  };
  TriageRecord r;
  r.dump = str(j, "dump");
  r.status = str(j, "status");
  r.error = str(j, "error");
  r.category = str(j, "category");
  r.severity = str(j, "severity");
  r.why = str(j, "why");
  r.signal = str(j, "signal");
  if (auto it = j.find("threads"); it != j.end() && it->is_number_unsigned()) r.threads = it->get<std::size_t>();
  if (auto it = j.find("signature"); it != j.end() && it->is_object()) {
    r.signature.hash = str(*it, "hash");
    r.signature.readable = str(*it, "readable");
    r.signature.frames = strings(*it, "frames");
  }
  r.top_frames = strings(j, "top_frames");
  r.process_name = str(j, "process_name");
  r.command_line = str(j, "command_line");
  r.message = str(j, "message");
  if (auto it = j.find("crash_frames"); it != j.end() && it->is_array()) {
    auto number = [](const Json& o, const char* key) -> std::uint64_t {
      auto v = o.find(key);
      return v != o.end() && v->is_number_unsigned() ? v->get<std::uint64_t>() : 0;
    };
    for (const auto& e : *it) {
      if (!e.is_object() || r.crash_frames.size() >= kTriageCrashFrames) continue;
      Frame f;
      f.index = static_cast<std::uint32_t>(r.crash_frames.size());
      f.pc = number(e, "pc");
      f.lookup_pc = f.pc;
      f.function = str(e, "function");
      f.module = str(e, "module");
      f.file = str(e, "file");
      f.compilation_dir = str(e, "compilation_dir");
      f.line = static_cast<std::uint32_t>(number(e, "line"));
      f.column = static_cast<std::uint32_t>(number(e, "column"));
      auto inl = e.find("inlined");
      f.inlined = inl != e.end() && inl->is_boolean() && inl->get<bool>();
      if (f.inlined) f.trust = FrameTrust::inlined;
      r.crash_frames.push_back(std::move(f));
    }
  }
  if (auto it = j.find("thread_groups"); it != j.end() && it->is_array()) {
    for (const auto& g : *it) {
      if (!g.is_object()) continue;
      ThreadGroup tg;
      tg.top_function = str(g, "top_function");
      if (auto t = g.find("tids"); t != g.end() && t->is_array()) {
        for (const auto& tid : *t) {
          if (tid.is_number_integer()) tg.tids.push_back(tid.get<std::int32_t>());
        }
      }
      r.thread_groups.push_back(std::move(tg));
    }
  }
  if (r.status.empty()) return std::nullopt;
  return r;
}

}  // namespace corelens::cli
