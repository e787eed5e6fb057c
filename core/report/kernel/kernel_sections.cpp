#include "core/report/kernel/kernel_sections.hpp"

#include <cctype>
#include <ctime>

#include "core/model/arch.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

using Json = nlohmann::ordered_json;

std::string stamp(const KernelLogLine& l) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "[%5llu.%06llu] ", static_cast<unsigned long long>(l.ts_nsec / 1000000000),
                static_cast<unsigned long long>((l.ts_nsec % 1000000000) / 1000));
  return buf;
}

std::optional<std::uint64_t> reg(const std::vector<Register>& regs, std::string_view name) {
  for (const auto& r : regs) {
    if (r.name == name) return r.value;
  }
  return std::nullopt;
}

// A CPU's stack the way the kernel's oops prints it: a marker when the stack changes (<IRQ>,
// <TASK> ...), "?" before scanned frames, and the user context as "RIP: 0033:...".
void append_cpu_stack(std::string& out, const StackReport& t) {
  out += "    stack: " + (t.method.empty() ? std::string("none") : t.method) + "; " + describe(t.unwind) + "\n";
  std::string stack;
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    const Frame& f = t.frames[i];
    if (f.stack_area != stack && !f.is_user_context()) {
      std::string kind = f.stack_area;
      for (char& ch : kind) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out += "    <" + kind + ">\n";
    }
    stack = f.stack_area;
    // An exact pc below frame 0: the context an exception or interrupt saved in its pt_regs.
    if (i > 0 && f.lookup_pc == f.pc && t.frames[i - 1].pc != f.pc && !f.is_user_context() && f.trust != FrameTrust::scan) {
      out += "    -- interrupted here (the pt_regs of an exception or interrupt) --\n";
    }
    std::string line = "#" + std::to_string(f.index);
    line.append(line.size() < 4 ? 4 - line.size() : 1, ' ');
    // The oops's "?" marks the scanned frame itself; a call inlined in it is shown as before.
    line += f.trust == FrameTrust::scan && !f.inlined ? "? " : "  ";
    line += f.inlined ? std::string(18, ' ') + "  [inlined] " : hex_padded(f.pc) + "  ";
    if (f.is_user_context() && reg(f.registers, "cs")) {
      auto cs = reg(f.registers, "cs"), sp = reg(f.registers, "rsp"), ss = reg(f.registers, "ss");
      char buf[96];
      std::snprintf(buf, sizeof buf, "user space  RIP: %04llx:%#llx", static_cast<unsigned long long>(cs.value_or(0)),
                    static_cast<unsigned long long>(f.pc));
      line += buf;
      if (sp) {
        std::snprintf(buf, sizeof buf, " RSP: %04llx:%016llx", static_cast<unsigned long long>(ss.value_or(0)),
                      static_cast<unsigned long long>(*sp));
        line += buf;
      }
    } else if (f.is_user_context()) {  // arm64's oops: "pc : 0000ffff9f2a6c88" and "sp : 0000ffffc4b2f570"
      auto sp = reg(f.registers, "sp");
      line += "user space  pc : " + hex_padded(f.pc) + (sp ? "  sp : " + hex_padded(*sp) : std::string());
    } else if (f.inlined) {
      line += f.function;
    } else {
      line += f.oops_symbol.empty() ? (f.function.empty() ? std::string("??") : f.function) : f.oops_symbol;
    }
    if (!f.file.empty()) {
      line += " at " + f.file;
      if (f.line) line += ":" + std::to_string(f.line);
      if (f.line && f.column) line += ":" + std::to_string(f.column);
    }
    if (!f.inlined) line += "  (" + std::string(found_by_label(f)) + ")";
    out += "    " + line + "\n";
  }
  if (t.frames.empty()) out += "    (no frames)\n";
}

// The tasks as ps would list them, with where each waits. Sleepers are left out of a long list.
void append_tasks(std::string& out, const KernelReport& k) {
  if (!k.tasks_read) return;
  constexpr std::size_t kAllUpTo = 100;
  bool all = k.tasks.size() <= kAllUpTo;
  out += "\nTasks (" + std::to_string(k.tasks.size()) + "):\n";
  out += "      PID     TGID  ST  CPU  COMM               WAITING IN\n";
  std::size_t hidden = 0;
  for (const auto& t : k.tasks) {
    if (!all && (t.state == 'S' || t.state == 'I') && !t.running_on) {
      ++hidden;
      continue;
    }
    char buf[96];
    std::string cpu = t.cpu ? std::to_string(*t.cpu) : "-";
    std::string comm = t.kernel_thread ? "[" + t.comm + "]" : t.comm;
    std::snprintf(buf, sizeof buf, "  %7d  %7d   %c  %3s  %-17s  ", t.pid, t.tgid, t.state, cpu.c_str(), comm.c_str());
    std::string line = buf;
    if (t.running_on) line += "running on CPU " + std::to_string(*t.running_on);
    else line += t.wchan.empty() ? std::string("?") : t.wchan;
    if (!t.running_on && !t.unwind.complete()) line += "  (stack incomplete: " + describe(t.unwind) + ")";
    out += line + "\n";
  }
  if (hidden != 0) {
    out += "  ... and " + std::to_string(hidden) + " sleeping tasks (S, I); --format json lists every task with its stack\n";
  }
}

