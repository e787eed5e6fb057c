#include "core/analysis/rust_names.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace corelens {
namespace {

constexpr int kMaxDepth = 64;            // nesting of paths and types (backrefs included)
constexpr std::size_t kMaxOutput = 4096; // a name longer than this is not worth demangling

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// ---- legacy: "...::h0123456789abcdef" and $-escapes -------------------------------------------

bool has_legacy_hash(std::string_view s) {
  if (s.size() < 19 || s.substr(s.size() - 19, 3) != "::h") return false;
  for (char c : s.substr(s.size() - 16)) {
    if (!is_hex(c)) return false;
  }
  return true;
}

std::optional<std::string> legacy_escape(std::string_view token) {
  static constexpr std::array<std::pair<std::string_view, char>, 9> kNamed{
      {{"SP", '@'}, {"BP", '*'}, {"RF", '&'}, {"LT", '<'}, {"GT", '>'}, {"LP", '('}, {"RP", ')'}, {"C", ','}, {"u20", ' '}}};
  for (const auto& [name, c] : kNamed) {
    if (token == name) return std::string(1, c);
  }
  if (token.size() >= 2 && token.front() == 'u') {
    std::uint32_t code = 0;
    for (char c : token.substr(1)) {
      if (!is_hex(c) || code > 0x10ffff) return std::nullopt;
      code = code * 16 + static_cast<std::uint32_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    if (code >= 0x20 && code < 0x7f) return std::string(1, static_cast<char>(code));
  }
  return std::nullopt;
}

std::string legacy(std::string_view s) {
  if (has_legacy_hash(s)) s.remove_suffix(19);
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    // An identifier cannot start with '$', so the mangler put '_' before one that did.
    bool segment_start = i == 0 || (i >= 2 && s.substr(i - 2, 2) == "::");
    if (s[i] == '_' && segment_start && i + 1 < s.size() && s[i + 1] == '$') {
      ++i;
      continue;
    }
    if (s[i] == '$') {
      auto end = s.find('$', i + 1);
      if (end != std::string_view::npos) {
        if (auto c = legacy_escape(s.substr(i + 1, end - i - 1))) {
          out += *c;
          i = end + 1;
          continue;
        }
      }
    }
    if (s.substr(i, 2) == "..") {
      out += "::";
      i += 2;
      continue;
    }
    out += s[i++];
  }
  return out;
}

// ---- v0 (RFC 2603) -------------------------------------------------------------------------------

class V0 {
 public:
  explicit V0(std::string_view s) : s_(s) {}

  std::optional<std::string> symbol() {
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;  // encoding version
    std::string out;
    if (!path(out) || out.size() > kMaxOutput) return std::nullopt;
    return out;  // the instantiating crate and vendor suffix that may follow are not shown
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  // <base-62-number>: "_" is 0, "0_" is 1, ... (the digits' value plus one).
  bool base62(std::uint64_t& v) {
    if (eat('_')) {
      v = 0;
      return true;
    }
    std::uint64_t x = 0;
    for (;;) {
      char c = peek();
      if (c == '\0') return false;
      ++pos_;
      if (c == '_') break;
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : c >= 'A' && c <= 'Z' ? c - 'A' + 36 : -1;
      if (d < 0) return false;
      // A crate's disambiguator is a 64-bit hash and may wrap; only backrefs use the value, and
      // those are checked against the position.
      x = x * 62 + static_cast<std::uint64_t>(d);
    }
    v = x + 1;
    return true;
  }
  bool disambiguator(std::uint64_t& v) {
    v = 0;
    if (!eat('s')) return true;
    if (!base62(v)) return false;
    v += 1;
    return true;
  }
  bool decimal(std::uint64_t& v) {
    if (!std::isdigit(static_cast<unsigned char>(peek()))) return false;
    v = 0;
    if (eat('0')) return true;  // no leading zeros: "00" is two numbers
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      if (v > 1'000'000) return false;
      v = v * 10 + static_cast<std::uint64_t>(s_[pos_++] - '0');
    }
    return true;
  }
  // <undisambiguated-identifier>; punycode ("u" prefix) is shown as encoded.
  bool undisambiguated(std::string& name) {
    eat('u');
    std::uint64_t len = 0;
    if (!decimal(len)) return false;
    eat('_');
    if (len > s_.size() - pos_) return false;
    name = std::string(s_.substr(pos_, len));
    pos_ += len;
    return true;
  }
  bool identifier(std::uint64_t& dis, std::string& name) { return disambiguator(dis) && undisambiguated(name); }

