#include "core/analysis/readable_names.hpp"

#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <vector>

namespace corelens {
namespace {

// Deeper template nesting, or a longer name, is returned as it came: no real program needs more,
// and a hostile one must not cost more than a pass over its bytes.
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxLength = 1 << 20;

// The tokens a demangler writes right after "operator", longest first, so that `operator<<`
// and `operator<` are read as names, never as template brackets.
constexpr std::array<std::string_view, 24> kOperatorTokens = {
    "<<=", ">>=", "<=>", "->*", "<<", ">>", "<=", ">=", "->", "()", "[]", "==", "!=", "&&", "||", "++", "--",
    "<",   ">",   "=",   "+=",  "-=", "*=", "/="};

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':'; }

// The length of the "operator..." token at I (0 when none starts there).
std::size_t operator_token(std::string_view s, std::size_t i) {
  constexpr std::string_view kOperator = "operator";
  if (s.substr(i, kOperator.size()) != kOperator) return 0;
  if (i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])) != 0 || s[i - 1] == '_')) return 0;
  std::size_t j = i + kOperator.size();
  for (std::string_view tok : kOperatorTokens) {
    if (s.substr(j, tok.size()) == tok) return kOperator.size() + tok.size();
  }
  return kOperator.size();
}

// Tracks (), [] and {} so that brackets and commas inside a function type or a lambda's name
// are not taken for the template's own.
struct Nesting {
  int paren = 0;
  void see(char c) {
    if (c == '(' || c == '[' || c == '{') ++paren;
    if ((c == ')' || c == ']' || c == '}') && paren > 0) --paren;
  }
};

// The '>' closing the '<' at OPEN, or npos when the brackets do not balance.
std::size_t matching_angle(std::string_view s, std::size_t open) {
  int angle = 0;
  Nesting n;
  for (std::size_t j = open; j < s.size(); ++j) {
    if (std::size_t op = operator_token(s, j); op != 0) {
      j += op - 1;
      continue;
    }
    char c = s[j];
    n.see(c);
    if (n.paren != 0) continue;
    if (c == '<') ++angle;
    if (c == '>' && --angle == 0) return j;
  }
  return std::string_view::npos;
}

struct Arg {
  std::string_view text;       // as it came, untrimmed
  std::string_view separator;  // the text before it (",", ", "), empty for the first
};

std::vector<Arg> split_args(std::string_view s) {
  std::vector<Arg> out;
  int angle = 0;
  Nesting n;
  std::size_t start = 0;
  std::string_view sep;
  for (std::size_t j = 0; j < s.size(); ++j) {
    if (std::size_t op = operator_token(s, j); op != 0) {
      j += op - 1;
      continue;
    }
    char c = s[j];
    n.see(c);
    if (n.paren != 0) continue;
    if (c == '<') ++angle;
    if (c == '>') --angle;
    if (c == ',' && angle == 0) {
      out.push_back({s.substr(start, j - start), sep});
      sep = ",";
      start = j + 1;
    }
  }
  out.push_back({s.substr(start), sep});
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// libstdc++'s and libc++'s inline namespaces, which the source never names.
std::string without_inline_namespaces(std::string name) {
  for (std::string_view ns : {"std::__cxx11::", "std::__1::", "std::__8::"}) {
    for (std::size_t p = name.find(ns); p != std::string::npos; p = name.find(ns, p)) {
      name.replace(p, ns.size(), "std::");
      p += 5;
    }
  }
  return name;
}

// "> >" as C++11 writes it, ">>", for comparing and for showing; "operator> >" keeps its space.
// One pass, copying: erasing in place would cost a pass over the rest of the name for every
// "> >", quadratic in a hostile name's length.
std::string close_brackets(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ' && !out.empty() && out.back() == '>' && i + 1 < s.size() && s[i + 1] == '>' &&
        !(out.size() >= 9 && out.compare(out.size() - 9, 9, "operator>") == 0)) {
      continue;  // "> >" -> ">>"
    }
    out += s[i];
  }
  return out;
}

std::string tmpl(std::string_view name, const std::vector<std::string>& args) {
  std::string out(name);
  out += '<';
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i != 0) out += ", ";
    out += args[i];
  }
  out += '>';
  return out;
}
std::string tmpl(std::string_view name, const std::string& arg) { return tmpl(name, std::vector{arg}); }