Json frame_json(const Frame& f) {
  auto opt_str = [](const std::string& v) { return v.empty() ? Json(nullptr) : Json(v); };
  Json j;
  j["index"] = f.index;
  j["pc"] = hex(f.pc);
  j["lookup_pc"] = hex(f.lookup_pc);
  j["sp"] = f.sp ? Json(hex(*f.sp)) : Json(nullptr);
  j["function"] = opt_str(f.function);
  j["function_offset"] = f.function.empty() || f.inlined ? Json(nullptr) : Json(hex(f.function_offset));
  j["module"] = opt_str(f.module);
  j["module_offset"] = f.module_offset ? Json(hex(*f.module_offset)) : Json(nullptr);
  j["file"] = opt_str(f.file);
  j["compilation_dir"] = opt_str(f.compilation_dir);
  j["line"] = f.line ? Json(f.line) : Json(nullptr);
  j["column"] = f.column ? Json(f.column) : Json(nullptr);
  j["inlined"] = f.inlined;
  j["signal_frame"] = f.signal_frame;
  j["trust"] = trust_label(f);
  Json regs = Json::object();
  for (const auto& r : f.registers) regs[std::string(r.name)] = hex(r.value);
  j["registers"] = std::move(regs);
  return j;
}

// The kernel's facts of a frame (cli/report.schema.json: kernel_frame_note).
Json note_json(const Frame& f) {
  return Json{{"symbol", f.oops_symbol.empty() ? Json(nullptr) : Json(f.oops_symbol)},
              {"stack", f.stack_area},
              {"found_by", found_by_label(f)}};
}

Json log_json(const std::vector<KernelLogLine>& lines) {
  Json a = Json::array();
  for (const auto& l : lines) a.push_back(Json{{"seq", l.seq}, {"ts_nsec", l.ts_nsec}, {"text", l.text}});
  return a;
}

}  // namespace

std::string kernel_log_line_text(const KernelLogLine& line) { return stamp(line) + line.text; }

