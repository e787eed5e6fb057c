#include "unwinder/values/formatter.hpp"

#include <algorithm>

#include "core/model/strings.hpp"
#include "unwinder/values/format_scalar.hpp"

namespace corelens::values {
namespace {

constexpr int kMaxSummaryLevel = 20;  // gdb's `max-depth`: deeper aggregates print as {...}

bool over(const std::string& s, std::size_t budget) { return s.size() > budget; }

std::string reason_text(const Unavailable& u) {
  switch (u.why) {
    case Unavailable::Why::optimized_out: return "<optimized out>";
    case Unavailable::Why::not_mapped:
      return "<error: Cannot access memory at address " + (u.address ? hex(*u.address) : std::string("?")) + ">";
    case Unavailable::Why::not_in_core:
      return "<not saved in the core" + (u.address ? std::string(" at ") + hex(*u.address) : std::string()) + ">";
    case Unavailable::Why::register_not_recovered: return "<register not recovered>";
    case Unavailable::Why::error: return "<error: " + u.detail + ">";
  }
  return "<error>";
}

}  // namespace

std::string member_label(TypeTable& types, const Member& m) {
  if (m.is_base) return "<" + readable_type_name(type_name(types, m.type)) + ">";
  if (!m.name.empty()) return m.name;
  const Type& t = types.get(strip_typedefs(types, m.type));
  return t.kind == TypeKind::union_type ? "<anonymous union>" : "<anonymous struct>";
}

bool is_textual(TypeTable& types, TypeId type, std::string* prefix, std::size_t* width) {
  TypeId id = type;
  for (int i = 0; i < 32; ++i) {
    const Type& t = types.get(id);
    auto found = [&](const char* p, std::uint64_t w) {
      if (prefix) *prefix = p;
      if (width) *width = static_cast<std::size_t>(w);
      return true;
    };
    if ((t.kind == TypeKind::typedef_type || t.kind == TypeKind::base) && t.sized) {
      if (t.name == "wchar_t") return found("L", t.size);
      if (t.name == "char16_t") return found("u", t.size);
      if (t.name == "char32_t") return found("U", t.size);
    }
    if (t.kind == TypeKind::typedef_type || t.kind == TypeKind::qualified) {
      if (t.kind == TypeKind::typedef_type && (t.name == "wchar_t" || t.name == "char16_t" || t.name == "char32_t")) {
        auto size = type_size(types, t.target);
        if (!size) return false;
        return found(t.name == "wchar_t" ? "L" : t.name == "char16_t" ? "u" : "U", *size);
      }
      id = t.target;
      continue;
    }
    if (t.kind != TypeKind::base || t.language == Language::rust) return false;  // Rust's u8 is a number
    if ((t.encoding == Encoding::signed_char || t.encoding == Encoding::unsigned_char) && t.size == 1) return found("", 1);
    if (t.encoding == Encoding::utf_char && t.size == 1) return found("", 1);  // char8_t
    if (t.encoding == Encoding::utf_char && t.size == 2) return found("u", 2);
    if (t.encoding == Encoding::utf_char && t.size == 4) return found("U", 4);
    return false;
  }
  return false;
}

Known<std::pair<std::vector<std::uint32_t>, bool>> read_c_string(const ValueMemory& memory, std::uint64_t address,
                                                                   std::size_t width, std::size_t max,
                                                                   std::endian order) {
  std::vector<std::uint32_t> units;
  constexpr std::size_t kChunk = 64;
  // Chunks, each cut at the next 64-byte boundary so that a string ending just before an
  // unreadable page still reads.
  std::uint64_t at = address;
  while (units.size() <= max) {
    std::size_t want = kChunk - static_cast<std::size_t>(at % kChunk);
    want -= want % width;
    if (want == 0) want = width;
    auto bytes = memory.read(at, want);
    if (!bytes) {
      // Part of the chunk is unreadable (the string may end before it): one character at a time.
      bytes = memory.read(at, width);
      if (!bytes) return unavailable(bytes.error());
    }
    for (std::size_t i = 0; i + width <= bytes->size(); i += width) {
      std::uint32_t u = 0;
      for (std::size_t k = 0; k < width; ++k) {
        std::size_t idx = order == std::endian::big ? i + k : i + width - 1 - k;
        u = (u << 8) | std::to_integer<std::uint8_t>((*bytes)[idx]);
      }
      if (u == 0) return std::make_pair(std::move(units), false);
      if (units.size() == max) return std::make_pair(std::move(units), true);
      units.push_back(u);
    }
    at += bytes->size();
  }
  return std::make_pair(std::move(units), true);
}

Formatter::Formatter(TypeTable& types, const ValueMemory& memory, const SymbolNamer* symbols, FormatOptions options,
                     TypeNameCache* names)
    : types_(types), memory_(memory), symbols_(symbols), options_(options), printers_(types, memory, options_),
      names_(names) {}

std::optional<Known<Printed>> Formatter::printed(const Value& v) { return apply_printers(v, printers_); }

std::string Formatter::pointer_text(std::uint64_t address, TypeId pointee, std::size_t budget) {
  std::string out = hex(address);
  const Type& target = types_.get(strip_typedefs(types_, pointee));
  std::string prefix;
  std::size_t width = 1;
  bool textual = address != 0 && is_textual(types_, pointee, &prefix, &width);
  if (address != 0 && symbols_ != nullptr) {
    if (auto name = symbols_->symbol_at(address)) out += " <" + *name + ">";
  }
  if (textual && target.kind != TypeKind::function) {
    auto s = read_c_string(memory_, address, width, options_.max_string, options_.byte_order);
    if (!s) return out + " " + reason_text(s.error());
    std::string text = format_string(s->first, options_.repeat_threshold, s->second, prefix);
    if (over(text, budget)) {
      ++cuts_;
      text = text.substr(0, budget) + "...";
    }
    out += " " + text;
  }
  return out;
}

Known<std::string> Formatter::scalar_text(const Value& v, TypeId real, std::size_t budget) {
  const Type& t = types_.get(real);
  switch (t.kind) {
    case TypeKind::base: {
      if (t.encoding == Encoding::floating || t.encoding == Encoding::complex_float) {
        auto bytes = value_bytes(types_, memory_, v, options_);
        if (!bytes) return unavailable(bytes.error());
        const bool big = options_.byte_order == std::endian::big;
        if (t.encoding == Encoding::floating) {
          auto f = format_float(*bytes, big);
          if (!f) return unavailable(value_error("a " + std::to_string(t.size) + "-byte float"));
          return *f;
        }
        std::size_t half = bytes->size() / 2;
        auto re = format_float(std::span(*bytes).subspan(0, half), big);
        auto im = format_float(std::span(*bytes).subspan(half), big);
        if (!re || !im) return unavailable(value_error("a " + std::to_string(t.size) + "-byte complex"));
        return *re + " + " + *im + "i";
      }
      auto bits = value_unsigned(types_, memory_, v, options_);
      if (!bits) return unavailable(bits.error());
      std::size_t size = static_cast<std::size_t>(t.size);
      bool is_signed = t.encoding == Encoding::signed_int || t.encoding == Encoding::signed_char;
      if (v.bit_size > 0) {
        // A bit-field: sign-extended from its own width.
        std::uint64_t b = *bits;
        if (is_signed && v.bit_size < 64 && ((b >> (v.bit_size - 1)) & 1)) b |= ~std::uint64_t{0} << v.bit_size;
        if (t.encoding == Encoding::boolean) return std::string(b == 0 ? "false" : b == 1 ? "true" : std::to_string(b));
        return is_signed ? std::to_string(static_cast<std::int64_t>(b)) : std::to_string(b);
      }
      if (t.encoding == Encoding::boolean) {
        if (*bits == 0) return std::string("false");
        if (*bits == 1) return std::string("true");
        return std::to_string(*bits);
      }
      std::string prefix;
      if (t.encoding == Encoding::signed_char || t.encoding == Encoding::unsigned_char ||
          t.encoding == Encoding::utf_char || is_textual(types_, real, &prefix)) {
        std::string c = format_character(*bits, size, is_signed);
        if (t.name == "wchar_t") c.insert(c.find('\''), "L");
        if (t.language == Language::rust && c.find(" U'") != std::string::npos) c.erase(c.find(" U'") + 1, 1);  // Rust's char
        return c;
      }
      return format_integer(*bits, size, is_signed);
    }
    case TypeKind::enumeration: {
      auto bits = value_unsigned(types_, memory_, v, options_);
      if (!bits) return unavailable(bits.error());
      auto size = type_size(types_, real).value_or(8);
      return format_enum(t, *bits, static_cast<std::size_t>(size), t.enum_class ? t.name : std::string());
    }
    case TypeKind::pointer: {
      if (v.implicit_target) return std::string("<synthetic pointer>");
      auto bits = value_unsigned(types_, memory_, v, options_);
      if (!bits) return unavailable(bits.error());
      return pointer_text(*bits, t.target, budget);
    }
    case TypeKind::member_pointer:
    case TypeKind::unspecified: {
      if (!t.sized || t.size == 0) return std::string("0x0");
      auto bits = value_unsigned(types_, memory_, v, options_);
      if (!bits) return unavailable(bits.error());
      return hex(*bits);
    }
    case TypeKind::function: {
      if (!v.address) return unavailable(value_error("a function that is not in memory"));
      std::string out = "{" + type_name(types_, real) + "} " + hex(*v.address);
      if (symbols_ != nullptr) {
        if (auto name = symbols_->symbol_at(*v.address)) out += " <" + *name + ">";
      }
      return out;
    }
    case TypeKind::void_type: return std::string("void");
    default: return unavailable(value_error("not a scalar: " + type_name(types_, real)));
  }
}

std::optional<std::string> Formatter::string_array_text(const Value& v, const Type& t) {
  std::string prefix;
  std::size_t width = 1;
  if (!t.count || !is_textual(types_, t.target, &prefix, &width)) return std::nullopt;
  auto bytes = value_bytes(types_, memory_, v, options_);
  if (!bytes) return reason_text(bytes.error());
  std::vector<std::uint32_t> units;
  std::size_t n = bytes->size() / width;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t u = 0;
    for (std::size_t k = 0; k < width; ++k) {
      std::size_t idx = options_.byte_order == std::endian::big ? i * width + k : i * width + width - 1 - k;
      u = (u << 8) | std::to_integer<std::uint8_t>((*bytes)[idx]);
    }
    units.push_back(u);
  }
  // gdb drops one terminating NUL, then prints at most `print elements` characters.
  if (!units.empty() && units.back() == 0) units.pop_back();
  bool cut = false;
  std::size_t shown = 0, i = 0;
  while (i < units.size() && shown < options_.max_string) {
    std::size_t run = 1;
    while (i + run < units.size() && units[i + run] == units[i]) ++run;
    shown += run;
    i += run;
  }
  if (i < units.size()) {
    units.resize(i);
    cut = true;
  }
  return format_string(units, options_.repeat_threshold, cut, prefix);
}

