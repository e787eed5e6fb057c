// Grouping crashes by signature, and the words every crash-batch format uses (crash_words.hpp).
#include "core/report/batch/crash_batch.hpp"

#include <filesystem>
#include <map>

#include "core/report/batch/crash_words.hpp"
#include "core/report/text_report.hpp"

namespace corelens {

namespace crash_words {
namespace {

namespace fs = std::filesystem;

std::string signal_line(const Report& r) {
  return r.signal ? signal_summary(*r.signal) : std::string("no fatal signal recorded");
}

}  // namespace

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

std::string category(const Report& r) {
  if (r.analysis && r.analysis->classification.category != "unknown") return r.analysis->classification.category;
  return {};
}

std::string explanation(const CrashCase& c) {
  if (!c.report) return c.error;
  const Report& r = *c.report;
  std::string why = r.analysis ? r.analysis->why : std::string();
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
  const int digits = address_digits(r.arch);
  for (std::size_t i = 0; i < t->frames.size() && i < kStackFrames; ++i) {
    out += "  " + frame_to_text(t->frames[i], false, nullptr, digits) + "\n";
  }
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

}  // namespace crash_words

std::string fallback_signature(const CrashCase& c) {
  if (!c.report) return "error | " + c.error;
  const Report& r = *c.report;
  std::string s = r.signal ? r.signal->name : "no-signal";
  if (const ThreadReport* t = crash_words::crashed_thread(r)) {
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
    if (c.report && c.report->analysis && !c.report->analysis->signature.hash.empty()) {
      key = c.report->analysis->signature.hash;
      readable = c.report->analysis->signature.readable;
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

}  // namespace corelens
