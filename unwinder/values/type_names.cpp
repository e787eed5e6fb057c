// Type names: gdb's spelling of a C/C++ declarator, and the readable one for people.
#include <algorithm>
#include <array>
#include <string_view>

#include "unwinder/values/types.hpp"

namespace corelens::values {
namespace {

constexpr int kMaxNameDepth = 32;  // pointers to arrays of pointers ...: deeper is damaged DWARF

std::string qualifier_words(std::uint8_t q) {
  std::string out;
  auto add = [&](const char* w) { out += (out.empty() ? "" : " ") + std::string(w); };
  if (q & kConst) add("const");
  if (q & kVolatile) add("volatile");
  if (q & kRestrict) add("restrict");
  if (q & kAtomic) add("_Atomic");
  return out;
}

// The name of a type that is not a declarator (base, struct, enum, typedef, void).
std::string base_name(const Type& t) {
  std::string name = t.name;
  switch (t.kind) {
    case TypeKind::void_type: return "void";
    case TypeKind::structure:
    case TypeKind::class_type:
      if (name.empty()) name = "{...}";
      return t.language == Language::c ? "struct " + name : name;
    case TypeKind::union_type:
      if (name.empty()) name = "{...}";
      return t.language == Language::c ? "union " + name : name;
    case TypeKind::enumeration:
      if (name.empty()) name = "{...}";
      return t.language == Language::c ? "enum " + name : name;
    default: return name.empty() ? "?" : name;
  }
}

std::string parameter_list(TypeTable& types, const Type& fn, int depth);

// The declarator of ID around INNER ("*", "(*)[3]", ...), gdb's c_type_print_varspec.
std::string declare(TypeTable& types, TypeId id, const std::string& inner, int depth) {
  if (depth > kMaxNameDepth) return "?";
  const Type& t = types.get(id);
  auto wrap = [&](const std::string& s) {  // a pointer declarator binds looser than [] and ()
    return !s.empty() && (s.front() == '*' || s.front() == '&') ? "(" + s + ")" : s;
  };
  switch (t.kind) {
    case TypeKind::pointer: return declare(types, t.target, "*" + inner, depth + 1);
    case TypeKind::reference: return declare(types, t.target, "&" + inner, depth + 1);
    case TypeKind::rvalue_reference: return declare(types, t.target, "&&" + inner, depth + 1);
    case TypeKind::member_pointer: {
      std::string cls = base_name(types.get(t.member_class));
      return declare(types, t.target, cls + "::*" + inner, depth + 1);
    }
    case TypeKind::array: {
      std::string bound = t.count ? "[" + std::to_string(*t.count) + "]" : "[]";
      return declare(types, t.target, wrap(inner) + bound, depth + 1);
    }
    case TypeKind::function: {
      std::string params = "(" + parameter_list(types, t, depth + 1) + ")";
      return declare(types, t.target, wrap(inner) + params, depth + 1);
    }
    case TypeKind::qualified: {
      std::uint8_t q = t.qualifiers;
      TypeId base = t.target;
      for (int i = 0; i < kMaxNameDepth && types.get(base).kind == TypeKind::qualified; ++i) {
        q |= types.get(base).qualifiers;  // const volatile as two DIEs
        base = types.get(base).target;
      }
      const Type& b = types.get(base);
      std::string words = qualifier_words(q);
      // A const pointer: the qualifier follows the star ("char * const").
      if (b.kind == TypeKind::pointer) return declare(types, b.target, "* " + words + (inner.empty() ? "" : " " + inner), depth + 1);
      // References cannot be qualified; arrays and functions pass it on to their elements.
      if (is_reference(b.kind) || b.kind == TypeKind::array || b.kind == TypeKind::function ||
          b.kind == TypeKind::member_pointer) {
        return declare(types, base, inner, depth + 1);
      }
      return words + " " + declare(types, base, inner, depth + 1);
    }
    default: {
      std::string b = base_name(t);
      if (inner.empty()) return b;
      // gdb writes "char *", "int (*)[3]", "int [4]" - always a space before the declarator.
      return b + " " + inner;
    }
  }
}

std::string parameter_list(TypeTable& types, const Type& fn, int depth) {
  std::string out;
  for (std::size_t i = 0; i < fn.parameters.size(); ++i) {
    if (i > 0) out += ", ";
    out += declare(types, fn.parameters[i], "", depth);
  }
  if (fn.varargs) out += fn.parameters.empty() ? "..." : ", ...";
  if (out.empty() && fn.prototyped && fn.language == Language::c) out = "void";
  if (out.empty() && fn.language == Language::cxx) out = "void";
  return out;
}

// ---- readable names -------------------------------------------------------------------------

// A parsed name: "std::map" + arguments, each itself a parsed name (or text such as "3").
struct NameNode {
  std::string head;
  bool has_args = false;
  std::vector<NameNode> args;
  std::string tail;  // after the closing '>': "::iterator", " *", " const &"
};

// Parses TEXT[pos...] up to a top-level ',' or '>' (not consumed).
NameNode parse_name(std::string_view text, std::size_t& pos, int depth) {
  NameNode n;
  std::string* out = &n.head;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == ',' || c == '>') break;
    if (c == '(') {  // "(anonymous namespace)", "(__gnu_cxx::_Lock_policy)2", "int (*)(int)": copied as is
      int level = 0;
      while (pos < text.size()) {
        if (text[pos] == '(') ++level;
        if (text[pos] == ')') --level;
        out->push_back(text[pos++]);
        if (level == 0) break;
      }
      continue;
    }
    if (c == '<' && depth < 16 && !(pos + 1 < text.size() && text[pos + 1] == '<')) {
      ++pos;
      if (!n.has_args) n.has_args = true;
      while (pos < text.size()) {
        while (pos < text.size() && text[pos] == ' ') ++pos;
        n.args.push_back(parse_name(text, pos, depth + 1));
        if (pos < text.size() && text[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < text.size() && text[pos] == '>') ++pos;
        break;
      }
      out = &n.tail;
      continue;
    }
    out->push_back(c);
    ++pos;
  }
  while (!n.tail.empty() && n.tail.back() == ' ') n.tail.pop_back();
  while (!n.head.empty() && n.head.back() == ' ' && !n.has_args) n.head.pop_back();
  return n;
}

std::string print_name(const NameNode& n) {
  std::string out = n.head;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (n.has_args) {
    out += "<";
    for (std::size_t i = 0; i < n.args.size(); ++i) out += (i ? ", " : "") + print_name(n.args[i]);
    out += ">";
  }
  return out + n.tail;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Template arguments the standard library fills in by default: left out after the first.
bool is_default_argument(const NameNode& arg) {
  static constexpr std::array<std::string_view, 6> kDefaults = {
      "std::allocator", "std::less", "std::hash", "std::equal_to", "std::default_delete", "std::char_traits"};
  for (auto d : kDefaults) {
    if (arg.head == d && arg.has_args && arg.tail.empty()) return true;
  }
  return false;
}

void simplify(NameNode& n) {
  for (auto& a : n.args) simplify(a);
  // std::__cxx11::basic_string<char, ...> and friends under their usual names.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kStrings = {{
      {"char", "std::string"}, {"wchar_t", "std::wstring"}, {"char16_t", "std::u16string"},
      {"char32_t", "std::u32string"}, {"char8_t", "std::u8string"}}};
  if ((n.head == "std::basic_string" || n.head == "std::basic_string_view") && n.has_args && !n.args.empty()) {
    for (auto [ch, name] : kStrings) {
      if (print_name(n.args[0]) == ch) {
        n.head = std::string(name) + (n.head == "std::basic_string_view" ? "_view" : "");
        n.has_args = false;
        n.args.clear();
        return;
      }
    }
  }
  if (!starts_with(n.head, "std::")) return;
  while (n.args.size() > 1 && is_default_argument(n.args.back())) n.args.pop_back();
}