std::string Formatter::array_text(const Value& v, const Type& t, int level, std::size_t budget) {
  if (auto s = string_array_text(v, t)) return *s;
  if (!t.count || *t.count == 0) return "{}";
  auto elem_size = type_size(types_, t.target);
  if (!elem_size || *elem_size == 0) return "<error: array elements of unknown size>";
  // The whole array at once (to find repeats), capped: what lies past the cap is not shown.
  std::uint64_t count = *t.count;
  std::uint64_t max_count = std::max<std::uint64_t>(1, options_.max_object_size / *elem_size);
  bool capped = count > max_count;
  if (capped) count = max_count;
  Value whole = v;
  whole.type = types_.derived(TypeKind::array, t.target, count);
  auto bytes = value_bytes(types_, memory_, whole, options_);
  if (!bytes) return reason_text(bytes.error());
  Value flat;
  flat.type = whole.type;
  flat.bytes = std::move(*bytes);
  flat.location = v.location;
  auto same = [&](std::uint64_t a, std::uint64_t b) {
    return std::equal(flat.bytes.begin() + static_cast<std::ptrdiff_t>(a * *elem_size),
                      flat.bytes.begin() + static_cast<std::ptrdiff_t>((a + 1) * *elem_size),
                      flat.bytes.begin() + static_cast<std::ptrdiff_t>(b * *elem_size));
  };
  const bool rust = types_.get(t.target).language == Language::rust || t.language == Language::rust;
  std::string out = rust ? "[" : "{";
  std::size_t printed = 0;
  std::uint64_t i = 0;
  for (; i < count && printed < options_.max_elements; ++i) {
    if (i != 0) out += ", ";
    std::uint64_t reps = 1;
    while (i + reps < count && same(i, i + reps)) ++reps;
    Value e = sub_value(flat, t.target, i * *elem_size * 8, 0, *elem_size);
    out += summary_at(e, level + 1, budget > out.size() ? budget - out.size() : 0);
    if (reps > options_.repeat_threshold) {
      out += " <repeats " + std::to_string(reps) + " times>";
      i += reps - 1;
      printed += options_.repeat_threshold;
    } else {
      ++printed;
    }
    if (over(out, budget)) {
      ++cuts_;
      return out + (rust ? "...]" : "...}");
    }
  }
  if (i < count || capped) out += "...";
  return out + (rust ? "]" : "}");
}

