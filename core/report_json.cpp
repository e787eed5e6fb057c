#include "core/report_json.hpp"

#include <nlohmann/json.hpp>

#include "core/report_kernel.hpp"
#include "core/strings.hpp"

namespace corelens {
namespace {

using Json = nlohmann::ordered_json;

Json opt_hex(const std::optional<std::uint64_t>& v) { return v ? Json(hex(*v)) : Json(nullptr); }
template <typename T>
Json opt(const std::optional<T>& v) { return v ? Json(*v) : Json(nullptr); }
Json opt_str(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json frame_json(const Frame& f) {
  Json j;
  j["index"] = f.index;
  j["pc"] = hex(f.pc);
  j["lookup_pc"] = hex(f.lookup_pc);
  j["sp"] = opt_hex(f.sp);
  j["function"] = opt_str(f.function);
  j["function_offset"] = f.function.empty() || f.inlined ? Json(nullptr) : Json(hex(f.function_offset));
  j["module"] = opt_str(f.module);
  j["module_offset"] = opt_hex(f.module_offset);
  j["file"] = opt_str(f.file);
  j["compilation_dir"] = opt_str(f.compilation_dir);
  j["line"] = f.line ? Json(f.line) : Json(nullptr);
  j["column"] = f.column ? Json(f.column) : Json(nullptr);
  j["inlined"] = f.inlined;
  j["signal_frame"] = f.signal_frame;
  j["trust"] = to_string(f.trust);
  Json regs = Json::object();
  for (const auto& r : f.registers) regs[std::string(r.name)] = hex(r.value);
  j["registers"] = std::move(regs);
  return j;
}

Json thread_json(const ThreadReport& t) {
  Json j;
  j["tid"] = t.tid;
  j["name"] = opt_str(t.name);
  j["crashed"] = t.crashed;
  Json regs = Json::object();
  for (const auto& r : t.registers) regs[std::string(r.name)] = hex(r.value);
  j["registers"] = std::move(regs);
  Json frames = Json::array();
  for (const auto& f : t.frames) frames.push_back(frame_json(f));
  j["frames"] = std::move(frames);
  j["unwind"] = Json{{"complete", t.unwind_complete}, {"status", t.unwind_status}, {"unwinder", opt_str(t.unwinder)}};
  return j;
}

// --unwinder cross-check (cli/report.schema.json: unwinder_cross_check).
Json cross_check_side_json(const CrossCheckSide& s) {
  Json frame(nullptr);
  if (s.frame) {
    frame = Json{{"pc", hex(s.frame->pc)}, {"sp", opt_hex(s.frame->sp)}, {"trust", to_string(s.frame->trust)},
                 {"function", opt_str(s.frame->function)}};
  }
  return Json{{"unwinder", s.unwinder}, {"frames", s.frames}, {"complete", s.complete}, {"status", s.status},
              {"frame", std::move(frame)}};
}

Json cross_check_json(const std::vector<UnwinderComparison>& comparisons) {
  Json out = Json::array();
  for (const auto& c : comparisons) {
    out.push_back(Json{{"tid", c.tid}, {"agree", c.agree}, {"first_difference", opt(c.first_difference)},
                       {"first_trust_difference", opt(c.first_trust_difference)}, {"summary", c.summary},
                       {"libdwfl", cross_check_side_json(c.dwfl)}, {"libunwind", cross_check_side_json(c.libunwind)}});
  }
  return out;
}

Json signal_json(const SignalReport& s) {
  Json j;
  j["number"] = s.number;
  j["name"] = s.name;
  j["description"] = s.description;
  j["code"] = s.code;
  j["code_name"] = opt_str(s.code_name);
  j["code_description"] = s.code_description;
  j["address"] = opt_hex(s.address);
  j["sender_pid"] = opt(s.sender_pid);
  j["sender_uid"] = opt(s.sender_uid);
  j["errno"] = s.errnum;
  return j;
}

Json analysis_json(const CrashAnalysis& a) {
  Json j;
  j["why"] = a.why;
  const CrashClassification& c = a.classification;
  j["category"] = c.category;
  j["rule"] = c.rule;
  j["severity"] = c.severity;
  j["message"] = opt_str(c.message);
  j["exception_type"] = opt_str(c.exception_type);
  if (a.fault) {
    const FaultExplanation& f = *a.fault;
    j["fault"] = Json{{"pc", hex(f.pc)},
                      {"instruction", opt_str(f.instruction)},
                      {"access", opt_str(f.access)},
                      {"size", f.size ? Json(f.size) : Json(nullptr)},
                      {"address", opt_hex(f.address)},
                      {"base_register", opt_str(f.base_register)},
                      {"base_value", opt_hex(f.base_value)},
                      {"index_register", opt_str(f.index_register)},
                      {"index_value", opt_hex(f.index_value)},
                      {"scale", f.scale ? Json(f.scale) : Json(nullptr)},
                      {"displacement", f.displacement},
                      {"matches_fault_address", opt(f.matches_fault_address)},
                      {"variable", opt_str(f.variable)},
                      {"member", opt_str(f.member)}};
  } else {
    j["fault"] = nullptr;
  }
  j["signature"] = Json{{"hash", a.signature.hash}, {"readable", a.signature.readable},
                        {"frames", a.signature.frames}};
  Json groups = Json::array();
  for (const auto& g : a.thread_groups) groups.push_back(Json{{"tids", g.tids}, {"top_function", g.top_function}});
  j["thread_groups"] = std::move(groups);
  Json health = Json::array();
  for (const auto& h : a.health) health.push_back(Json{{"kind", h.kind}, {"message", h.message}});
  j["health"] = std::move(health);
  return j;
}

}  // namespace

std::string report_to_json(const Report& r, int indent) {
  Json j;
  j["schema_version"] = r.schema_version;
  j["tool"] = "corelens";
  j["dump"] = Json{{"path", r.dump_path}, {"kind", r.dump_kind}, {"producer", r.producer}, {"arch", r.arch}};
  j["process"] = Json{{"executable", opt_str(r.process.executable)},
                      {"command_line", opt_str(r.process.command_line)},
                      {"name", opt_str(r.process.name)},
                      {"pid", opt(r.process.pid)},
                      {"ppid", opt(r.process.ppid)},
                      {"uid", opt(r.process.uid)},
                      {"gid", opt(r.process.gid)}};
  j["signal"] = r.signal ? signal_json(*r.signal) : Json(nullptr);
  j["crashed_thread"] = opt(r.crashed_tid);
  j["analysis"] = r.analysis ? analysis_json(*r.analysis) : Json(nullptr);
  Json threads = Json::array();
  for (const auto& t : r.threads) threads.push_back(thread_json(t));
  j["threads"] = std::move(threads);
  Json mappings = Json::array();
  for (const auto& m : r.mappings) {
    mappings.push_back(Json{{"start", hex(m.start)}, {"end", hex(m.end)}, {"perms", m.perms},
                            {"path", opt_str(m.path)}, {"file_offset", hex(m.file_offset)},
                            {"saved_bytes", m.saved}, {"size", m.end - m.start}});
  }
  j["mappings"] = std::move(mappings);
  Json modules = Json::array();
  for (const auto& m : r.modules) {
    modules.push_back(Json{{"path", m.path},
                           {"start", hex(m.start)},
                           {"end", hex(m.end)},
                           {"load_bias", hex(m.load_bias)},
                           {"build_id", opt_str(m.build_id)},
                           {"main_executable", m.is_main_executable},
                           {"symbols", Json{{"source", to_string(m.symbols)},
                                            {"file", opt_str(m.file)},
                                            {"file_build_id", opt_str(m.file_build_id)},
                                            {"debug_file", opt_str(m.debug_file)},
                                            {"note", opt_str(m.symbols_note)}}}});
  }
  j["modules"] = std::move(modules);
  Json notes = Json::array();
  for (const auto& n : r.notes) {
    notes.push_back(Json{{"name", n.name}, {"type", n.type}, {"type_name", opt_str(n.type_name)},
                         {"offset", hex(n.offset)}, {"size", n.size}});
  }
  j["notes"] = std::move(notes);
  Json auxv = Json::array();
  for (const auto& a : r.auxv) auxv.push_back(Json{{"type", a.type}, {"value", hex(a.value)}});
  j["auxv"] = std::move(auxv);
  Json diags = Json::array();
  for (const auto& d : r.diagnostics) {
    diags.push_back(Json{{"severity", to_string(d.severity)}, {"code", d.code}, {"message", d.message},
                         {"where", opt_hex(d.where)}});
  }
  j["diagnostics"] = std::move(diags);
  if (!r.unwinder_cross_check.empty()) j["unwinder_cross_check"] = cross_check_json(r.unwinder_cross_check);
  if (r.kernel) j["kernel"] = kernel_report_json(*r.kernel);
  // Hostile dumps can carry invalid UTF-8 in paths and names: replace rather than throw.
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace corelens