void drop_inline_namespaces(std::string& s) {
  for (std::string_view ns : {"std::__cxx11::", "std::__1::", "std::__debug::"}) {
    for (std::size_t pos; (pos = s.find(ns)) != std::string::npos;) s.replace(pos, ns.size(), "std::");
  }
}

}  // namespace

TypeId strip_typedefs(TypeTable& types, TypeId id) {
  for (int i = 0; i < kMaxNameDepth; ++i) {
    const Type& t = types.get(id);
    if (t.kind != TypeKind::typedef_type && t.kind != TypeKind::qualified) return id;
    id = t.target;
  }
  return kVoid;
}

bool is_aggregate(TypeKind kind) {
  return kind == TypeKind::structure || kind == TypeKind::class_type || kind == TypeKind::union_type;
}

bool is_reference(TypeKind kind) { return kind == TypeKind::reference || kind == TypeKind::rvalue_reference; }

std::optional<std::uint64_t> type_size(TypeTable& types, TypeId id, int depth) {
  if (depth > kMaxNameDepth) return std::nullopt;
  const Type& t = types.get(id);
  if (t.sized) return t.size;
  if (t.kind == TypeKind::typedef_type || t.kind == TypeKind::qualified || t.kind == TypeKind::enumeration) {
    if (t.kind == TypeKind::enumeration && t.target == kVoid) return std::nullopt;
    return type_size(types, t.target, depth + 1);
  }
  if (t.kind == TypeKind::array && t.count) {
    auto e = type_size(types, t.target, depth + 1);
    std::uint64_t total = 0;
    if (!e || __builtin_mul_overflow(*e, *t.count, &total)) return std::nullopt;
    return total;
  }
  return std::nullopt;
}