std::string Formatter::rust_aggregate_text(const Value& v, const Type& t, int level, std::size_t budget) {
  // gdb's Rust printer: "Name {a: 1}", "Name (1, 2)" for tuple structs, "(1, true)" for tuples,
  // the bare name for a struct without fields.
  bool tuple = !t.name.empty() && t.name.front() == '(';
  bool tuple_struct = !tuple && !t.members.empty() &&
                      std::all_of(t.members.begin(), t.members.end(), [](const Member& m) { return m.name.rfind("__", 0) == 0; });
  std::string out;
  if (!tuple) {
    out = t.name;
    if (t.members.empty()) return out;
    if (!out.empty()) out += " ";
  }
  out += tuple || tuple_struct ? "(" : "{";
  bool first = true;
  for (const Member& m : t.members) {
    if (!first) out += ", ";
    first = false;
    if (!tuple && !tuple_struct) out += m.name + ": ";
    Value mv = sub_value(v, m.type, m.bit_offset, m.bit_size, type_size(types_, m.type));
    out += summary_at(mv, level + 1, budget > out.size() ? budget - out.size() : 0);
    if (over(out, budget)) {
      ++cuts_;
      return out + "...";
    }
  }
  return out + (tuple || tuple_struct ? ")" : "}");
}

// gdb's cp_print_static_field: a struct-typed static member prints its fields (no printer) the
// first time the line shows its object, then "<same as static member of an already seen type>".
std::string Formatter::static_member_text(TypeId owner, std::size_t member, int level, std::size_t budget) {
  auto value = types_.static_value(owner, member);
  if (!value) return reason_text(optimized_out());
  if (value->unavailable) return reason_text(*value->unavailable);
  TypeId real = types_.definition(strip_typedefs(types_, value->type));
  const Type& t = types_.complete(real);
  if (t.kind != TypeKind::structure && t.kind != TypeKind::class_type) return summary_at(*value, level + 1, budget);
  if (value->address) {
    if (std::find(statics_seen_.begin(), statics_seen_.end(), *value->address) != statics_seen_.end()) {
      return "<same as static member of an already seen type>";
    }
    statics_seen_.push_back(*value->address);
  }
  return aggregate_text(*value, real, t, level + 1, budget, true);
}

