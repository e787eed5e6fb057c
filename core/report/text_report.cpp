#include "core/report/text_report.hpp"

#include <algorithm>

#include "core/model/strings.hpp"
#include "core/report/kernel/kernel_sections.hpp"
#include "core/report/waits_report.hpp"

namespace corelens {
namespace {

// ANSI colours (SGR) for TextOptions::color; without it every span is the bare text, so the
// coloured report is the plain one with escapes around some words. gdb's palette where it has one.
struct Paint {
  bool on = false;
  std::string operator()(const char* sgr, const std::string& text) const {
    return on && !text.empty() ? "\x1b[" + std::string(sgr) + "m" + text + "\x1b[0m" : text;
  }
};
constexpr const char* kSignalColor = "1;31";    // bold red: what killed it
constexpr const char* kCrashedColor = "1;31";   // the crashing thread
constexpr const char* kFunctionColor = "33";    // yellow, as gdb
constexpr const char* kFileColor = "32";        // green, as gdb
constexpr const char* kAddressColor = "34";     // blue, as gdb
constexpr const char* kUntrustedColor = "35";   // magenta: a frame found by scanning or frame pointers
constexpr const char* kWarningColor = "33";
constexpr const char* kErrorColor = "1;31";

std::string basename_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

// 261885 -> "261,885"
std::string with_commas(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

bool same_site(const Frame& a, const Frame& b) {
  return a.lookup_pc == b.lookup_pc && a.function == b.function && a.inlined == b.inlined;
}

std::string location(const Frame& f) {
  if (f.file.empty()) return {};
  std::string s = f.file;
  if (f.line) s += ":" + std::to_string(f.line);
  if (f.line && f.column) s += ":" + std::to_string(f.column);
  return s;
}

std::string capped(const std::string& s, std::size_t n) { return s.size() > n ? s.substr(0, n - 3) + "..." : s; }

// "head=0x7ffd5c1e0a90, count=3, seed=seed@entry=41": as gdb's backtrace shows arguments,
// structs as "...", long values shortened.
std::string arguments_text(const std::vector<VariableReport>& vars) {
  std::string out;
  for (const auto& v : vars) {
    if (!v.argument) continue;
    if (!out.empty()) out += ", ";
    std::string value = !v.unavailable.empty() ? "<" + v.unavailable + ">" : v.compound ? "..." : capped(v.value, 60);
    out += v.name + "=" + (v.entry_value ? v.name + "@entry=" : "") + value;
  }
  return out;
}

// --locals: one line per local ("total = 47  (int)"), members indented under what they belong to.
void append_variables(std::string& out, const std::vector<VariableReport>& vars, std::size_t indent, bool top) {
  for (const auto& v : vars) {
    if (top && v.argument) continue;  // the frame line shows them
    std::string line(indent, ' ');
    line += v.name;
    // A character array is its string: no line per character.
    bool text = !v.value.empty() && (v.value.front() == '"' || v.value.starts_with("L\"") ||
                                     v.value.starts_with("u\"") || v.value.starts_with("U\""));
    // A struct expanded into its members needs no one-line value; a pointer keeps its own above
    // what it points to.
    if (!v.unavailable.empty()) line += " = <" + v.unavailable + ">";
    else if (!v.compound || v.members.empty() || text) line += " = " + capped(v.value, 200);
    if (v.entry_value) line += " (at entry)";
    line += "  (" + v.type + ")";
    out += line + "\n";
    if (!text) append_variables(out, v.members, indent + 2, false);
  }
}

void append_stack(std::string& out, std::size_t thread, const ThreadReport& t, const TextOptions& options,
                  int digits) {
  const Paint paint{options.color};
  const auto& frames = t.frames;
  // A frame's line, and with --locals its locals under it.
  auto frame_lines = [&](std::size_t i) {
    if (options.variables == nullptr) {
      out += "  " + frame_to_text(frames[i], options.color, nullptr, digits) + "\n";
      return;
    }
    auto vars = options.variables->variables(thread, i, options.locals);
    out += "  " + frame_to_text(frames[i], options.color, &vars, digits) + "\n";
    if (options.locals) append_variables(out, vars, 8, true);
  };
  std::size_t i = 0;
  while (i < frames.size()) {
    // A run of frames at the same call site is runaway recursion: show it once with a count.
    std::size_t run = 1;
    while (options.collapse_recursion && i + run < frames.size() && same_site(frames[i], frames[i + run])) ++run;
    if (run >= 4) {
      frame_lines(i);
      std::string where = location(frames[i]);
      out += "      ... " + (frames[i].function.empty() ? hex(frames[i].pc) : paint(kFunctionColor, frames[i].function)) +
             " \u00d7 " + with_commas(run - 2) + " more frames" + (where.empty() ? "" : " (" + where + ")") +
             " ...\n";
      frame_lines(i + run - 1);
      i += run;
      continue;
    }
    frame_lines(i);
    ++i;
  }
  if (frames.empty()) out += "  (no frames)\n";
  if (!t.unwind.complete()) out += "  (stack incomplete: " + describe(t.unwind) + ")\n";
  // A complete stack with more to say: found by the other unwinder (--unwinder auto).
  else if (!t.unwind.detail.empty() || !t.unwind.note.empty()) out += "  (" + describe(t.unwind) + ")\n";
}

// --unwinder cross-check: one line per thread.
void append_cross_check(std::string& out, const std::vector<UnwinderComparison>& comparisons) {
  if (comparisons.empty()) return;
  std::size_t disagree = 0;
  for (const auto& c : comparisons) disagree += c.agree ? 0 : 1;
  out += "\nUnwinders (libdwfl and libunwind, cross-checked): ";
  out += disagree == 0 ? "they agree on every thread\n"
                       : "they disagree on " + std::to_string(disagree) + " of " + std::to_string(comparisons.size()) +
                             (comparisons.size() == 1 ? " thread\n" : " threads\n");
  for (const auto& c : comparisons) {
    out += "  thread " + std::to_string(c.tid) + (c.agree ? ": agree: " : ": DISAGREE: ") + c.summary + "\n";
  }
}

void append_analysis(std::string& out, const CrashAnalysis& a) {
  const CrashClassification& c = a.classification;
  out += "Category  " + c.category + " (" + c.severity + "; " + c.rule + ")\n";
  if (!c.exception_type.empty()) out += "Exception " + c.exception_type + "\n";
  out += "Signature " + a.signature.hash + "  " + a.signature.readable + "\n";
  out += deadlock_lines(a);
  for (const auto& g : a.thread_groups) {
    out += "Threads   " + std::to_string(g.tids.size()) + " threads in " + g.top_function +
           (g.caller.empty() ? "" : ", called from " + g.caller) + "\n";
  }
  if (!a.health.empty()) {
    out += "Health    " + a.health.front().kind + ": " + a.health.front().message;
    if (a.health.size() > 1) out += " (and " + std::to_string(a.health.size() - 1) + " more problems)";
    out += "\n";
  }
}

}  // namespace

std::string signal_summary(const SignalReport& s) {
  std::string out = s.name + " (" + s.description + ")";
  if (!s.code_name.empty()) out += ", " + s.code_name + ": " + s.code_description;
  else if (!s.code_description.empty()) out += ", si_code " + std::to_string(s.code) + ": " + s.code_description;
  if (s.sender_pid) {
    out += " from pid " + std::to_string(*s.sender_pid);
    if (s.sender_uid) out += " (uid " + std::to_string(*s.sender_uid) + ")";
  }
  return out;
}

std::string frame_to_text(const Frame& f, bool color, const std::vector<VariableReport>* variables, int address_digits) {
  const Paint paint{color};
  std::string out = "#" + std::to_string(f.index);
  out.append(out.size() < 5 ? 5 - out.size() : 1, ' ');
  // An inlined call has no pc of its own: blanks as wide as "0x" and the digits.
  const auto width = static_cast<std::size_t>(address_digits + 2);
  out += f.inlined ? std::string(width, ' ') + " " : paint(kAddressColor, hex_padded(f.pc, address_digits)) + " ";
  out += f.inlined ? "[inlined] " : "in ";
  if (f.function.empty()) {
    out += "??";
  } else {
    out += paint(kFunctionColor, f.function);
    if (!f.inlined && f.function_offset) out += " +" + hex(f.function_offset);
  }
  if (variables != nullptr) {
    std::string args = arguments_text(*variables);
    bool any = std::any_of(variables->begin(), variables->end(), [](const VariableReport& v) { return v.argument; });
    if (any) out += " (" + args + ")";
  }
  std::string where = location(f);
  if (!where.empty()) out += " at " + paint(kFileColor, where);
  if (!f.module.empty() && !f.inlined) {
    out += "  [" + basename_of(f.module);
    if (f.module_offset) out += " +" + hex(*f.module_offset);
    out += "]";
  }
  if (!f.inlined) {
    bool untrusted = f.trust == FrameTrust::scan || f.trust == FrameTrust::frame_pointer;
    std::string trust = std::string("(") + to_string(f.trust) + ")";
    out += "  " + (untrusted ? paint(kUntrustedColor, trust) : trust);
  }
  if (f.signal_frame) out += "  <signal handler called>";
  return out;
}

std::string report_to_text(const Report& r, const TextOptions& options) {
  if (r.kernel) return kernel_report_to_text(r, options);
  const Paint paint{options.color};
  const int digits = address_digits(r.arch);
  std::string out;
  out += "Dump      " + r.dump_path + " (" + r.arch +
         (r.live ? " process, read while it ran" : " core written by " + producer_words(r.producer)) + ")\n";
  out += "Process   " + (r.process.executable.empty() ? std::string("(unknown executable)") : r.process.executable);
  if (r.process.pid) out += "  pid " + std::to_string(*r.process.pid);
  if (r.process.ppid) out += "  ppid " + std::to_string(*r.process.ppid);
  if (r.process.uid) out += "  uid " + std::to_string(*r.process.uid);
  out += "\n";
  if (!r.process.command_line.empty()) out += "Command   " + r.process.command_line + "\n";
  if (r.signal) {
    out += "Signal    " + paint(kSignalColor, signal_summary(*r.signal)) + "\n";
    if (r.signal->address) out += "Address   " + hex(*r.signal->address) + "\n";
  } else {
    out += "Signal    (none recorded)\n";
  }
  out += live_line(r);
  if (r.analysis && !r.analysis->why.empty()) out += "Why       " + r.analysis->why + "\n";
  if (r.crashed_tid) {
    std::string crashed = "thread " + std::to_string(*r.crashed_tid);
    for (const auto& t : r.threads) {
      if (t.crashed && !t.name.empty()) crashed += " \"" + t.name + "\"";
    }
    out += "Crashed   " + paint(kCrashedColor, crashed);
    out += " (" + std::to_string(r.threads.size()) + (r.threads.size() == 1 ? " thread" : " threads") + " in all)\n";
  }
  if (r.analysis) append_analysis(out, *r.analysis);

  for (std::size_t ti = 0; ti < r.threads.size(); ++ti) {
    const ThreadReport& t = r.threads[ti];
    // Threads with the same stack as one already shown are summed up under it.
    const ThreadGroup* group = nullptr;
    if (r.analysis && options.collapse_recursion) {
      for (const auto& g : r.analysis->thread_groups) {
        if (std::find(g.tids.begin(), g.tids.end(), t.tid) != g.tids.end() && !t.crashed) group = &g;
      }
    }
    if (group != nullptr && group->tids.front() != t.tid) continue;
    std::string header = "Thread " + std::to_string(t.tid);
    if (!t.name.empty()) header += " \"" + t.name + "\"";
    if (t.crashed) header += " (crashed)";
    out += "\n" + (t.crashed ? paint(kCrashedColor, header) : header) + ":\n";
    if (r.analysis) out += thread_wait_line(*r.analysis, t.tid);
    append_stack(out, ti, t, options, digits);
    if (group != nullptr) {
      out += "  (and " + std::to_string(group->tids.size() - 1) + " more threads with this stack:";
      for (std::size_t i = 1; i < group->tids.size(); ++i) out += " " + std::to_string(group->tids[i]);
      out += ")\n";
    }
    if (options.show_registers) {
      std::string line;
      for (std::size_t i = 0; i < t.registers.size(); ++i) {
        const auto& reg = t.registers[i];
        std::string cell = std::string(reg.name) + " " + hex_padded(reg.value, digits);
        cell.append(cell.size() < 28 ? 28 - cell.size() : 1, ' ');
        line += cell;
        if (i % 3 == 2 || i + 1 == t.registers.size()) {
          out += "    " + line + "\n";
          line.clear();
        }
      }
    }
  }

  append_cross_check(out, r.unwinder_cross_check);

  bool any_module_problem = false;
  for (const auto& m : r.modules) {
    any_module_problem |= m.symbols == SymbolSource::none || m.symbols == SymbolSource::mismatch;
  }
  if (options.show_modules || any_module_problem) {
    out += options.show_modules ? "\nModules:\n" : "\nModules without symbols:\n";
    for (const auto& m : r.modules) {
      bool problem = m.symbols == SymbolSource::none || m.symbols == SymbolSource::mismatch;
      if (!options.show_modules && !problem) continue;
      out += "  " + hex_padded(m.start, digits) + "  " + m.path + "  build-id " +
             (m.build_id.empty() ? std::string("?") : m.build_id) + "  symbols: " + to_string(m.symbols);
      if (!m.file.empty() && m.file != m.path) out += " from " + m.file;
      if (!m.debug_file.empty()) out += ", debug info " + m.debug_file;
      if (!m.symbols_note.empty()) out += " (" + m.symbols_note + ")";
      out += "\n";
    }
  }
  // The symbol doctor (unwinder/pipeline/symbol_doctor.hpp): what the crashing stack lacks, and the fix.
  bool doctor_header = false;
  for (const auto& m : r.modules) {
    if (m.symbols_problem.empty()) continue;
    if (!doctor_header) out += "\nSymbol doctor (modules on the crashing stack):\n";
    doctor_header = true;
    out += "  " + m.path + "  " + m.symbols_problem + ": " + m.symbols_fix + "\n";
  }
  if (options.show_mappings) {
    out += "\nMappings:\n";
    for (const auto& m : r.mappings) {
      out += "  " + hex_padded(m.start, digits) + "-" + hex_padded(m.end, digits) + " " + m.perms + " " +
             (m.saved == 0 ? "not-saved " : (m.saved < m.end - m.start ? "partial   " : "saved     ")) + m.path + "\n";
    }
  }
  if (options.show_notes) {
    out += "\nNotes:\n";
    for (const auto& n : r.notes) {
      out += "  " + n.name + " " + (n.type_name.empty() ? hex(n.type) : n.type_name) + "  " +
             std::to_string(n.size) + " bytes at " + hex(n.offset) + "\n";
    }
  }
  bool header = false;
  for (const auto& d : r.diagnostics) {
    if (d.severity == Severity::info) continue;
    if (!header) {
      out += "\nDiagnostics:\n";
      header = true;
    }
    std::string severity = to_string(d.severity);
    out += "  " + paint(d.severity == Severity::warning ? kWarningColor : kErrorColor, severity) + ": " + d.message +
           " [" + d.code + "]\n";
  }
  return out;
}

}  // namespace corelens