std::string type_name(TypeTable& types, TypeId id) { return declare(types, id, "", 0); }

std::string demangler_type_name(TypeTable& types, TypeId id) {
  std::string suffix;
  for (int depth = 0; depth < kMaxNameDepth; ++depth) {
    const Type& t = types.get(id);
    switch (t.kind) {
      case TypeKind::pointer: suffix = "*" + suffix; id = t.target; continue;
      case TypeKind::reference: suffix = "&" + suffix; id = t.target; continue;
      case TypeKind::rvalue_reference: suffix = "&&" + suffix; id = t.target; continue;
      case TypeKind::qualified: {
        std::string words = qualifier_words(t.qualifiers);
        suffix = " " + words + suffix;
        id = t.target;
        continue;
      }
      case TypeKind::base: {
        // gcc's DWARF names ("long unsigned int") as the demangler spells them.
        static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
            {"long int", "long"}, {"long unsigned int", "unsigned long"}, {"short int", "short"},
            {"short unsigned int", "unsigned short"}, {"long long int", "long long"},
            {"long long unsigned int", "unsigned long long"}, {"_Bool", "bool"}};
        std::string name = t.name;
        for (auto [from, to] : kNames) {
          if (name == from) name = to;
        }
        return name + suffix;
      }
      case TypeKind::void_type: return "void" + suffix;
      case TypeKind::array:
      case TypeKind::function:
      case TypeKind::member_pointer: return declare(types, id, "", 0) + suffix;
      default: return (t.name.empty() ? base_name(t) : t.name) + suffix;
    }
  }
  return "?";
}

std::string readable_type_name(const std::string& exact) {
  std::string s = exact;
  drop_inline_namespaces(s);
  if (s.find('<') == std::string::npos) return s;
  // Only a name whose brackets balance is taken apart ("operator<<" and damaged DWARF stay as
  // they are).
  if (std::count(s.begin(), s.end(), '<') != std::count(s.begin(), s.end(), '>') || s.find("<<") != std::string::npos ||
      s.find("operator") != std::string::npos) {
    return s;
  }
  std::size_t pos = 0;
  std::string out;
  // A name may be followed by declarator text at top level ("std::vector<int> *"), and a
  // top-level ',' or '>' only in damaged input: kept as it is.
  while (pos < s.size()) {
    NameNode n = parse_name(s, pos, 0);
    simplify(n);
    out += print_name(n);
    if (pos < s.size()) out.push_back(s[pos++]);
  }
  return out;
}

}  // namespace corelens::values