std::string Formatter::aggregate_text(const Value& v, TypeId id, const Type& t, int level, std::size_t budget,
                                      bool as_static) {
  if (level > kMaxSummaryLevel) {
    ++cuts_;
    return "{...}";
  }
  if (t.declaration) return "<incomplete type>";
  if (t.language == Language::rust) return rust_aggregate_text(v, t, level, budget);
  if (level == 0) statics_seen_.clear();  // a new line: no static member shown yet
  const std::size_t statics_before = statics_seen_.size();
  std::string out = "{";
  bool first = true, own_fields = false;
  for (std::size_t i = 0; i < t.members.size(); ++i) {
    const Member& m = t.members[i];
    if (!first) out += ", ";
    first = false;
    own_fields |= !m.is_base;
    if (m.is_static) {
      out += "static " + m.name + " = ";
      out += static_member_text(id, i, level, budget > out.size() ? budget - out.size() : 0);
      // Its node shows the value as a value of its own (printers applied): not this text.
      if (level == 0 && member_texts_ != nullptr) member_texts_->push_back(std::nullopt);
      if (over(out, budget)) {
        ++cuts_;
        return out + "...}";
      }
      continue;
    }
    if (m.is_base) out += member_label(types_, m) + " = ";
    else if (!m.name.empty()) out += m.name + " = ";
    if (m.is_virtual_base) {
      out += "<virtual base>";
      continue;
    }
    auto size = type_size(types_, m.type);
    Value mv = sub_value(v, m.type, m.bit_offset, m.bit_size, size);
    std::size_t cuts_before = cuts_;
    std::string text = summary_at(mv, level + 1, budget > out.size() ? budget - out.size() : 0);
    // The line of a node whose members become nodes too: each member's text, when nothing in it
    // was cut short, is what that member's node would compute again (see node()).
    if (level == 0 && member_texts_ != nullptr) {
      member_texts_->push_back(cuts_ == cuts_before ? std::optional<std::string>(text) : std::nullopt);
    }
    out += text;
    if (over(out, budget)) {
      ++cuts_;
      return out + "...}";
    }
  }
  // The statics this line showed inside this value are forgotten after it, as gdb does, except
  // those a static member's own fields showed (gdb keeps them until the enclosing value is done).
  if (!as_static) statics_seen_.resize(std::min(statics_seen_.size(), statics_before));
  if (first) return "{<No data fields>}";
  // A class with base classes and no fields of its own (std::mutex): gdb says so after the bases.
  if (!own_fields) out += ", <No data fields>";
  return out + "}";
}