  template <typename F>
  bool backref(F&& parse) {
    std::size_t at = pos_ - 1;  // the 'B'
    std::uint64_t target = 0;
    if (!base62(target) || target >= at) return false;
    std::size_t saved = pos_;
    pos_ = static_cast<std::size_t>(target);
    bool ok = parse();
    pos_ = saved;
    return ok;
  }

  struct Depth {
    explicit Depth(int& d) : d_(d) { ++d_; }
    ~Depth() { --d_; }
    int& d_;
  };

  bool path(std::string& out) {
    Depth guard(depth_);
    if (depth_ > kMaxDepth || out.size() > kMaxOutput) return false;
    char c = peek();
    if (c == '\0') return false;
    ++pos_;
    std::uint64_t dis = 0;
    std::string name, t, trait;
    switch (c) {
      case 'C':
        if (!identifier(dis, name)) return false;
        out = name;  // the crate's disambiguator hash is not shown
        return true;
      case 'N': {
        char ns = peek();
        if (!std::isalpha(static_cast<unsigned char>(ns))) return false;
        ++pos_;
        std::string parent;
        if (!path(parent) || !identifier(dis, name)) return false;
        if (std::isupper(static_cast<unsigned char>(ns))) {
          std::string kind = ns == 'C' ? "closure" : ns == 'S' ? "shim" : std::string(1, ns);
          out = parent + "::{" + kind + (name.empty() ? "" : ":" + name) + "#" + std::to_string(dis) + "}";
        } else {
          out = name.empty() ? parent : parent + "::" + name;
        }
        return true;
      }
      case 'M':  // <T>: an inherent impl; the impl's own path only says where it was written
        if (!disambiguator(dis) || !path(name) || !type(t)) return false;
        out = "<" + t + ">";
        return true;
      case 'X':
        if (!disambiguator(dis) || !path(name) || !type(t) || !path(trait)) return false;
        out = "<" + t + " as " + trait + ">";
        return true;
      case 'Y':
        if (!type(t) || !path(trait)) return false;
        out = "<" + t + " as " + trait + ">";
        return true;
      case 'I': {
        if (!path(name)) return false;
        std::vector<std::string> args;
        while (!eat('E')) {
          std::string a;
          if (!generic_arg(a)) return false;
          if (!a.empty()) args.push_back(std::move(a));
        }
        out = args.empty() ? name : name + "::<" + join(args) + ">";  // lifetimes only: nothing to show
        return true;
      }
      case 'B':
        return backref([&] { return path(out); });
      default:
        return false;
    }
  }

  static std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
    return s;
  }

  bool generic_arg(std::string& out) {
    if (eat('L')) {  // lifetimes are left out, as rustc-demangle's short form does
      std::uint64_t v = 0;
      return base62(v);
    }
    if (eat('K')) return constant(out);
    return type(out);
  }

