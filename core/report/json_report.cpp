#include "core/report/json_report.hpp"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/model/strings.hpp"
#include "core/report/json_writer.hpp"
#include "core/report/kernel/kernel_sections.hpp"
#include "core/report/waits_report.hpp"

namespace corelens {
namespace {

// Streamed, not built as a tree: a 1,000-thread or 260,000-frame report spent
// most of its time allocating JSON values (see tests/bench/RESULTS.md). Field
// order is the schema's.

void registers_json(JsonWriter& w, const std::vector<Register>& regs) {
  w.begin_object();
  for (const auto& r : regs) {
    w.key(r.name);
    w.hex(r.value);
  }
  w.end_object();
}

// The variables of --locals are most of such a report's keys: their names are the schema's, so
// they skip the escaping, and an object's fields up to its members go out in one append (fields()).
void variable_json(JsonWriter& w, const VariableReport& v, bool top) {
  // The address as its quoted hex literal, as JsonWriter::hex writes it.
  char address[2 + 2 + 16];
  std::string_view address_literal = "null";
  if (v.address) {
    address[0] = '"';
    address[1] = '0';
    address[2] = 'x';
    char* end = std::to_chars(address + 3, address + sizeof address - 1, *v.address, 16).ptr;
    *end++ = '"';
    address_literal = {address, static_cast<std::size_t>(end - address)};
  }
  std::array<JsonWriter::Field, 10> f{};
  std::size_t n = 0;
  f[n++] = {"name", v.name, false};
  if (top) f[n++] = {"kind", v.argument ? "argument" : "local", false};
  else f[n++] = {"kind", "null", true};
  f[n++] = {"type", v.type, false};
  if (v.exact_type != v.type) f[n++] = {"exact_type", v.exact_type, false};
  if (v.unavailable.empty()) f[n++] = {"value", v.value, false};
  else f[n++] = {"value", "null", true};
  f[n++] = {"address", address_literal, true};
  f[n++] = {"location", v.location, false};
  if (v.unavailable.empty()) f[n++] = {"unavailable", "null", true};
  else f[n++] = {"unavailable", v.unavailable, false};
  f[n++] = {"entry_value", v.entry_value ? "true" : "false", true};
  if (v.members.empty()) f[n++] = {"members", "[]", true};
  w.object_fields({f.data(), n});
  if (!v.members.empty()) {
    w.plain_key("members");
    w.begin_array();
    for (const auto& m : v.members) variable_json(w, m, false);
    w.end_array();
  }
  w.end_object();
}

void frame_json(JsonWriter& w, const Frame& f, const std::vector<VariableReport>* variables) {
  w.begin_object();
  w.field("index", f.index);
  w.key("pc");
  w.hex(f.pc);
  w.key("lookup_pc");
  w.hex(f.lookup_pc);
  w.key("sp");
  w.hex_or_null(f.sp);
  w.key("function");
  w.string_or_null(f.function);
  if (!f.function_exact.empty()) w.field("function_exact", f.function_exact);
  w.key("function_offset");
  if (f.function.empty() || f.inlined) w.null();
  else w.hex(f.function_offset);
  w.key("module");
  w.string_or_null(f.module);
  w.key("module_offset");
  w.hex_or_null(f.module_offset);
  w.key("file");
  w.string_or_null(f.file);
  w.key("compilation_dir");
  w.string_or_null(f.compilation_dir);
  w.key("line");
  if (f.line) w.value(f.line);
  else w.null();
  w.key("column");
  if (f.column) w.value(f.column);
  else w.null();
  w.field("inlined", f.inlined);
  w.field("signal_frame", f.signal_frame);
  w.field("trust", trust_label(f));
  w.key("registers");
  registers_json(w, f.registers);
  if (variables != nullptr) {
    w.key("variables");
    w.begin_array();
    for (const auto& v : *variables) variable_json(w, v, true);
    w.end_array();
  }
  w.end_object();
}

void thread_json(JsonWriter& w, const ThreadReport& t, std::size_t index, const FrameVariableSource* variables) {
  w.begin_object();
  w.field("tid", t.tid);
  w.key("name");
  w.string_or_null(t.name);
  w.field("crashed", t.crashed);
  w.key("registers");
  registers_json(w, t.registers);
  w.key("frames");
  w.begin_array();
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    if (variables == nullptr) {
      frame_json(w, t.frames[i], nullptr);
      continue;
    }
    auto vars = variables->variables(index, i, true);
    frame_json(w, t.frames[i], &vars);
  }
  w.end_array();
  w.key("unwind");
  w.begin_object();
  w.field("complete", t.unwind.complete());
  w.field("status", describe(t.unwind));
  w.key("unwinder");
  w.string_or_null(t.unwinder);
  w.end_object();
  w.end_object();
}

// --unwinder cross-check (cli/report.schema.json: unwinder_cross_check).
void cross_check_side_json(JsonWriter& w, const CrossCheckSide& s) {
  w.begin_object();
  w.field("unwinder", s.unwinder);
  w.field("frames", s.frames);
  w.field("complete", s.complete);
  w.field("status", s.status);
  w.key("frame");
  if (s.frame) {
    w.begin_object();
    w.key("pc");
    w.hex(s.frame->pc);
    w.key("sp");
    w.hex_or_null(s.frame->sp);
    w.field("trust", to_string(s.frame->trust));
    w.key("function");
    w.string_or_null(s.frame->function);
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
}

void cross_check_json(JsonWriter& w, const std::vector<UnwinderComparison>& comparisons) {
  w.begin_array();
  for (const auto& c : comparisons) {
    w.begin_object();
    w.field("tid", c.tid);
    w.field("agree", c.agree);
    w.key("first_difference");
    w.optional(c.first_difference);
    w.key("first_trust_difference");
    w.optional(c.first_trust_difference);
    w.field("summary", c.summary);
    w.key("libdwfl");
    cross_check_side_json(w, c.dwfl);
    w.key("libunwind");
    cross_check_side_json(w, c.libunwind);
    w.end_object();
  }
  w.end_array();
}

void signal_json(JsonWriter& w, const SignalReport& s) {
  w.begin_object();
  w.field("number", s.number);
  w.field("name", s.name);
  w.field("description", s.description);
  w.field("code", s.code);
  w.key("code_name");
  w.string_or_null(s.code_name);
  w.field("code_description", s.code_description);
  w.key("address");
  w.hex_or_null(s.address);
  w.key("sender_pid");
  w.optional(s.sender_pid);
  w.key("sender_uid");
  w.optional(s.sender_uid);
  w.field("errno", s.errnum);
  w.end_object();
}

void fault_json(JsonWriter& w, const FaultExplanation& f) {
  w.begin_object();
  w.key("pc");
  w.hex(f.pc);
  w.key("instruction");
  w.string_or_null(f.instruction);
  w.key("access");
  w.string_or_null(f.access);
  w.key("size");
  if (f.size) w.value(f.size);
  else w.null();
  w.key("address");
  w.hex_or_null(f.address);
  w.key("base_register");
  w.string_or_null(f.base_register);
  w.key("base_value");
  w.hex_or_null(f.base_value);
  w.key("index_register");
  w.string_or_null(f.index_register);
  w.key("index_value");
  w.hex_or_null(f.index_value);
  w.key("scale");
  if (f.scale) w.value(f.scale);
  else w.null();
  w.field("displacement", f.displacement);
  w.key("matches_fault_address");
  w.optional(f.matches_fault_address);
  w.key("variable");
  w.string_or_null(f.variable);
  w.key("member");
  w.string_or_null(f.member);
  w.end_object();
}

void analysis_json(JsonWriter& w, const CrashAnalysis& a) {
  w.begin_object();
  w.field("why", a.why);
  const CrashClassification& c = a.classification;
  w.field("category", c.category);
  w.field("rule", c.rule);
  w.field("severity", c.severity);
  w.key("message");
  w.string_or_null(c.message);
  w.key("exception_type");
  w.string_or_null(c.exception_type);
  w.key("fault");
  if (a.fault) fault_json(w, *a.fault);
  else w.null();
  w.key("signature");
  w.begin_object();
  w.field("hash", a.signature.hash);
  w.field("readable", a.signature.readable);
  w.key("frames");
  w.begin_array();
  for (const auto& f : a.signature.frames) w.value(f);
  w.end_array();
  w.end_object();
  w.key("thread_groups");
  w.begin_array();
  for (const auto& g : a.thread_groups) {
    w.begin_object();
    w.key("tids");
    w.begin_array();
    for (auto tid : g.tids) w.value(tid);
    w.end_array();
    w.field("top_function", g.top_function);
    if (!g.caller.empty()) w.field("caller", g.caller);
    w.end_object();
  }
  w.end_array();
  w.key("health");
  w.begin_array();
  for (const auto& h : a.health) {
    w.begin_object();
    w.field("kind", h.kind);
    w.field("message", h.message);
    w.end_object();
  }
  w.end_array();
  waits_json(w, a);
  w.end_object();
}

void module_json(JsonWriter& w, const ModuleReport& m) {
  w.begin_object();
  w.field("path", m.path);
  w.key("start");
  w.hex(m.start);
  w.key("end");
  w.hex(m.end);
  w.key("load_bias");
  w.hex(m.load_bias);
  w.key("build_id");
  w.string_or_null(m.build_id);
  w.field("main_executable", m.is_main_executable);
  w.key("symbols");
  w.begin_object();
  w.field("source", to_string(m.symbols));
  w.key("file");
  w.string_or_null(m.file);
  w.key("file_build_id");
  w.string_or_null(m.file_build_id);
  w.key("debug_file");
  w.string_or_null(m.debug_file);
  w.key("note");
  w.string_or_null(m.symbols_note);
  w.end_object();
  w.key("symbol_doctor");
  if (m.symbols_problem.empty()) {
    w.null();
  } else {
    w.begin_object();
    w.field("problem", m.symbols_problem);
    w.field("fix", m.symbols_fix);
    w.end_object();
  }
  w.end_object();
}

}  // namespace

namespace {
void write_report(JsonWriter& w, const Report& r, const FrameVariableSource* variables);
}  // namespace

std::string report_to_json(const Report& r, int indent, const FrameVariableSource* variables) {
  std::string out;
  // Frames dominate: ~600 bytes each pretty-printed. Reserving avoids repeated
  // regrowth of a string that can reach hundreds of MiB.
  std::size_t frames = 0;
  for (const auto& t : r.threads) frames += t.frames.size();
  out.reserve(4096 + frames * (indent < 0 ? 400 : 700));
  JsonWriter w(out, indent);
  write_report(w, r, variables);
  return out;
}

std::string variable_to_json(const VariableReport& v, int indent) {
  std::string out;
  JsonWriter w(out, indent);
  variable_json(w, v, false);
  return out;
}

bool write_report_json(const Report& r, const std::function<bool(std::string_view)>& sink, int indent,
                       const FrameVariableSource* variables) {
  constexpr std::size_t kPiece = std::size_t{1} << 20;
  std::string out;
  out.reserve(kPiece + (kPiece >> 2));
  JsonWriter w(out, indent);
  w.stream_to(sink, kPiece);
  write_report(w, r, variables);
  w.flush();
  return !w.failed();
}

namespace {

void write_report(JsonWriter& w, const Report& r, const FrameVariableSource* variables) {
  w.begin_object();
  w.field("schema_version", r.schema_version);
  w.field("tool", "corelens");
  w.key("dump");
  w.begin_object();
  w.field("path", r.dump_path);
  w.field("kind", r.dump_kind);
  w.field("producer", r.producer);
  w.field("arch", r.arch);
  w.end_object();
  w.key("process");
  w.begin_object();
  w.key("executable");
  w.string_or_null(r.process.executable);
  w.key("command_line");
  w.string_or_null(r.process.command_line);
  w.key("name");
  w.string_or_null(r.process.name);
  w.key("pid");
  w.optional(r.process.pid);
  w.key("ppid");
  w.optional(r.process.ppid);
  w.key("uid");
  w.optional(r.process.uid);
  w.key("gid");
  w.optional(r.process.gid);
  w.end_object();
  w.key("signal");
  if (r.signal) signal_json(w, *r.signal);
  else w.null();
  w.key("crashed_thread");
  w.optional(r.crashed_tid);
  if (r.live) {
    w.key("live");
    live_json(w, *r.live);
  }
  w.key("analysis");
  if (r.analysis) analysis_json(w, *r.analysis);
  else w.null();
  w.key("threads");
  w.begin_array();
  for (std::size_t i = 0; i < r.threads.size(); ++i) thread_json(w, r.threads[i], i, variables);
  w.end_array();
  w.key("mappings");
  w.begin_array();
  for (const auto& m : r.mappings) {
    w.begin_object();
    w.key("start");
    w.hex(m.start);
    w.key("end");
    w.hex(m.end);
    w.field("perms", m.perms);
    w.key("path");
    w.string_or_null(m.path);
    w.key("file_offset");
    w.hex(m.file_offset);
    w.field("saved_bytes", m.saved);
    w.field("size", m.end - m.start);
    w.end_object();
  }
  w.end_array();
  w.key("modules");
  w.begin_array();
  for (const auto& m : r.modules) module_json(w, m);
  w.end_array();
  w.key("notes");
  w.begin_array();
  for (const auto& n : r.notes) {
    w.begin_object();
    w.field("name", n.name);
    w.field("type", n.type);
    w.key("type_name");
    w.string_or_null(n.type_name);
    w.key("offset");
    w.hex(n.offset);
    w.field("size", n.size);
    w.end_object();
  }
  w.end_array();
  w.key("auxv");
  w.begin_array();
  for (const auto& a : r.auxv) {
    w.begin_object();
    w.field("type", a.type);
    w.key("value");
    w.hex(a.value);
    w.end_object();
  }
  w.end_array();
  w.key("diagnostics");
  w.begin_array();
  for (const auto& d : r.diagnostics) {
    w.begin_object();
    w.field("severity", to_string(d.severity));
    w.field("code", d.code);
    w.field("message", d.message);
    w.key("where");
    w.hex_or_null(d.where);
    w.end_object();
  }
  w.end_array();
  if (!r.unwinder_cross_check.empty()) {
    w.key("unwinder_cross_check");
    cross_check_json(w, r.unwinder_cross_check);
  }
  if (r.kernel) {
    w.key("kernel");
    w.value(kernel_report_json(r));  // small: built as a tree
  }
  w.end_object();
}

}  // namespace


}  // namespace corelens