std::string kernel_report_to_text(const Report& r, const TextOptions& options) {
  const KernelReport& k = *r.kernel;
  const Arch arch = arch_from_string(r.arch);
  const std::string pc_name(pc_register(arch)), sp_name(sp_register(arch));
  std::string out;
  out += "Dump      " + r.dump_path + " (" + r.arch + " kernel dump: " + k.format +
         (k.compression.empty() ? "" : ", " + k.compression + " pages") + ", written by " + r.producer + ")\n";
  out += "Kernel    " + (k.release.empty() ? std::string("(release unknown)") : k.release);
  if (k.kernel_offset) out += "  KASLR offset " + hex(*k.kernel_offset);
  if (!k.build_id.empty()) out += "  build-id " + k.build_id;
  out += "\n";
  if (k.crash_time) {
    std::time_t t = static_cast<std::time_t>(*k.crash_time);
    char buf[64];
    std::tm tm{};
    if (gmtime_r(&t, &tm) != nullptr && std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) != 0) {
      out += "Crashed   " + std::string(buf) + "\n";
    }
  }
  out += "Panic     " + (k.panic_message.empty() ? std::string("(no \"Kernel panic\" line in the log)") : k.panic_message) + "\n";
  // What led to the panic, as the log's first line of it says ("BUG: kernel NULL pointer ...").
  if (!k.oops_headline.empty() && k.oops_headline.find(k.panic_message) == std::string::npos) {
    out += "Cause     " + k.oops_headline + "\n";
  }
  if (k.panic_cpu) {
    out += "On        CPU " + std::to_string(*k.panic_cpu);
    if (k.panic_pid) out += ", PID " + std::to_string(*k.panic_pid);
    if (!k.panic_comm.empty()) out += " (" + k.panic_comm + ")";
    out += "\n";
  }
  for (const auto& c : k.cpus) {
    if (!c.panicking) continue;
    const ThreadReport* t = r.cpu_stack(c.cpu);
    if (k.panic_frame && t != nullptr && *k.panic_frame < t->frames.size()) {
      // The function that panicked or oopsed, not the panic machinery above it.
      const Frame& f = t->frames[*k.panic_frame];
      out += "At        " + (f.inlined ? std::string("[inlined]") : hex(f.pc)) + " in " + (k.panic_at.empty() ? "??" : k.panic_at);
      if (!f.file.empty()) out += " at " + f.file + (f.line ? ":" + std::to_string(f.line) : "") +
                                  (f.line && f.column ? ":" + std::to_string(f.column) : "");
      if (*k.panic_frame != 0) out += "  (frame #" + std::to_string(*k.panic_frame) + ", below the panic machinery)";
      out += "\n";
      continue;
    }
    for (const auto& reg : c.registers) {
      if (reg.name == pc_name) out += "At        " + hex(reg.value) + (c.pc_symbol.empty() ? "" : " in " + c.pc_symbol) + "\n";
    }
  }
  if (!k.oops.empty()) {
    out += "\nOops and panic, from the kernel log:\n";
    for (const auto& l : k.oops) out += "  " + stamp(l) + l.text + "\n";
  }
  out += "\nCPUs (" + std::to_string(k.cpus.size()) + "):\n";
  for (const auto& c : k.cpus) {
    out += "  CPU " + std::to_string(c.cpu) + (c.panicking ? " (panicking)" : "");
    out += c.pid ? "  pid " + std::to_string(*c.pid) + (c.comm.empty() ? "" : " (" + c.comm + ")") : "  pid unknown";
    for (const auto& reg : c.registers) {
      if (reg.name == pc_name) out += "  " + pc_name + " " + hex(reg.value) + (c.pc_symbol.empty() ? "" : " " + c.pc_symbol);
      if (reg.name == sp_name) out += "  " + sp_name + " " + hex(reg.value);
    }
    if (c.registers.empty()) out += "  (no registers saved)";
    out += "\n";
    if (const ThreadReport* t = r.cpu_stack(c.cpu)) append_cpu_stack(out, *t);
    if (options.show_registers) {
      std::string line = "     ";
      for (std::size_t i = 0; i < c.registers.size(); ++i) {
        line += " " + std::string(c.registers[i].name) + "=" + hex(c.registers[i].value);
        if (i % 4 == 3 || i + 1 == c.registers.size()) {
          out += line + "\n";
          line = "     ";
        }
      }
      if (c.cr3) out += "      cr3=" + hex(*c.cr3) + "\n";
    }
  }
  append_tasks(out, k);
  out += "\nKernel log: " + std::to_string(k.log_records) + " records" + (k.log_complete ? "" : " (incomplete)");
  if (!k.log_tail.empty()) out += ", the last " + std::to_string(k.log_tail.size()) + ":";
  out += "\n";
  for (const auto& l : k.log_tail) out += "  " + stamp(l) + l.text + "\n";
  out += "\nSymbols   ";
  if (k.kallsyms_symbols == 0) out += "none (kallsyms not readable)";
  else if (k.symbols_from == "vmlinux") out += std::to_string(k.kallsyms_symbols) + " from the vmlinux's .symtab (kallsyms not readable)";
  else out += std::to_string(k.kallsyms_symbols) + " from the dump's kallsyms";
  out += "\n";
  if (!k.vmlinux.empty()) {
    out += "DWARF     " + k.vmlinux + " (" + k.vmlinux_note + "; addresses + " + hex(k.vmlinux_offset) + ")\n";
  } else if (k.vmlinux_source == "mismatch") {
    out += "DWARF     not used: " + k.vmlinux_note + "\n";
  } else {
    std::string pkg = k.release.empty() ? std::string("linux-image-RELEASE-dbg") : "linux-image-" + k.release + "-dbg";
    out += "DWARF     none (file:line and DWARF CFI need --vmlinux: Debian's " + pkg + " has it)\n";
  }
  if (!k.btf_from.empty()) out += "Types     BTF from the " + std::string(k.btf_from == "dump" ? "dump" : "vmlinux") + "\n";
  for (const auto& n : k.not_done) out += "Not yet   " + n + "\n";
  if (!r.diagnostics.empty()) {
    out += "\nDiagnostics:\n";
    for (const auto& d : r.diagnostics) {
      out += std::string("  ") + to_string(d.severity) + " " + d.code + ": " + d.message + "\n";
    }
  }
  return out;
}