  bool constant(std::string& out) {
    if (eat('p')) {
      out = "_";
      return true;
    }
    if (eat('B')) return backref([&] { return constant(out); });
    std::string t;
    if (!type(t)) return false;
    bool negative = eat('n');
    std::uint64_t v = 0;
    while (is_hex(peek())) {
      char c = s_[pos_++];
      if (v >> 60) return false;
      v = v * 16 + static_cast<std::uint64_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    if (!eat('_')) return false;
    out = t == "bool" ? (v ? "true" : "false") : (negative ? "-" : "") + std::to_string(v);
    return true;
  }

  bool type(std::string& out) {
    Depth guard(depth_);
    if (depth_ > kMaxDepth || out.size() > kMaxOutput) return false;
    static constexpr std::array<std::pair<char, std::string_view>, 22> kBasic{{
        {'a', "i8"},   {'b', "bool"}, {'c', "char"}, {'d', "f64"},  {'e', "str"},  {'f', "f32"},
        {'h', "u8"},   {'i', "isize"}, {'j', "usize"}, {'l', "i32"}, {'m', "u32"},  {'n', "i128"},
        {'o', "u128"}, {'s', "i16"},  {'t', "u16"},  {'u', "()"},   {'v', "..."},  {'x', "i64"},
        {'y', "u64"},  {'z', "!"},    {'p', "_"},    {'\0', ""},
    }};
    char c = peek();
    for (const auto& [code, name] : kBasic) {
      if (code != '\0' && c == code) {
        ++pos_;
        out = name;
        return true;
      }
    }
    std::string inner, n;
    switch (c) {
      case 'A':
        ++pos_;
        if (!type(inner) || !constant(n)) return false;
        out = "[" + inner + "; " + n + "]";
        return true;
      case 'S':
        ++pos_;
        if (!type(inner)) return false;
        out = "[" + inner + "]";
        return true;
      case 'T': {
        ++pos_;
        std::vector<std::string> items;
        while (!eat('E')) {
          std::string item;
          if (!type(item)) return false;
          items.push_back(std::move(item));
        }
        out = "(" + join(items) + (items.size() == 1 ? ",)" : ")");
        return true;
      }
      case 'R':
      case 'Q': {
        ++pos_;
        if (eat('L')) {
          std::uint64_t v = 0;
          if (!base62(v)) return false;
        }
        if (!type(inner)) return false;
        out = (c == 'R' ? "&" : "&mut ") + inner;
        return true;
      }
      case 'P':
      case 'O':
        ++pos_;
        if (!type(inner)) return false;
        out = (c == 'P' ? "*const " : "*mut ") + inner;
        return true;
      case 'F':
        ++pos_;
        return fn_type(out);
      case 'D':
        ++pos_;
        return dyn_type(out);
      case 'B':
        ++pos_;
        return backref([&] { return type(out); });
      default:
        return path(out);
    }
  }

  bool binder() {
    if (!eat('G')) return true;
    std::uint64_t v = 0;
    return base62(v);
  }

  bool fn_type(std::string& out) {
    if (!binder()) return false;
    bool is_unsafe = eat('U');
    std::string abi;
    if (eat('K')) {
      if (eat('C')) abi = "C";
      else if (!undisambiguated(abi)) return false;
    }
    std::vector<std::string> params;
    while (!eat('E')) {
      std::string p;
      if (!type(p)) return false;
      params.push_back(std::move(p));
    }
    std::string ret;
    if (!type(ret)) return false;
    out = std::string(is_unsafe ? "unsafe " : "") + (abi.empty() ? "" : "extern \"" + abi + "\" ") + "fn(" +
          join(params) + ")" + (ret == "()" ? "" : " -> " + ret);
    return true;
  }

  bool dyn_type(std::string& out) {
    if (!binder()) return false;
    std::vector<std::string> traits;
    while (!eat('E')) {
      std::string trait;
      if (!path(trait)) return false;
      std::vector<std::string> bindings;
      while (eat('p')) {
        std::string name, t;
        if (!undisambiguated(name) || !type(t)) return false;
        bindings.push_back(name + " = " + t);
      }
      // Associated types join the trait's generic arguments: Fn<(A,), Output = R>.
      if (!bindings.empty()) {
        if (trait.ends_with(">")) trait.insert(trait.size() - 1, ", " + join(bindings));
        else trait += "<" + join(bindings) + ">";
      }
      traits.push_back(std::move(trait));
    }
    std::uint64_t lifetime = 0;
    if (!eat('L') || !base62(lifetime)) return false;
    std::string all;
    for (const auto& t : traits) all += (all.empty() ? "" : " + ") + t;
    out = "dyn " + all;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string rust_readable(std::string_view name) {
  if (name.starts_with("_R") && name.size() > 2) {
    if (auto d = V0(name.substr(2)).symbol()) return *d;
    return std::string(name);
  }
  bool escaped = name.find("$u") != std::string_view::npos || name.find("$LT$") != std::string_view::npos ||
                 name.find("$RF$") != std::string_view::npos;
  if (has_legacy_hash(name) || escaped) return legacy(name);
  return std::string(name);
}

}  // namespace corelens
