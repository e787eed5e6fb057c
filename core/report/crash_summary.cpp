#include "core/report/crash_summary.hpp"

#include <algorithm>
#include <cstdio>

#include "core/model/strings.hpp"
#include "core/report/address_annotator.hpp"
#include "core/report/text_report.hpp"

namespace corelens {

std::size_t crashed_thread(const Report& report) {
  for (std::size_t i = 0; i < report.threads.size(); ++i) {
    if (report.threads[i].crashed) return i;
  }
  return 0;
}

std::size_t physical_frame(const StackReport& stack, std::size_t index) {
  std::size_t i = index;
  while (i < stack.frames.size() && stack.frames[i].inlined) ++i;
  return i < stack.frames.size() ? i : index;
}

std::size_t first_interesting_frame(const Report& report, const ThreadReport& thread) {
  // A kernel dump: the function that panicked or oopsed, below the panic machinery.
  if (report.kernel && thread.crashed && report.kernel->panic_frame && *report.kernel->panic_frame < thread.frames.size()) {
    return *report.kernel->panic_frame;
  }
  if (thread.frames.empty() || !thread.crashed || !report.signal) return 0;
  bool self_inflicted = report.signal->code <= 0;  // SI_USER, SI_TKILL, SI_QUEUE: raise(), abort()
  if (!self_inflicted) return 0;
  std::string exe;
  for (const auto& m : report.modules) {
    if (m.is_main_executable) exe = m.path;
  }
  if (exe.empty() || thread.frames[0].module == exe) return 0;
  for (std::size_t i = 0; i < thread.frames.size(); ++i) {
    const Frame& f = thread.frames[i];
    if (f.module == exe) {
      // An inlined frame of the main executable sits above its physical frame: show the
      // innermost, which is the first one met.
      return i;
    }
  }
  return 0;
}

std::string function_text(const Frame& f) {
  if (f.function.empty()) return "??";
  if (!f.inlined && f.function_offset) return f.function + " +" + hex(f.function_offset);
  return f.function;
}

std::string location_text(const Frame& f, bool full_path) {
  if (f.file.empty()) return {};
  std::string s = full_path ? f.file : base_name(f.file);
  if (f.line) s += ":" + std::to_string(f.line);
  if (f.line && f.column) s += ":" + std::to_string(f.column);
  return s;
}

namespace {

// A kernel dump says what the kernel printed: the panic, the oops before it, the CPU and task.
CrashSummary summarize_kernel(const Report& r) {
  const KernelReport& k = *r.kernel;
  CrashSummary s;
  s.signal = k.panic_message.empty() ? std::string("Kernel dump (no panic message in the log)")
                                     : "Kernel panic: " + printable(k.panic_message);
  if (!k.oops_headline.empty() && k.oops_headline != k.panic_message) s.cause = printable(k.oops_headline);
  if (k.panic_cpu) {
    s.thread = "CPU " + std::to_string(*k.panic_cpu);
    if (k.panic_pid) s.thread += ", pid " + std::to_string(*k.panic_pid);
    if (!k.panic_comm.empty()) s.thread += " (" + printable(k.panic_comm) + ")";
  }
  if (!r.threads.empty()) {
    const ThreadReport& t = r.threads[crashed_thread(r)];
    if (!t.frames.empty()) {
      const Frame& f = t.frames[first_interesting_frame(r, t)];
      s.location = !k.panic_at.empty() ? printable(k.panic_at) : f.function.empty() ? hex(f.pc) : function_text(f);
      std::string where = location_text(f);
      if (!where.empty()) s.location += " at " + where;
    }
  }
  s.process = "Linux " + (k.release.empty() ? std::string("(release unknown)") : printable(k.release)) + " \u00b7 " +
              printable(k.format);
  if (!k.compression.empty()) s.process += ", " + k.compression + " pages";
  s.process += " \u00b7 written by " + printable(r.producer);
  return s;
}

}  // namespace

CrashSummary summarize(const Report& r) {
  if (r.kernel) return summarize_kernel(r);
  CrashSummary s;
  if (r.signal) {
    const SignalReport& sig = *r.signal;
    s.signal = sig.name + " (" + sig.description + ")";
    if (!sig.code_name.empty()) s.cause = sig.code_name + ": " + sig.code_description;
    else if (!sig.code_description.empty()) s.cause = "si_code " + std::to_string(sig.code) + ": " + sig.code_description;
    if (sig.sender_pid) {
      s.cause += (s.cause.empty() ? "" : " ") + std::string("from pid ") + std::to_string(*sig.sender_pid);
      if (r.process.pid && *sig.sender_pid == *r.process.pid) s.cause += " (itself)";
    }
    if (sig.address) s.address = "fault address " + hex(*sig.address);
  } else {
    s.signal = r.live ? "Running process" : "No signal recorded";
  }
  // A deadlock (issue 15) is the headline; the signal that ended the process follows it.
  if (r.analysis && r.analysis->classification.category == "deadlock" && !r.analysis->deadlocks.empty()) {
    std::size_t n = r.analysis->deadlocks.front().threads.size();
    std::string signal = r.signal ? s.signal + (s.cause.empty() ? "" : ", " + s.cause) : std::string();
    s.signal = "Deadlock of " + std::to_string(n) + (n == 1 ? " thread (waiting for itself)" : " threads");
    s.cause = signal;
  }
  if (!r.threads.empty()) {
    const ThreadReport& t = r.threads[crashed_thread(r)];
    s.thread = "thread " + std::to_string(t.tid);
    if (!t.name.empty()) s.thread += " \"" + printable(t.name) + "\"";
    s.thread += " (" + std::to_string(r.threads.size()) + (r.threads.size() == 1 ? " thread)" : " threads)");
    if (!t.frames.empty()) {
      const Frame& f = t.frames[first_interesting_frame(r, t)];
      s.location = f.function.empty() ? hex(f.pc) : f.function;
      std::string where = location_text(f);
      if (!where.empty()) s.location += " at " + where;
      else if (!f.module.empty()) s.location += " in " + base_name(f.module);
    }
  }
  if (r.analysis) {
    s.explanation = printable(r.analysis->why);
    const CrashClassification& c = r.analysis->classification;
    s.category = c.category;
    if (c.severity != "unknown") {
      std::string severity = c.severity;
      std::replace(severity.begin(), severity.end(), '-', ' ');
      s.category += ", " + severity;
    }
  }
  s.process = r.process.executable.empty() ? std::string("(unknown executable)") : r.process.executable;
  if (r.process.pid) s.process += " \u00b7 pid " + std::to_string(*r.process.pid);
  if (!r.process.command_line.empty()) s.process += " \u00b7 command: " + printable(r.process.command_line);
  if (r.live) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f ms", static_cast<double>(r.live->stopped_us) / 1000);
    s.process += std::string(" \u00b7 read while it ran: stopped for ") + ms;
  } else {
    s.process += std::string(" \u00b7 core written by ") + producer_words(r.producer);
  }
  return s;
}

std::string backtrace_text(const ThreadReport& t, int address_digits) {
  std::string title = "Thread " + std::to_string(t.tid);
  if (!t.name.empty()) title += " \"" + printable(t.name) + "\"";
  if (t.crashed) title += " (crashed)";
  return backtrace_text(t, title, address_digits);
}

std::string backtrace_text(const StackReport& stack, const std::string& title, int address_digits) {
  std::string out = title + ":\n";
  for (const auto& f : stack.frames) out += "  " + printable(frame_to_text(f, false, nullptr, address_digits)) + "\n";
  if (stack.frames.empty()) out += "  (no frames)\n";
  if (!stack.unwind.complete()) out += "  (stack incomplete: " + printable(describe(stack.unwind)) + ")\n";
  return out;
}

std::string summary_line(const CrashSummary& s) {
  std::string out = s.signal;
  if (!s.cause.empty()) out += ", " + s.cause;
  if (!s.address.empty()) out += ", " + s.address;
  if (!s.thread.empty()) out += ", in " + s.thread;
  if (!s.location.empty()) out += ", " + s.location;
  if (!s.explanation.empty()) out += ": " + s.explanation;
  return out;
}

}  // namespace corelens
