#include "core/report/waits_report.hpp"

#include <cstdio>

namespace corelens {
namespace {

std::string bytes_words(std::uint64_t n) {
  char buf[32];
  if (n < 1024) return std::to_string(n) + " bytes";
  if (n < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024 * 1024));
  return buf;
}

}  // namespace

void waits_json(JsonWriter& w, const CrashAnalysis& a) {
  w.key("waits");
  w.begin_array();
  for (const auto& t : a.waits) {
    w.begin_object();
    w.field("tid", t.tid);
    w.field("kind", t.kind);
    w.field("function", t.function);
    w.key("object_address");
    w.hex_or_null(t.object_address);
    w.key("object_name");
    w.string_or_null(t.object_name);
    w.key("owner_tid");
    w.optional(t.owner_tid);
    w.key("owner_source");
    w.string_or_null(t.owner_source);
    w.key("syscall");
    if (t.syscall) {
      w.begin_object();
      w.field("name", t.syscall->name);
      w.field("number", t.syscall->number);
      w.key("args");
      w.begin_array();
      for (const auto& arg : t.syscall->args) {
        w.begin_object();
        w.field("name", arg.name);
        w.key("value");
        w.hex(arg.value);
        w.key("text");
        w.string_or_null(arg.text);
        w.end_object();
      }
      w.end_array();
      w.end_object();
    } else {
      w.null();
    }
    w.key("caller");
    w.string_or_null(t.caller);
    w.field("description", t.description);
    w.end_object();
  }
  w.end_array();
  w.key("deadlocks");
  w.begin_array();
  for (const auto& d : a.deadlocks) {
    w.begin_object();
    w.key("threads");
    w.begin_array();
    for (auto tid : d.threads) w.value(tid);
    w.end_array();
    w.field("description", d.description);
    w.end_object();
  }
  w.end_array();
  w.key("waits_layout");
  w.string_or_null(a.waits_layout);
}

void live_json(JsonWriter& w, const LiveProcessReport& live) {
  w.begin_object();
  w.field("stopped_us", live.stopped_us);
  w.field("bytes_copied", live.bytes_copied);
  w.field("bytes_not_copied", live.bytes_not_copied);
  w.end_object();
}

std::string deadlock_lines(const CrashAnalysis& a) {
  std::string out;
  for (const auto& d : a.deadlocks) {
    out += "Deadlock  threads";
    for (auto tid : d.threads) out += " " + std::to_string(tid) + " ->";
    out += " " + std::to_string(d.threads.front()) + ": " + d.description + "\n";
  }
  return out;
}

std::string thread_wait_line(const CrashAnalysis& a, std::int32_t tid) {
  for (const auto& w : a.waits) {
    if (w.tid != tid) continue;
    std::string line = "  " + w.description;
    for (const auto& d : a.deadlocks) {
      for (auto t : d.threads) {
        if (t == tid) return line + "  [deadlocked]\n";
      }
    }
    return line + "\n";
  }
  return {};
}

std::string live_line(const Report& r) {
  if (!r.live) return {};
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f ms", static_cast<double>(r.live->stopped_us) / 1000);
  std::string out = "Stopped   " + std::string(ms) + " (" + std::to_string(r.threads.size()) +
                    (r.threads.size() == 1 ? " thread" : " threads") + " stopped, read and let go; " +
                    bytes_words(r.live->bytes_copied) + " of memory read";
  if (r.live->bytes_not_copied != 0) out += ", " + bytes_words(r.live->bytes_not_copied) + " of writable memory left out";
  return out + ")\n";
}

}  // namespace corelens
