#include "cli/ci_reports.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/model/strings.hpp"
#include "core/report/text_report.hpp"

namespace corelens::cli {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kStackFrames = 32;  // frames shown per crash in CI reports

// The crash analysis of core/analysis (issue 4) fills report.analysis: why, category, signature.
// Read through these so this file builds and reports with or without that work in the tree:
// without it, explanations fall back to the signal and grouping to fallback_signature().
template <typename R>
std::string analysis_why(const R& r) {
  if constexpr (requires { r.analysis->why; }) {
    if (r.analysis) return r.analysis->why;
  }
  return {};
}
template <typename R>
std::string analysis_category(const R& r) {
  if constexpr (requires { r.analysis->classification.category; }) {
    if (r.analysis && r.analysis->classification.category != "unknown") return r.analysis->classification.category;
  }
  return {};
}
template <typename R>
std::pair<std::string, std::string> analysis_signature(const R& r) {  // {hash, readable}
  if constexpr (requires { r.analysis->signature.hash; }) {
    if (r.analysis) return {r.analysis->signature.hash, r.analysis->signature.readable};
  }
  return {};
}

const ThreadReport* crashed_thread(const Report& r) {
  for (const auto& t : r.threads) {
    if (t.crashed) return &t;
  }
  return r.threads.empty() ? nullptr : &r.threads.front();
}

std::string source_root(const CiReportOptions& o) {
  std::error_code ec;
  fs::path root = o.source_root.empty() ? fs::current_path(ec) : fs::path(o.source_root);
  fs::path canon = fs::weakly_canonical(root, ec);
  std::string s = (ec ? root : canon).string();
  if (!s.empty() && s.back() != '/') s += '/';
  return s;
}

// The topmost frame of the crashing thread in the project's own sources (under the source
// root); failing that, the topmost frame with a source file outside the system's directories.
const Frame* own_frame(const Report& r, const std::string& root) {
  const ThreadReport* t = crashed_thread(r);
  if (t == nullptr) return nullptr;
  for (const auto& f : t->frames) {
    if (!f.file.empty() && f.line != 0 && f.file.starts_with(root)) return &f;
  }
  for (const auto& f : t->frames) {
    if (!f.file.empty() && f.line != 0 && !f.file.starts_with("/usr/") && !f.file.starts_with("./") &&
        f.file.front() == '/') {
      return &f;
    }
  }
  return nullptr;
}

std::string relative(const std::string& file, const std::string& root) {
  return file.starts_with(root) ? file.substr(root.size()) : file;
}

std::string signal_line(const Report& r) {
  return r.signal ? signal_summary(*r.signal) : std::string("no fatal signal recorded");
}

// One sentence: why it died (core/analysis), else the signal.
std::string explanation(const CrashCase& c) {
  if (!c.report) return c.error;
  const Report& r = *c.report;
  std::string why = analysis_why(r);
  return why.empty() ? signal_line(r) : why;
}

std::string title(const CrashCase& c, const std::string& root) {
  if (!c.report) return "no report: " + c.error;
  const Report& r = *c.report;
  std::string t = r.signal ? r.signal->name : "crash";
  if (const ThreadReport* th = crashed_thread(r); th != nullptr && !th->frames.empty()) {
    const Frame* f = own_frame(r, root);
    const Frame& top = f != nullptr ? *f : th->frames.front();
    t += " in " + (top.function.empty() ? std::string("??") : top.function);
    if (!top.file.empty()) t += " (" + relative(top.file, root) + ":" + std::to_string(top.line) + ")";
  }
  std::string who = r.process.name.empty() ? c.origin : r.process.name;
  return t + " [" + who + "]";
}

std::string stack_text(const CrashCase& c) {
  if (!c.report) return c.error + "\n";
  const Report& r = *c.report;
  std::string out = signal_line(r) + "\n";
  const ThreadReport* t = crashed_thread(r);
  if (t == nullptr) return out;
  out += "thread " + std::to_string(t->tid) + (t->name.empty() ? "" : " (" + t->name + ")") + ":\n";
  for (std::size_t i = 0; i < t->frames.size() && i < kStackFrames; ++i) out += "  " + frame_to_text(t->frames[i]) + "\n";
  if (t->frames.size() > kStackFrames) out += "  ... " + std::to_string(t->frames.size() - kStackFrames) + " more frames\n";
  return out;
}

std::string origin_line(const CrashCase& c, const CiReportOptions& o) {
  std::string s = c.origin;
  if (c.report && !o.redact_command_lines && !c.report->process.command_line.empty()) {
    s += ": " + c.report->process.command_line;
  }
  if (!c.core.empty()) s += "  (core " + c.core + ")";
  return s;
}

// Text from a core (process names, command lines, paths, symbols) is bytes, not necessarily
// UTF-8; JUnit XML, SARIF and GitHub's Markdown must be UTF-8, and an XML reader stops at the first
// bad byte. Invalid sequences (overlong, surrogates, above U+10FFFF, cut short) become U+FFFD;
// for XML also U+FFFE and U+FFFF, which XML 1.0 forbids.
std::string utf8_clean(std::string_view in, bool xml) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    auto b = static_cast<unsigned char>(in[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    std::uint32_t cp = len == 1 ? b : len == 2 ? b & 0x1Fu : len == 3 ? b & 0x0Fu : b & 0x07u;
    bool ok = len != 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      auto c = static_cast<unsigned char>(in[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF) &&
         !(xml && (cp == 0xFFFE || cp == 0xFFFF));
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;  // resynchronise on the next byte
    }
  }
  return out;
}

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

std::string xml_escape(const std::string& in) {
  std::string out;
  for (char ch : in) {
    auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (u < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') out += '?';
        else out += ch;
    }
  }
  return out;
}

// GitHub workflow commands: data and property values are percent-escaped.
std::string gh_escape(const std::string& in, bool property) {
  std::string out;
  for (char ch : in) {
    if (ch == '%') out += "%25";
    else if (ch == '\r') out += "%0D";
    else if (ch == '\n') out += "%0A";
    else if (property && ch == ':') out += "%3A";
    else if (property && ch == ',') out += "%2C";
    else out += ch;
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

std::string fallback_signature(const CrashCase& c) {
  if (!c.report) return "error | " + c.error;
  const Report& r = *c.report;
  std::string s = r.signal ? r.signal->name : "no-signal";
  if (const ThreadReport* t = crashed_thread(r)) {
    for (std::size_t i = 0; i < t->frames.size() && i < 3; ++i) {
      s += " | " + (t->frames[i].function.empty() ? std::string("??") : t->frames[i].function);
    }
  }
  return s;
}

std::vector<CrashGroup> group_crashes(const std::vector<CrashCase>& cases) {
  std::vector<CrashGroup> groups;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const CrashCase& c = cases[i];
    std::string key, readable;
    auto [hash, sig] = c.report ? analysis_signature(*c.report) : std::pair<std::string, std::string>{};
    if (!hash.empty()) {
      key = hash;
      readable = sig;
    } else {
      readable = fallback_signature(c);
      key = "fallback:" + readable;
    }
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.push_back(CrashGroup{key, readable, {}});
    groups[it->second].members.push_back(i);
  }
  return groups;
}

std::string to_junit(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                     const CiReportOptions& options) {
  std::string root = source_root(options);
  std::string n = std::to_string(groups.size());
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"corelens\" tests=\"" + n + "\" failures=\"" + n + "\" errors=\"0\">\n";
  out += "  <testsuite name=\"corelens.crashes\" tests=\"" + n + "\" failures=\"" + n +
         "\" errors=\"0\" skipped=\"0\" time=\"0\">\n";
  for (const auto& g : groups) {
    const CrashCase& first = cases[g.members.front()];
    std::string name = title(first, root);
    if (g.members.size() > 1) name += " x" + std::to_string(g.members.size());
    std::string body = stack_text(first) + "\nsignature: " + g.signature + "\n";
    std::string seen;
    for (std::size_t m : g.members) seen += origin_line(cases[m], options) + "\n";
    out += "    <testcase classname=\"corelens.crash\" name=\"" + xml_escape(name) + "\" time=\"0\">\n";
    out += "      <failure message=\"" + xml_escape(explanation(first)) + "\" type=\"" +
           xml_escape(first.report && first.report->signal ? first.report->signal->name : "crash") + "\">" +
           xml_escape(body) + "</failure>\n";
    out += "      <system-out>" + xml_escape(body + "\ncrashed " + std::to_string(g.members.size()) + " time(s):\n" + seen) +
           "</system-out>\n";
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return utf8_clean(out, true);
}

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
    std::string category = first.report ? analysis_category(*first.report) : "";
    if (!category.empty()) {
      rule = category;
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
      if (const ThreadReport* t = crashed_thread(*first.report)) {
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

std::string to_github_annotations(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                                  const CiReportOptions& options) {
  std::string root = source_root(options);
  std::string out;
  for (const auto& g : groups) {
    const CrashCase& first = cases[g.members.front()];
    std::string props;
    if (first.report) {
      if (const Frame* f = own_frame(*first.report, root)) {
        props = "file=" + gh_escape(relative(f->file, root), true) + ",line=" + std::to_string(f->line);
        if (f->column != 0) props += ",col=" + std::to_string(f->column);
        props += ",";
      }
    }
    props += "title=" + gh_escape(title(first, root), true);
    std::string msg = explanation(first) + (g.members.size() > 1 ? " (" + std::to_string(g.members.size()) + " times)" : "") +
                      "\n" + stack_text(first);
    out += "::error " + props + "::" + gh_escape(msg, false) + "\n";
  }
  return utf8_clean(out, false);
}

std::string to_markdown(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                        const CiReportOptions& options) {
  std::string root = source_root(options);
  std::string out = "## corelens: " + std::to_string(cases.size()) + (cases.size() == 1 ? " crash" : " crashes");
  out += groups.empty() ? "\n\nNo process crashed.\n" : " in " + std::to_string(groups.size()) +
                                                           (groups.size() == 1 ? " group\n\n" : " groups\n\n");
  if (groups.empty()) return out;
  auto cell = [](std::string s) {
    std::string o;
    for (char ch : s) {
      if (ch == '|') o += "\\|";
      else if (ch == '\n') o += ' ';
      else o += ch;
    }
    return o;
  };
  out += "| # | crash | why | times |\n|---|---|---|---|\n";
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const CrashCase& first = cases[groups[i].members.front()];
    out += "| " + std::to_string(i + 1) + " | " + cell(title(first, root)) + " | " + cell(explanation(first)) + " | " +
           std::to_string(groups[i].members.size()) + " |\n";
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const CrashCase& first = cases[groups[i].members.front()];
    out += "\n<details><summary>" + std::to_string(i + 1) + ". " + xml_escape(title(first, root)) + "</summary>\n\n";
    out += "```\n" + stack_text(first) + "```\n\n";
    out += "Signature: `" + groups[i].signature + "`\n\n";
    for (std::size_t m : groups[i].members) out += "- " + cell(origin_line(cases[m], options)) + "\n";
    out += "\n</details>\n";
  }
  return utf8_clean(out, false);
}

std::string to_summary_text(const std::vector<CrashCase>& cases, const CiReportOptions& options) {
  std::string out;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const CrashCase& c = cases[i];
    out += "\n[" + std::to_string(i + 1) + "/" + std::to_string(cases.size()) + "] " + origin_line(c, options) + "\n";
    if (!c.report) {
      out += "  " + c.error + "\n";
      continue;
    }
    out += "  " + explanation(c) + "\n";
    std::string stack = stack_text(c);
    std::size_t start = stack.find('\n');  // the signal line is in the explanation already
    std::size_t lines = 0;
    for (std::size_t pos = start + 1; pos < stack.size() && lines < 12; ++lines) {
      std::size_t end = stack.find('\n', pos);
      out += "  " + stack.substr(pos, end - pos) + "\n";
      pos = end + 1;
    }
    if (!c.error.empty()) out += "  note: " + c.error + "\n";
  }
  return out;
}

bool parse_ci_option(const std::vector<std::string>& argv, std::size_t& i, CiOutputs& out, std::string& error) {
  const std::string& a = argv[i];
  if (a == "--github") {
    out.github = true;
    return true;
  }
  if (a == "--redact") {
    out.report.redact_command_lines = true;
    return true;
  }
  std::string* target = a == "--junit" ? &out.junit : a == "--sarif" ? &out.sarif : a == "--markdown" ? &out.markdown
                        : a == "--source-root" ? &out.report.source_root : nullptr;
  if (target == nullptr) return false;
  if (i + 1 >= argv.size()) {
    error = a + " needs a value";
    return true;
  }
  *target = argv[++i];
  return true;
}

bool write_ci_outputs(const std::vector<CrashCase>& cases, const CiOutputs& o) {
  auto groups = group_crashes(cases);
  bool ok = true;
  auto write = [&](const std::string& path, const std::string& text, bool append = false) {
    std::ofstream f(path, append ? std::ios::app : std::ios::trunc);
    f << text;
    if (!f) {
      std::fprintf(stderr, "corelens: cannot write %s\n", path.c_str());
      ok = false;
    }
  };
  if (!o.junit.empty()) write(o.junit, to_junit(cases, groups, o.report));
  if (!o.sarif.empty()) write(o.sarif, to_sarif(cases, groups, o.report));
  if (!o.markdown.empty()) write(o.markdown, to_markdown(cases, groups, o.report));
  if (o.github) {
    std::string a = to_github_annotations(cases, groups, o.report);
    std::fwrite(a.data(), 1, a.size(), stdout);
    std::fflush(stdout);
    const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
    if (summary != nullptr && *summary != '\0') write(summary, to_markdown(cases, groups, o.report), true);
  }
  return ok;
}

}  // namespace corelens::cli
