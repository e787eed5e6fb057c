#include "core/report/batch/sarif_report.hpp"

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/report/batch/crash_words.hpp"

namespace corelens {
namespace {

using crash_words::category;
using crash_words::explanation;
using crash_words::kStackFrames;
using crash_words::own_frame;
using crash_words::relative;
using crash_words::source_root;
using crash_words::title;

// A path as a URI path (RFC 3986): bytes other than unreserved characters, sub-delimiters, ':',
// '@' and '/' are percent-encoded, so a space or a non-ASCII byte keeps the URI valid.
std::string uri_path(std::string_view path) {
  static constexpr std::string_view kKeep = "-._~!$&'()*+,;=:@/";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) != 0 && u < 0x80) {
      out += ch;
    } else if (kKeep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

nlohmann::json sarif_location(const Frame& f, const std::string& root) {
  nlohmann::json loc;
  // Under the source root: relative to SRCROOT (what code scanning shows); elsewhere an absolute
  // path becomes a file: URI, since a bare "/usr/..." would be resolved against the run's base.
  nlohmann::json artifact;
  if (f.file.starts_with(root)) {
    artifact = {{"uri", uri_path(relative(f.file, root))}, {"uriBaseId", "SRCROOT"}};
  } else {
    artifact = {{"uri", (f.file.front() == '/' ? "file://" : "") + uri_path(f.file)}};
  }
  nlohmann::json region = {{"startLine", f.line}};
  if (f.column != 0) region["startColumn"] = f.column;
  loc["physicalLocation"] = {{"artifactLocation", artifact}, {"region", region}};
  return loc;
}

nlohmann::json sarif_frame_location(const Frame& f, const std::string& root) {
  nlohmann::json loc = f.file.empty() || f.line == 0 ? nlohmann::json::object() : sarif_location(f, root);
  std::string name = f.function.empty() ? "??" : f.function;
  loc["message"] = {{"text", name + (f.module.empty() ? "" : " [" + f.module + "]")}};
  loc["logicalLocations"] = nlohmann::json::array({{{"fullyQualifiedName", name}, {"kind", "function"}}});
  return loc;
}

}  // namespace

std::string to_sarif(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                     const CiReportOptions& options) {
  using nlohmann::json;
  std::string root = source_root(options);
  json rules = json::array();
  std::map<std::string, std::size_t> rule_index;
  json results = json::array();
  for (const auto& g : groups) {
    const CrashCase& first = cases[g.members.front()];
    std::string rule = "crash";
    std::string cat = first.report ? category(*first.report) : "";
    if (!cat.empty()) {
      rule = cat;
    } else if (first.report && first.report->signal) {
      rule = first.report->signal->name;
    }
    auto [it, inserted] = rule_index.emplace(rule, rule_index.size());
    if (inserted) {
      rules.push_back({{"id", rule},
                       {"shortDescription", {{"text", "The program crashed: " + rule}}},
                       {"defaultConfiguration", {{"level", "error"}}}});
    }
    json result = {{"ruleId", rule},
                   {"ruleIndex", it->second},
                   {"level", "error"},
                   {"message", {{"text", title(first, root) + ": " + explanation(first) +
                                             (g.members.size() > 1 ? " (" + std::to_string(g.members.size()) + " times)" : "")}}},
                   {"partialFingerprints", {{"corelensCrashSignature/v1", g.key}}},
                   {"properties", {{"signature", g.signature}, {"count", g.members.size()}}}};
    if (first.report) {
      if (const Frame* f = own_frame(*first.report, root)) result["locations"] = json::array({sarif_location(*f, root)});
      if (const ThreadReport* t = crash_words::crashed_thread(*first.report)) {
        json frames = json::array(), flow = json::array();
        for (std::size_t i = 0; i < t->frames.size() && i < kStackFrames; ++i) {
          json loc = sarif_frame_location(t->frames[i], root);
          frames.push_back({{"location", loc}});
          flow.push_back({{"location", loc}, {"nestingLevel", 0}, {"executionOrder", static_cast<int>(i)}});
        }
        result["stacks"] = json::array({{{"message", {{"text", "crashing thread " + std::to_string(t->tid)}}},
                                         {"frames", frames}}});
        result["codeFlows"] = json::array({{{"message", {{"text", "stack of the crashing thread, innermost first"}}},
                                            {"threadFlows", json::array({{{"locations", flow}}})}}});
      }
    }
    results.push_back(std::move(result));
  }
  json run = {{"tool", {{"driver", {{"name", "corelens"}, {"version", CORELENS_VERSION},
                                     {"rules", rules}}}}},
              {"originalUriBaseIds", {{"SRCROOT", {{"uri", "file://" + uri_path(root)}}}}},
              {"results", results}};
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"},
              {"runs", json::array({run})}};
  // Invalid UTF-8 in a name or path: replaced (dump() would throw otherwise).
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace corelens
