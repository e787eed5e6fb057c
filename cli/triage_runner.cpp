// The children of `corelens triage`: every dump is analysed in an isolated child process
// (cli/isolation.hpp: memory, CPU and wall-clock limits), so a dump that crashes or hangs the
// analyzer costs that dump, not the batch. The child writes a TriageRecord as JSON to a pipe; the
// parent reads it, and anything else (no JSON, a signal, a timeout) is reported.
//
// The parent is single-threaded (a poll() loop), so fork() without exec is safe here.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cli/history/content_hash.hpp"
#include "cli/isolation.hpp"
#include "cli/triage.hpp"
#include "core/analysis/signature.hpp"

namespace corelens::cli {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// What runs in the child (see isolation.hpp): analyse one dump, send its record as JSON.
int analyse_in_child(const std::string& dump, int fd, const RunnerOptions& options) {
  TriageRecord rec;
  auto report = analyze_file(dump, options.analyze);
  if (report) {
    rec = record_from_report(*report);
  } else {
    rec.status = "error";
    rec.error = report.error().message;
  }
  rec.dump = dump;
  if (options.content_hash && rec.status == "ok") {
    auto hash = history::content_key(dump);
    if (hash) rec.content_hash = *hash;  // else the parent hashes it and reports why it cannot
  }
  return write_all(fd, record_to_json(rec)) ? 0 : 1;
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
  auto end = abnormal_end(status, r.timed_out);
  if (end) {
    out.status = end->timed_out ? "analyzer-timeout" : "analyzer-crashed";
    out.error = end->message;
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
  while (done < dumps.size()) {
    while (running.size() < jobs && next < dumps.size()) {
      IsolationLimits limits{options.timeout_seconds, options.memory_limit_mib};
      const std::string& dump = dumps[next];
      auto child = spawn_isolated(dump, limits, [&](int fd) { return analyse_in_child(dump, fd, options); });
      if (!child) {
        results[next].dump = dump;
        results[next].status = "analyzer-crashed";
        results[next].error = std::string("fork failed: ") + std::strerror(errno);
        ++next, ++done;
        continue;
      }
      Running r;
      r.pid = child->pid;
      r.fd = child->fd;
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
      if (options.on_result) options.on_result(results[r.index]);
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
  for (const auto& g : r.thread_groups) {
    groups.push_back(Json{{"tids", g.tids}, {"top_function", g.top_function}, {"caller", g.caller}});
  }
  j["thread_groups"] = std::move(groups);
  j["content_hash"] = r.content_hash;
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
  r.content_hash = str(j, "content_hash");
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
      r.crash_frames.push_back(std::move(f));
    }
  }
  if (auto it = j.find("thread_groups"); it != j.end() && it->is_array()) {
    for (const auto& g : *it) {
      if (!g.is_object()) continue;
      ThreadGroup tg;
      tg.top_function = str(g, "top_function");
      tg.caller = str(g, "caller");
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
