// The Formatter's tree of a value (formatter.hpp): its children, their kinds and type names, and
// the nodes the reports and the GUI show. formatter.cpp writes the one-line texts they carry.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "core/model/strings.hpp"
#include "unwinder/values/format_scalar.hpp"
#include "unwinder/values/formatter.hpp"

namespace corelens::values {
namespace {

// The session's type-name cache is emptied when it holds this many types: a program has some
// thousands that values show, a hostile DWARF could make each value's type a new one.
constexpr std::size_t kMaxCachedTypeNames = 100000;

// Whether S holds a byte printable() replaces (a control character other than a tab, or DEL).
// Eight bytes at a time: every node's name and value pass here (~170,000 strings with --locals
// on a 1,000-thread core), nearly all of them plain text.
bool needs_cleaning(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    // A byte below 0x20 or equal to 0x7f sets its high bit here (bytes >= 0x80 are masked out).
    std::uint64_t low = (w - 0x20 * kOnes) & ~w & kHigh;
    std::uint64_t x = w ^ (0x7f * kOnes);
    std::uint64_t del = (x - kOnes) & ~x & kHigh;
    if ((low | del) != 0) break;  // maybe only a tab: the bytes are checked one by one below
  }
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

// printable() without a copy for the usual text, which has no control character to replace.
std::string clean(std::string s) {
  if (needs_cleaning(s)) return printable(s);
  return s;
}

}  // namespace

std::vector<Child> Formatter::child_values(const Value& v, const std::string& parent_name) {
  std::vector<Child> out;
  if (v.unavailable) return out;
  TypeId real = types_.definition(strip_typedefs(types_, v.type));
  const Type& t = types_.complete(real);
  if (is_reference(t.kind)) {
    auto target = dereference(types_, memory_, v, options_);
    if (target) return child_values(*target, parent_name);
    return out;
  }
  if (auto p = is_aggregate(t.kind) ? printed(v) : std::nullopt) {
    if (!*p) return out;
    for (auto& c : (*p)->children) {
      Child child = c;
      if (c.key) child.name = "[" + summary_at(*c.key, 1, 200) + "]";
      out.push_back(std::move(child));
    }
    return out;
  }
  if (is_aggregate(t.kind)) {
    for (std::size_t i = 0; i < t.members.size(); ++i) {
      const Member& m = t.members[i];
      if (m.is_virtual_base) continue;
      if (m.is_static) {
        // Named as `obj.name` reaches it (gdb's MI names it so too); its value is the class's.
        auto value = types_.static_value(real, i);
        out.push_back(Child{m.name, value ? *value : Value::missing(m.type, optimized_out()), std::nullopt});
        continue;
      }
      out.push_back(Child{member_label(types_, m), sub_value(v, m.type, m.bit_offset, m.bit_size, type_size(types_, m.type)),
                          std::nullopt});
    }
    return out;
  }
  if (t.kind == TypeKind::array && t.count) {
    auto elem_size = type_size(types_, t.target);
    if (!elem_size) return out;
    std::uint64_t n = std::min<std::uint64_t>(*t.count, options_.max_elements);
    for (std::uint64_t i = 0; i < n; ++i) {
      out.push_back(Child{"[" + std::to_string(i) + "]", sub_value(v, t.target, i * *elem_size * 8, 0, *elem_size),
                          std::nullopt});
    }
    return out;
  }
  if (t.kind == TypeKind::pointer) {
    const Type& target = types_.get(strip_typedefs(types_, t.target));
    if (target.kind == TypeKind::void_type || target.kind == TypeKind::function) return out;
    if (v.implicit_target) {
      out.push_back(Child{"*" + parent_name, *v.implicit_target, std::nullopt});
      return out;
    }
    if (is_textual(types_, t.target)) return out;
    auto address = value_unsigned(types_, memory_, v, options_);
    if (!address || *address == 0) return out;
    out.push_back(Child{"*" + parent_name, Value::in_memory(t.target, *address), std::nullopt});
  }
  return out;
}

bool Formatter::has_children(const Value& v) {
  if (v.unavailable) return false;
  TypeId real = types_.definition(strip_typedefs(types_, v.type));
  const Type& t = types_.complete(real);
  if (is_aggregate(t.kind) || is_reference(t.kind)) return !child_values(v, "").empty();
  if (t.kind == TypeKind::array) return t.count && *t.count > 0;
  if (t.kind == TypeKind::pointer) return !child_values(v, "").empty();
  return false;
}

ValueNode::Kind Formatter::kind_of(const Value& v) {
  const Type& t = types_.get(strip_typedefs(types_, v.type));
  if (is_aggregate(t.kind)) {
    if (auto p = printed(v); p && *p) return ValueNode::Kind::printed;
  }
  if (is_aggregate(t.kind)) return ValueNode::Kind::aggregate;
  if (t.kind == TypeKind::array) return ValueNode::Kind::array;
  if (t.kind == TypeKind::pointer) return ValueNode::Kind::pointer;
  return ValueNode::Kind::scalar;
}

const std::pair<std::string, std::string>& Formatter::names_of(TypeId type) {
  if (names_ != nullptr) {
    if (auto it = names_->find(type); it != names_->end()) return it->second;
    if (names_->size() >= kMaxCachedTypeNames) names_->clear();
  }
  std::string exact = clean(type_name(types_, type));
  std::pair<std::string, std::string> both{readable_type_name(exact), exact};
  if (names_ == nullptr) {
    scratch_names_ = std::move(both);
    return scratch_names_;
  }
  return names_->emplace(type, std::move(both)).first->second;
}

ValueNode Formatter::node(const std::string& name, const Value& v, int depth) { return node_from(name, v, depth, nullptr); }

ValueNode Formatter::node_from(const std::string& name, const Value& v, int depth, const std::string* known_line) {
  if (depth < 0) depth = options_.depth;
  ValueNode n;
  // Names and texts from DWARF and the dump: no control character reaches a terminal.
  n.name = needs_cleaning(name) ? printable(name) : name;
  const auto& names = names_of(v.type);
  n.type = names.first;
  n.exact_type = names.second;
  n.location = v.location;
  n.entry_value = v.from_entry_value;
  if (v.unavailable) {
    n.unavailable = v.unavailable->describe();
    return n;
  }
  // What is shown: V, or what a reference refers to (copied only then).
  std::optional<Value> referred;
  if (is_reference(types_.get(strip_typedefs(types_, v.type)).kind)) {
    auto target = dereference(types_, memory_, v, options_);
    if (!target) {
      n.unavailable = target.error().describe();
      return n;
    }
    referred = std::move(*target);
  }
  const Value& shown = referred ? *referred : v;
  n.address = shown.address;
  // An object that cannot be read at all is unavailable as a whole, with the reason.
  // Read once: the one-line value is made from these bytes (the children keep their addresses).
  std::optional<Value> read_once;
  auto size = type_size(types_, shown.type);
  if (size && *size <= options_.max_object_size && shown.bit_size == 0 && !shown.implicit_target) {
    auto bytes = value_bytes(types_, memory_, shown, options_);
    if (!bytes) {
      n.unavailable = bytes.error().describe();
      return n;
    }
    if (shown.address) {
      read_once = shown;
      read_once->address.reset();
      read_once->bytes = std::move(*bytes);
      read_once->known.clear();
    }
  }
  const Value& flat = read_once ? *read_once : shown;
  TypeId real = types_.definition(strip_typedefs(types_, shown.type));
  const Type& t = types_.complete(real);
  if (!options_.compound_summaries && (is_aggregate(t.kind) || t.kind == TypeKind::array)) {
    n.value = "...";
    n.kind = is_aggregate(t.kind) ? ValueNode::Kind::aggregate : ValueNode::Kind::array;
    return n;
  }
  std::vector<std::optional<std::string>> member_texts;
  // A printer runs once: its text, its kind and its children come from the same result.
  std::optional<Known<Printed>> p;
  if (is_aggregate(t.kind)) p = printed(shown);
  if (p && !*p) {
    n.unavailable = p->error().describe();
    return n;
  }
  if (p) {
    n.kind = ValueNode::Kind::printed;
    n.value = printed_text(**p, 0, options_.max_summary);
    n.has_children = !(**p).children.empty();
  } else {
    if (known_line != nullptr && referred == std::nullopt && (read_once || !shown.address)) {
      // The parent's line already holds this member's text, from the same bytes (no address, as
      // FLAT here) at one level deeper and a smaller budget, with nothing cut: summary(flat)
      // would give the same text, so it is only shortened as summary() does.
      n.value = known_line->size() > options_.max_summary + 8 ? known_line->substr(0, options_.max_summary) + "..."
                                                              : *known_line;
    } else {
      // A struct expanded below: its members' texts are kept while its line is made.
      if (depth > 0 && is_aggregate(t.kind)) member_texts_ = &member_texts;
      n.value = summary(flat);
      member_texts_ = nullptr;
    }
    n.kind = is_aggregate(t.kind) ? ValueNode::Kind::aggregate
             : t.kind == TypeKind::array ? ValueNode::Kind::array
             : t.kind == TypeKind::pointer ? ValueNode::Kind::pointer : ValueNode::Kind::scalar;
    if (is_aggregate(t.kind)) n.has_children = !t.members.empty();
    else if (t.kind == TypeKind::array) n.has_children = t.count && *t.count > 0;
    else if (t.kind == TypeKind::pointer) n.has_children = has_children(shown);
  }
  if (n.value.size() > options_.max_summary + 8) n.value = n.value.substr(0, options_.max_summary) + "...";
  if (needs_cleaning(n.value)) n.value = printable(n.value);
  if (n.has_children) {
    n.handle = std::make_shared<const Value>(shown);
    if (depth > 0) n.children = children_from(shown, name, depth, member_texts);
  }
  return n;
}

std::vector<ValueNode> Formatter::children(const Value& v, const std::string& parent_name, int depth) {
  return children_from(v, parent_name, depth, {});
}

std::vector<ValueNode> Formatter::children_from(const Value& v, const std::string& parent_name, int depth,
                                                const std::vector<std::optional<std::string>>& lines) {
  std::vector<ValueNode> out;
  auto kids = child_values(v, parent_name);
  // LINES are the members' texts in the parent's line, in the order of its members: only a
  // struct's children (no printer: they would be the printer's) are those members.
  bool members = lines.size() <= kids.size();
  out.reserve(kids.size());
  for (std::size_t i = 0; i < kids.size(); ++i) {
    const std::string* line = members && i < lines.size() && lines[i] ? &*lines[i] : nullptr;
    out.push_back(node_from(kids[i].name, kids[i].value, depth - 1, line));
  }
  return out;
}

}  // namespace corelens::values
