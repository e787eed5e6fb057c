#include "cli/analyze_values.hpp"

#include <algorithm>
#include <cstdio>

#include "cli/exit_codes.hpp"
#include "cli/isolation.hpp"
#include "core/report/json_report.hpp"
#include "unwinder/values/report_values.hpp"

namespace corelens::cli {
namespace {

int fail_with(const std::string& message, int code) {
  std::fprintf(stderr, "corelens: %s\n", message.c_str());
  return code;
}

// --print's value as text: the value (or why there is none), then members to --depth.
std::string value_text(const VariableReport& v, std::size_t indent) {
  std::string out;
  for (const auto& m : v.members) {
    out += std::string(indent, ' ') + m.name;
    if (!m.unavailable.empty()) out += " = <" + m.unavailable + ">";
    else if (!m.compound || m.members.empty()) out += " = " + m.value;
    out += "  (" + m.type + ")\n" + value_text(m, indent + 2);
  }
  return out;
}

int print_expression(const Session& session, values::ValueEngine& engine, const values::FormatOptions& options,
                     const std::string& format, const ValueRequest& request, int fd) {
  const Report& report = session.report();
  std::size_t thread = 0;  // the crashed thread comes first
  if (request.tid) {
    auto it = std::find_if(report.threads.begin(), report.threads.end(),
                           [&](const ThreadReport& t) { return t.tid == *request.tid; });
    if (it == report.threads.end()) return fail_with("no thread " + std::to_string(*request.tid) + " in the dump", kExitUsage);
    thread = static_cast<std::size_t>(it - report.threads.begin());
  }
  if (report.threads.empty()) return fail_with("the dump has no threads to evaluate in", kExitUsage);
  auto node = engine.evaluate(thread, request.frame, *request.print, options);
  if (!node) return fail_with(node.error().message, kExitUsage);
  VariableReport v = values::to_report(*node, false);
  if (format == "json") return write_all(fd, variable_to_json(v) + "\n") ? kExitOk : kExitIo;
  std::string out = v.unavailable.empty() ? v.value : "<" + v.unavailable + ">";
  out += "\n" + value_text(v, 2);
  return write_all(fd, out) ? kExitOk : kExitIo;
}

}  // namespace

int analyze_with_values(const std::string& core, const AnalyzeOptions& analyze, const std::string& format,
                        TextOptions text, const ValueRequest& request, int fd) {
  auto session = open_session(core, analyze);
  if (!session) {
    std::fprintf(stderr, "corelens: %s\n", session.error().message.c_str());
    return exit_code_for(session.error());
  }
  return write_with_values(**session, format, std::move(text), request, fd);
}

int write_with_values(const Session& s, const std::string& format, TextOptions text, const ValueRequest& request,
                      int fd) {
  // Values come from a user core's DWARF; a kernel dump's report is written without them.
  const auto* user = dynamic_cast<const UserSession*>(&s);
  if (user == nullptr) {
    if (request.print) return fail_with("--print reads values of user cores only, not of kernel dumps", kExitUsage);
    if (request.locals) std::fprintf(stderr, "corelens: --locals: kernel dumps have no values here; the report follows without them\n");
    if (format == "json") {
      bool ok = write_report_json(s.report(), [fd](std::string_view piece) { return write_all(fd, piece); }, 2);
      return ok && write_all(fd, "\n") ? kExitOk : kExitIo;
    }
    return write_all(fd, report_to_text(s.report(), text)) ? kExitOk : kExitIo;
  }
  values::ValueEngine engine(s.report(), s.memory(), &user->dump());
  values::FormatOptions options = engine.default_options();
  options.depth = request.depth;
  options.raw = request.raw;
  if (request.print) return print_expression(s, engine, options, format, request, fd);
  values::EngineVariables variables(engine, options);
  if (format == "json") {
    bool ok = write_report_json(s.report(), [fd](std::string_view piece) { return write_all(fd, piece); }, 2,
                                request.locals ? &variables : nullptr);
    return ok && write_all(fd, "\n") ? kExitOk : kExitIo;
  }
  text.variables = &variables;
  text.locals = request.locals;
  return write_all(fd, report_to_text(s.report(), text)) ? kExitOk : kExitIo;
}

}  // namespace corelens::cli
