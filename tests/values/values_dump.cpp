// values_dump CORE [--depth N] [--raw] [--max-frames N] [--count] [--exe FILE]: every thread's frames with their
// arguments and locals as the values engine sees them, as JSON on stdout. The gdb comparison
// (compare_values.py) reads it beside what gdb's Python API says for the same core.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "unwinder/pipeline/user_session.hpp"
#include "unwinder/values/engine.hpp"

using corelens::values::ValueNode;
using nlohmann::json;

namespace {

json node_json(const ValueNode& n) {
  json j;
  j["name"] = n.name;
  j["type"] = n.type;
  j["exact_type"] = n.exact_type;
  j["value"] = n.value;
  j["address"] = n.address ? json(*n.address) : json(nullptr);
  j["location"] = n.location;
  j["unavailable"] = n.unavailable.empty() ? json(nullptr) : json(n.unavailable);
  j["entry_value"] = n.entry_value;
  static const char* const kKinds[] = {"scalar", "pointer", "aggregate", "array", "printed"};
  j["kind"] = kKinds[static_cast<int>(n.kind)];
  j["has_children"] = n.has_children;
  json kids = json::array();
  for (const auto& c : n.children) kids.push_back(node_json(c));
  j["children"] = std::move(kids);
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: values_dump CORE [--depth N] [--raw] [--max-frames N]\n");
    return 2;
  }
  std::string core = argv[1];
  int depth = 3;
  bool raw = false;
  bool count_only = false;  // --count: compute every value, print only how many (for timing)
  std::string executable;   // --exe: the main executable to use (a damaged copy, in the tests)
  std::size_t max_frames = 64;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--depth" && i + 1 < argc) depth = std::atoi(argv[++i]);
    else if (a == "--raw") raw = true;
    else if (a == "--count") count_only = true;
    else if (a == "--exe" && i + 1 < argc) executable = argv[++i];
    else if (a == "--max-frames" && i + 1 < argc) max_frames = static_cast<std::size_t>(std::atol(argv[++i]));
  }
  corelens::AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  options.locator.executable = executable;
  auto session = corelens::open_session(core, options);
  if (!session) {
    std::fprintf(stderr, "values_dump: %s\n", session.error().describe().c_str());
    return 1;
  }
  const auto* user = dynamic_cast<const corelens::UserSession*>(session->get());
  if (user == nullptr) {
    std::fprintf(stderr, "values_dump: %s is not a user core\n", core.c_str());
    return 1;
  }
  const corelens::Report& report = user->report();
  corelens::values::ValueEngine engine(report, user->memory(), &user->dump());
  corelens::values::FormatOptions format = engine.default_options();
  format.depth = depth;
  format.raw = raw;
  if (count_only) {
    std::size_t values = 0;
    for (std::size_t t = 0; t < report.threads.size(); ++t) {
      for (std::size_t f = 0; f < report.threads[t].frames.size() && f < max_frames; ++f) {
        auto vars = engine.frame_variables(t, f, format, true);
        if (vars) values += vars->arguments.size() + vars->locals.size();
      }
    }
    std::printf("%zu values\n", values);
    return 0;
  }
  json out;
  out["threads"] = json::array();
  for (std::size_t t = 0; t < report.threads.size(); ++t) {
    const auto& thread = report.threads[t];
    json jt;
    jt["tid"] = thread.tid;
    jt["frames"] = json::array();
    for (std::size_t f = 0; f < thread.frames.size() && f < max_frames; ++f) {
      const auto& frame = thread.frames[f];
      json jf;
      jf["index"] = frame.index;
      jf["function"] = frame.function;
      jf["inlined"] = frame.inlined;
      jf["pc"] = frame.pc;
      auto vars = engine.frame_variables(t, f, format, true);
      if (!vars) {
        jf["error"] = vars.error().message;
      } else {
        jf["arguments"] = json::array();
        jf["locals"] = json::array();
        for (const auto& a : vars->arguments) jf["arguments"].push_back(node_json(a));
        for (const auto& l : vars->locals) jf["locals"].push_back(node_json(l));
      }
      jt["frames"].push_back(std::move(jf));
    }
    out["threads"].push_back(std::move(jt));
  }
  // Names come from DWARF, which may hold any bytes: invalid UTF-8 becomes U+FFFD.
  std::cout << out.dump(1, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}