Json kernel_report_json(const Report& report) {
  const KernelReport& k = *report.kernel;
  Json j;
  j["release"] = k.release;
  j["build_id"] = k.build_id.empty() ? Json(nullptr) : Json(k.build_id);
  j["format"] = k.format;
  j["compression"] = k.compression.empty() ? Json(nullptr) : Json(k.compression);
  j["page_size"] = k.page_size;
  j["kernel_offset"] = k.kernel_offset ? Json(hex(*k.kernel_offset)) : Json(nullptr);
  j["phys_base"] = k.phys_base ? Json(*k.phys_base) : Json(nullptr);
  j["crash_time"] = k.crash_time ? Json(*k.crash_time) : Json(nullptr);
  j["physical_memory"] = k.physical_memory;
  j["vmcoreinfo_keys"] = k.vmcoreinfo_keys;
  j["panic"] = Json{{"message", k.panic_message.empty() ? Json(nullptr) : Json(k.panic_message)},
                    {"headline", k.oops_headline.empty() ? Json(nullptr) : Json(k.oops_headline)},
                    {"cpu", k.panic_cpu ? Json(*k.panic_cpu) : Json(nullptr)},
                    {"pid", k.panic_pid ? Json(*k.panic_pid) : Json(nullptr)},
                    {"comm", k.panic_comm.empty() ? Json(nullptr) : Json(k.panic_comm)},
                    {"frame", k.panic_frame ? Json(*k.panic_frame) : Json(nullptr)},
                    {"at", k.panic_at.empty() ? Json(nullptr) : Json(k.panic_at)},
                    {"oops", log_json(k.oops)}};
  Json cpus = Json::array();
  for (const auto& c : k.cpus) {
    Json regs = Json::object();
    for (const auto& r : c.registers) regs[std::string(r.name)] = hex(r.value);
    Json frames = Json::array();
    const ThreadReport* stack = report.cpu_stack(c.cpu);
    if (stack != nullptr) {
      for (const auto& f : stack->frames) frames.push_back(note_json(f));
    }
    cpus.push_back(Json{{"cpu", c.cpu},
                        {"pid", c.pid ? Json(*c.pid) : Json(nullptr)},
                        {"comm", c.comm.empty() ? Json(nullptr) : Json(c.comm)},
                        {"panicking", c.panicking},
                        {"registers", std::move(regs)},
                        {"cr3", c.cr3 ? Json(hex(*c.cr3)) : Json(nullptr)},
                        {"pc_symbol", c.pc_symbol.empty() ? Json(nullptr) : Json(c.pc_symbol)},
                        {"unwind_method", stack == nullptr || stack->method.empty() ? Json(nullptr) : Json(stack->method)},
                        {"frames", std::move(frames)}});
  }
  j["cpus"] = std::move(cpus);
  Json tasks = Json::array();
  for (const auto& t : k.tasks) {
    Json frames = Json::array(), notes = Json::array();
    for (const auto& f : t.frames) frames.push_back(frame_json(f));
    for (const auto& f : t.frames) notes.push_back(note_json(f));
    tasks.push_back(Json{{"address", hex(t.address)},
                         {"pid", t.pid},
                         {"tgid", t.tgid},
                         {"comm", t.comm},
                         {"state", std::string(1, t.state)},
                         {"cpu", t.cpu ? Json(*t.cpu) : Json(nullptr)},
                         {"running_on", t.running_on ? Json(*t.running_on) : Json(nullptr)},
                         {"kernel_thread", t.kernel_thread},
                         {"wchan", t.wchan.empty() ? Json(nullptr) : Json(t.wchan)},
                         {"unwind", Json{{"method", t.method}, {"complete", t.unwind.complete()}, {"status", describe(t.unwind)}}},
                         {"frames", std::move(frames)},
                         {"frame_notes", std::move(notes)}});
  }
  j["tasks"] = std::move(tasks);
  j["tasks_read"] = k.tasks_read;
  j["log"] = Json{{"records", k.log_records}, {"complete", k.log_complete}, {"tail", log_json(k.log_tail)}};
  j["kallsyms_symbols"] = k.kallsyms_symbols;
  j["symbols_from"] = k.symbols_from.empty() ? Json(nullptr) : Json(k.symbols_from);
  j["btf_from"] = k.btf_from.empty() ? Json(nullptr) : Json(k.btf_from);
  j["vmlinux"] = Json{{"file", k.vmlinux.empty() ? Json(nullptr) : Json(k.vmlinux)},
                      {"build_id", k.vmlinux_build_id.empty() ? Json(nullptr) : Json(k.vmlinux_build_id)},
                      {"source", k.vmlinux_source.empty() ? Json("none") : Json(k.vmlinux_source)},
                      {"note", k.vmlinux_note.empty() ? Json(nullptr) : Json(k.vmlinux_note)},
                      {"offset", hex(k.vmlinux_offset)}};
  j["not_done"] = k.not_done;
  return j;
}

}  // namespace corelens