std::string Formatter::printed_text(const Printed& p, int level, std::size_t budget) {
  if (p.hint == Printed::Hint::string || (p.children.empty() && !p.more)) return p.summary.empty() ? "{}" : p.summary;
  if (p.hint == Printed::Hint::element) return summary_at(p.children.front().value, level + 1, budget);
  if (p.hint == Printed::Hint::tuple || p.hint == Printed::Hint::record) {
    // Rust's enum variants, as gdb prints them: "Option<u32>::Some(7)", "E::V{x: 1}".
    bool tuple = p.hint == Printed::Hint::tuple;
    std::string out = p.summary + (tuple ? "(" : "{");
    for (std::size_t i = 0; i < p.children.size(); ++i) {
      if (i > 0) out += ", ";
      if (!tuple) out += p.children[i].name + ": ";
      out += summary_at(p.children[i].value, level + 1, budget > out.size() ? budget - out.size() : 0);
      if (over(out, budget)) {
      ++cuts_;
      return out + "...";
    }
    }
    return out + (tuple ? ")" : "}");
  }
  std::string out = p.summary.empty() ? "{" : p.summary + " = {";
  for (std::size_t i = 0; i < p.children.size(); ++i) {
    if (i > 0) out += ", ";
    const Child& c = p.children[i];
    if (p.hint == Printed::Hint::map && c.key) out += "[" + summary_at(*c.key, level + 1, budget) + "] = ";
    else if (p.hint != Printed::Hint::array) out += c.name + " = ";
    out += summary_at(c.value, level + 1, budget > out.size() ? budget - out.size() : 0);
    if (over(out, budget)) {
      ++cuts_;
      return out + "...}";
    }
  }
  if (p.more) out += "...";
  return out + "}";
}

std::string Formatter::summary_at(const Value& v, int level, std::size_t budget) {
  if (v.unavailable) return reason_text(*v.unavailable);
  TypeId real = types_.definition(strip_typedefs(types_, v.type));
  const Type& t = types_.complete(real);
  if (is_reference(t.kind)) {
    auto target = dereference(types_, memory_, v, options_);
    if (!target) return reason_text(target.error());
    std::string at = target->address ? "@" + hex(*target->address) + ": " : std::string();
    return at + summary_at(*target, level + 1, budget);
  }
  // Every printer is for an aggregate (a struct, class or union): scalars need not ask them.
  if (auto p = is_aggregate(t.kind) ? printed(v) : std::nullopt) {
    if (!*p) return reason_text(p->error());
    return printed_text(**p, level, budget);
  }
  if (is_aggregate(t.kind)) return aggregate_text(v, real, t, level, budget);
  if (t.kind == TypeKind::array) return array_text(v, t, level, budget);
  auto s = scalar_text(v, real, budget);
  return s ? *s : reason_text(s.error());
}

std::string Formatter::summary(const Value& v) {
  std::string s = summary_at(v, 0, options_.max_summary);
  if (s.size() > options_.max_summary + 8) s = s.substr(0, options_.max_summary) + "...";
  return s;
}

}  // namespace corelens::values