// The std:: typedef of a character type's string or stream: "" when it has none.
std::string char_prefix(const std::string& c) {
  static const std::map<std::string, std::string, std::less<>> prefixes = {
      {"char", ""}, {"wchar_t", "w"}, {"char8_t", "u8"}, {"char16_t", "u16"}, {"char32_t", "u32"}};
  auto it = prefixes.find(c);
  return it == prefixes.end() ? "?" : it->second;
}

// The arguments TEMPLATE_NAME defaults, position by position ("" where there is none), given the
// arguments before them.
std::vector<std::string> defaults(const std::string& name, const std::vector<std::string>& a) {
  auto alloc = [](const std::string& t) { return tmpl("std::allocator", t); };
  auto pair_alloc = [&] { return alloc(tmpl("std::pair", std::vector{a[0] + " const", a[1]})); };
  static const std::map<std::string, int, std::less<>> kind = {
      {"std::vector", 0}, {"std::list", 0}, {"std::deque", 0}, {"std::forward_list", 0},
      {"std::set", 1}, {"std::multiset", 1}, {"std::map", 2}, {"std::multimap", 2},
      {"std::unordered_set", 3}, {"std::unordered_multiset", 3}, {"std::unordered_map", 4},
      {"std::unordered_multimap", 4}, {"std::unique_ptr", 5}, {"std::queue", 6}, {"std::stack", 6},
      {"std::priority_queue", 7}};
  auto it = kind.find(name);
  if (it == kind.end() || a.empty()) return {};
  const std::string& t = a[0];
  switch (it->second) {
    case 0: return {"", alloc(t)};
    case 1: return {"", tmpl("std::less", t), alloc(t)};
    case 2: return a.size() < 2 ? std::vector<std::string>{} : std::vector<std::string>{"", "", tmpl("std::less", t), pair_alloc()};
    case 3: return {"", tmpl("std::hash", t), tmpl("std::equal_to", t), alloc(t)};
    case 4:
      return a.size() < 2 ? std::vector<std::string>{}
                          : std::vector<std::string>{"", "", tmpl("std::hash", t), tmpl("std::equal_to", t), pair_alloc()};
    case 5: return {"", tmpl("std::default_delete", t)};
    case 6: return {"", tmpl("std::deque", t)};
    case 7: return {"", tmpl("std::vector", t), tmpl("std::less", t)};
  }
  return {};
}

// Folds one template instantiation NAME<ARGS> (ARGS already folded). Returns the new text, or
// nothing when no rule applies.
std::optional<std::string> fold_template(const std::string& name, std::vector<std::string> args) {
  static const std::map<std::string, std::string, std::less<>> streams = {
      {"std::basic_ostream", "ostream"},   {"std::basic_istream", "istream"},
      {"std::basic_iostream", "iostream"}, {"std::basic_ios", "ios"},
      {"std::basic_streambuf", "streambuf"}, {"std::basic_ostringstream", "ostringstream"},
      {"std::basic_istringstream", "istringstream"}, {"std::basic_stringstream", "stringstream"},
      {"std::basic_stringbuf", "stringbuf"}, {"std::basic_ofstream", "ofstream"},
      {"std::basic_ifstream", "ifstream"}, {"std::basic_fstream", "fstream"},
      {"std::basic_filebuf", "filebuf"}, {"std::basic_string", "string"},
      {"std::basic_string_view", "string_view"}};
  if (auto s = streams.find(name); s != streams.end() && !args.empty()) {
    const std::string& c = args[0];
    bool traits = args.size() < 2 || close_brackets(args[1]) == tmpl("std::char_traits", c);
    bool alloc = args.size() < 3 || close_brackets(args[2]) == tmpl("std::allocator", c);
    std::string prefix = char_prefix(c);
    if (traits && alloc && args.size() <= 3 && prefix != "?" && (prefix.empty() || prefix == "w" || name == "std::basic_string" || name == "std::basic_string_view")) {
      return "std::" + prefix + s->second;
    }
  }
  std::vector<std::string> d = defaults(name, args);
  bool dropped = false;
  while (args.size() > 1 && args.size() <= d.size() && !d[args.size() - 1].empty() &&
         close_brackets(args.back()) == close_brackets(d[args.size() - 1])) {
    args.pop_back();
    dropped = true;
  }
  if (!dropped) return std::nullopt;
  return tmpl(name, args);
}

