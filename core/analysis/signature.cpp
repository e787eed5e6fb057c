#include "core/analysis/signature.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "core/analysis/readable_names.hpp"
#include "core/analysis/rust_names.hpp"
#include "core/model/strings.hpp"

namespace corelens {

extern const char* const kBuiltinSkipFrames;

namespace {

std::string basename_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

const SkipList& SkipList::builtin() {
  static const SkipList list = parse(kBuiltinSkipFrames);
  return list;
}

SkipList SkipList::parse(std::string_view text) {
  SkipList list;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (!line.empty()) list.patterns_.emplace_back(line);
  }
  return list;
}

Result<SkipList> SkipList::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::io, path + ": cannot open the skip-frames file");
  std::ostringstream text;
  text << in.rdbuf();
  // A skip list is a handful of names; a huge file is a mistake, not a list.
  if (text.str().size() > (1u << 20)) return fail(ErrorCode::malformed, path + ": larger than 1 MiB");
  return parse(text.str());
}

namespace {

// '*' matches any run of characters (none included); every other character itself. Greedy with
// one backtrack point: linear enough for names and short patterns.
bool glob_match(std::string_view pattern, std::string_view name) {
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool SkipList::matches(std::string_view function) const {
  std::string name = function_base_name(rust_readable(function));
  for (const auto& p : patterns_) {
    if (p == "*") continue;  // a lone star would skip every frame: taken as a mistake
    if (glob_match(p, name)) return true;
  }
  return false;
}

std::string function_base_name(std::string_view function) {
  // The parameter list is the last top-level "(...)": skip "operator()" and template arguments.
  int angle = 0;
  for (std::size_t i = 0; i < function.size(); ++i) {
    char c = function[i];
    if (c == '<') ++angle;
    else if (c == '>' && angle > 0) --angle;
    else if (c == '(' && angle == 0) {
      if (std::string_view(function.substr(0, i)).ends_with("operator") && i + 1 < function.size() &&
          function[i + 1] == ')') {
        ++i;  // "operator()" is a name, its parameters follow
        continue;
      }
      return std::string(function.substr(0, i));
    }
  }
  return std::string(function);
}

std::string frame_token(const Frame& f) {
  std::string module = f.module.empty() ? std::string() : basename_of(f.module);
  // Rust names without their hash, which changes with the compiler (rust_names.hpp).
  const std::string& name = f.function_exact.empty() ? f.function : f.function_exact;
  std::string function = name.empty() ? "??" : rust_readable(name);
  return module.empty() ? function : module + "!" + function;
}

// FRAME_TOKEN as people read it: "prog!Parser::parse", without parameters or the standard
// library's default template arguments.
std::string short_frame_token(const Frame& f) {
  std::string module = f.module.empty() ? std::string() : basename_of(f.module);
  std::string function = f.function.empty() ? "??" : short_function_name(rust_readable(f.function));
  return module.empty() ? function : module + "!" + function;
}

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

CrashSignature make_signature(const ThreadReport& crashed, const std::string& category, const SkipList& skip) {
  CrashSignature sig;
  // Unknown frames between skipped ones (libstdc++'s terminate handler without debug info) are
  // part of the shared machinery too; unknown frames before a kept frame are the crash's own.
  std::vector<const Frame*> pending_unknown;
  std::vector<std::string> short_tokens;  // what people read, one per sig.frames entry
  auto keep = [&](const Frame& f) {
    std::string token = frame_token(f);
    if (sig.frames.size() < kSignatureFrames && (sig.frames.empty() || sig.frames.back() != token)) {
      sig.frames.push_back(std::move(token));  // runaway recursion counts once
      short_tokens.push_back(short_frame_token(f));
    }
  };
  for (const auto& f : crashed.frames) {
    if (sig.frames.size() >= kSignatureFrames) break;
    if (f.function.empty()) {
      pending_unknown.push_back(&f);
      continue;
    }
    if (skip.matches(f.function_exact.empty() ? f.function : f.function_exact)) {
      pending_unknown.clear();
      continue;
    }
    for (const Frame* u : pending_unknown) keep(*u);
    pending_unknown.clear();
    keep(f);
  }
  for (const Frame* u : pending_unknown) keep(*u);
  // The hash is over the exact demangled names, as it always was, so that a better readable form
  // never changes a signature (triage databases group by the hash).
  std::string exact = category;
  for (const auto& t : sig.frames) exact += " | " + t;
  sig.hash = hex_padded(fnv1a64(exact)).substr(2);
  sig.readable = category;
  for (const auto& t : short_tokens) sig.readable += " | " + t;
  return sig;
}

namespace {

// The libraries every program waits and fails in, whoever called them.
bool is_runtime_library(const std::string& module) {
  std::string name = basename_of(module);
  for (const char* prefix : {"libc.so", "libc-", "ld-linux", "ld64.so", "ld.so", "ld-musl", "libpthread.so",
                             "libpthread-", "librt.so", "libdl.so", "libm.so", "libstdc++.so", "libc++.so",
                             "libc++abi.so", "libgcc_s.so"}) {
    if (name.starts_with(prefix)) return true;
  }
  return false;
}

std::string caller_outside_runtime(const ThreadReport& t) {
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    const Frame& f = t.frames[i];
    if (f.module.empty() || is_runtime_library(f.module)) continue;
    return i == 0 ? std::string() : frame_token(f);
  }
  return {};
}

}  // namespace

std::vector<ThreadGroup> group_threads(const std::vector<ThreadReport>& threads) {
  std::map<std::string, std::size_t> index;  // stack key -> position in groups
  std::vector<ThreadGroup> groups;
  for (const auto& t : threads) {
    std::string key;
    for (const auto& f : t.frames) key += frame_token(f) + "\n";
    if (key.empty()) key = "(no frames)";
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) {
      ThreadGroup g;
      g.top_function = t.frames.empty() || t.frames.front().function.empty() ? "??" : t.frames.front().function;
      g.caller = caller_outside_runtime(t);
      groups.push_back(std::move(g));
    }
    groups[it->second].tids.push_back(t.tid);
  }
  std::erase_if(groups, [](const ThreadGroup& g) { return g.tids.size() < 2; });
  std::stable_sort(groups.begin(), groups.end(),
                   [](const ThreadGroup& a, const ThreadGroup& b) { return a.tids.size() > b.tids.size(); });
  return groups;
}

}  // namespace corelens