// S with every template instantiation in it folded; CHANGED says whether anything was.
std::string fold(std::string_view s, int depth, bool& changed, bool& unbalanced) {
  if (depth > kMaxDepth) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (std::size_t op = operator_token(s, i); op != 0) {
      out.append(s.substr(i, op));
      i += op;
      continue;
    }
    if (s[i] != '<') {
      out += s[i++];
      continue;
    }
    std::size_t close = matching_angle(s, i);
    if (close == std::string_view::npos) {  // unbalanced: the caller returns the name as it came
      unbalanced = true;
      out.append(s.substr(i));
      break;
    }
    std::size_t name_start = out.size();
    while (name_start > 0 && is_name_char(out[name_start - 1])) --name_start;
    std::string name = without_inline_namespaces(out.substr(name_start));
    bool inner_changed = name != out.substr(name_start);
    std::vector<std::string> args;
    std::vector<Arg> raw = split_args(s.substr(i + 1, close - i - 1));
    for (const Arg& a : raw) {
      bool c = false;
      args.push_back(std::string(trim(fold(trim(a.text), depth + 1, c, unbalanced))));
      inner_changed = inner_changed || c;
    }
    if (auto folded = fold_template(name, args)) {
      out.resize(name_start);
      out += *folded;
      changed = true;
    } else if (inner_changed) {
      out.resize(name_start);
      out += tmpl(name, args);
      changed = true;
    } else {
      out.append(s.substr(i, close - i + 1));  // untouched: exactly as it came
    }
    i = close + 1;
  }
  return out;
}

// The position of the '(' opening the parameter list of a function name, or npos.
std::size_t parameters_at(std::string_view s) {
  std::size_t last = std::string_view::npos;
  int angle = 0, paren = 0;
  for (std::size_t j = 0; j < s.size(); ++j) {
    if (std::size_t op = operator_token(s, j); op != 0) {
      j += op - 1;
      continue;
    }
    char c = s[j];
    if (c == '<' && paren == 0) ++angle;
    if (c == '>' && paren == 0 && angle > 0) --angle;
    if (angle != 0) continue;
    if (c == '(' || c == '{' || c == '[') {
      if (c == '(' && paren == 0) last = j;
      ++paren;
    }
    if ((c == ')' || c == '}' || c == ']') && paren > 0) --paren;
  }
  return last;
}

}  // namespace

std::string readable_name(std::string_view demangled) {
  if (demangled.size() > kMaxLength) return std::string(demangled);
  bool changed = false, unbalanced = false;
  std::string folded = fold(demangled, 0, changed, unbalanced);
  if (unbalanced) return std::string(demangled);  // not a name we can read: exactly as it came
  std::string out = close_brackets(without_inline_namespaces(std::move(folded)));
  for (std::string_view tag : {"[abi:cxx11]", "[abi:cxx11 ]"}) {
    for (std::size_t p = out.find(tag); p != std::string::npos; p = out.find(tag, p)) out.erase(p, tag.size());
  }
  return out;
}

std::string short_function_name(std::string_view demangled) {
  std::string r = readable_name(demangled);
  std::size_t params = parameters_at(r);
  if (params == std::string::npos || params == 0) return r;
  std::string_view name = std::string_view(r).substr(0, params);
  // The return type a template function's name starts with ("int Parser::get<int>"): cut at the
  // last space outside brackets, unless it belongs to "operator bool" or "operator new".
  int depth = 0;
  std::size_t cut = std::string_view::npos;
  for (std::size_t j = 0; j < name.size(); ++j) {
    if (std::size_t op = operator_token(name, j); op != 0) {
      j += op - 1;
      continue;
    }
    char c = name[j];
    if (c == '<' || c == '(' || c == '{' || c == '[') ++depth;
    if ((c == '>' || c == ')' || c == '}' || c == ']') && depth > 0) --depth;
    if (c == ' ' && depth == 0) {
      std::string_view before = name.substr(0, j);
      if (!(before.size() >= 8 && before.substr(before.size() - 8) == "operator")) cut = j;
    }
  }
  if (cut != std::string_view::npos) name = name.substr(cut + 1);
  return std::string(name);
}

}  // namespace corelens
