#include "core/report/json_writer.hpp"

#include <array>
#include <cassert>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

// The UTF-8 sequence at the start of S: its length and whether it is valid (RFC
// 3629: no overlong forms, no surrogates, nothing above U+10FFFF). An invalid
// one's length is its "maximal subpart" (the bytes that were still a valid
// prefix, at least one), which is replaced by one U+FFFD, as nlohmann's
// error_handler_t::replace and the Unicode standard do.
struct Utf8Step {
  std::size_t length;
  bool valid;
};
Utf8Step utf8_step(std::string_view s) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return {1, true};
  std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4) return {1, false};
  // The allowed range of the second byte depends on the first (overlongs,
  // surrogates, > U+10FFFF).
  unsigned char lo = 0x80, hi = 0xbf;
  if (c == 0xe0) lo = 0xa0;
  if (c == 0xed) hi = 0x9f;
  if (c == 0xf0) lo = 0x90;
  if (c == 0xf4) hi = 0x8f;
  for (std::size_t i = 1; i < n; ++i) {
    if (i >= s.size()) return {i, false};
    unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xbf;
    if (b(i) < min || b(i) > max) return {i, false};
  }
  return {n, true};
}

// How many bytes at the start of S are copied to JSON as they are: printable ASCII other than '"'
// and '\\'. Eight at a time (a word's bytes tested together), then one by one. Inlined into each
// caller: as a call, every string of a report pays ~20 instructions more (measured: +1%).
[[gnu::always_inline]] inline std::size_t plain_prefix(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [&](std::uint64_t w) { return (w - kOnes) & ~w & kHigh; };
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    // A byte < 0x20 has its high bit set after subtracting 0x20 unless it was >= 0xa0; bytes
    // >= 0x80 are caught by their own high bit, so that case needs no care.
    std::uint64_t special = (w & kHigh) | ((w - 0x20 * kOnes) & ~w & kHigh) | has_zero(w ^ ('"' * kOnes)) |
                            has_zero(w ^ ('\\' * kOnes));
    if (special != 0) break;
  }
  static constexpr auto kPlain = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x80; ++c) plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return plain;
  }();
  while (i < s.size() && kPlain[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// memcpy(Q, S, N) for the short pieces of fields() (indentation, key names, most values) without
// a call: two overlapping word copies that stay inside [S, S + N). ~2.7 M pieces in a 1,000-thread
// report with --locals, where each call cost ~13 instructions more.
[[gnu::always_inline]] inline void copy_short(char* q, const char* s, std::size_t n) {
  if (n >= 8 && n <= 16) {
    std::uint64_t a, b;
    std::memcpy(&a, s, 8);
    std::memcpy(&b, s + n - 8, 8);
    std::memcpy(q, &a, 8);
    std::memcpy(q + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    std::uint32_t a, b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    std::memcpy(q, &a, 4);
    std::memcpy(q + n - 4, &b, 4);
  } else if (n < 4) {
    for (std::size_t i = 0; i < n; ++i) q[i] = s[i];
  } else {
    std::memcpy(q, s, n);
  }
}

// The most bytes escape_into writes for a string of N bytes: a control byte becomes six
// ("\u001f"), an invalid UTF-8 byte three (U+FFFD), both quotes two.
constexpr std::size_t escaped_most(std::size_t n) { return 6 * n + 2; }

// Writes S at Q as a quoted JSON string, escaped as nlohmann's dump() escapes it (invalid UTF-8
// replaced), and returns the end. Q has room for escaped_most(S.size()) bytes.
char* escape_into(char* q, std::string_view s) {
  *q++ = '"';
  for (std::size_t i = 0; i < s.size();) {
    // Most text is printable ASCII, copied as it is: one copy per run, not per byte (a report
    // with every frame's variables writes tens of megabytes).
    std::size_t run = i + plain_prefix(s.substr(i));
    std::memcpy(q, s.data() + i, run - i);
    q += run - i;
    i = run;
    if (i == s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      Utf8Step step = utf8_step(s.substr(i));
      if (step.valid) {
        std::memcpy(q, s.data() + i, step.length);
        q += step.length;
      } else {
        std::memcpy(q, "\xef\xbf\xbd", 3);
        q += 3;
      }
      i += step.length;
      continue;
    }
    char short_escape = 0;
    switch (c) {
      case '"':
        short_escape = '"';
        break;
      case '\\':
        short_escape = '\\';
        break;
      case '\b':
        short_escape = 'b';
        break;
      case '\f':
        short_escape = 'f';
        break;
      case '\n':
        short_escape = 'n';
        break;
      case '\r':
        short_escape = 'r';
        break;
      case '\t':
        short_escape = 't';
        break;
      default:
        break;
    }
    if (short_escape != 0) {
      *q++ = '\\';
      *q++ = short_escape;
    } else if (c < 0x20) {
      static constexpr char kDigits[] = "0123456789abcdef";
      std::memcpy(q, "\\u00", 4);
      q[4] = kDigits[c >> 4];
      q[5] = kDigits[c & 0xf];
      q += 6;
    } else {
      *q++ = static_cast<char>(c);
    }
    ++i;
  }
  *q++ = '"';
  return q;
}

}  // namespace

void JsonWriter::newline_and_indent(std::size_t depth) {
  if (indent_ < 0) return;
  out_ += '\n';
  out_.append(depth * static_cast<std::size_t>(indent_), ' ');
}

void JsonWriter::flush() {
  if (!sink_ || out_.empty()) return;
  if (!failed_ && !sink_(out_)) failed_ = true;
  out_.clear();
}

void JsonWriter::before_value() {
  if (sink_ && out_.size() >= threshold_) flush();
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  if (!stack_.back().empty) out_ += ',';
  stack_.back().empty = false;
  newline_and_indent(stack_.size());
}

void JsonWriter::open(char bracket) {
  before_value();
  out_ += bracket;
  stack_.push_back(Level{});
}

void JsonWriter::close(char bracket) {
  assert(!stack_.empty());
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline_and_indent(stack_.size());
  out_ += bracket;
}

void JsonWriter::key(std::string_view name) {
  before_value();
  escaped(name);
  out_ += indent_ < 0 ? ":" : ": ";
  after_key_ = true;
}

// Writes each field's separator, indentation, quoted NAME with its colon and value straight into
// the output's buffer: one capacity check for them all instead of an append per piece.
void JsonWriter::fields(std::span<const Field> fields) { write_fields(fields, false); }

void JsonWriter::object_fields(std::span<const Field> fields) { write_fields(fields, true); }

void JsonWriter::write_fields(std::span<const Field> fields, bool open_object) {
  if (open_object && stack_.empty()) {
    begin_object();
    open_object = false;
  }
  // A key is never written after a key, nor at the top level: key() and value() say why not.
  if (!open_object && (after_key_ || stack_.empty())) {
    for (const Field& f : fields) {
      key(f.name);
      if (f.literal) {
        before_value();
        out_ += f.value;
      } else {
        value(f.value);
      }
    }
    return;
  }
  if (!open_object && fields.empty()) return;
  if (sink_ && out_.size() >= threshold_) flush();
  // The opened object's own separator, as before_value() writes it: none after a key.
  const bool open_separator = open_object && !after_key_;
  const bool open_comma = open_separator && !stack_.back().empty;
  const std::size_t open_pad = indent_ < 0 ? 0 : stack_.size() * static_cast<std::size_t>(indent_);
  if (open_object) {
    if (open_separator) stack_.back().empty = false;
    after_key_ = false;
    stack_.push_back(Level{});
  }
  std::size_t pad = indent_ < 0 ? 0 : stack_.size() * static_cast<std::size_t>(indent_);
  if (pad_.size() < pad + 1) pad_ = "\n" + std::string(pad + 16, ' ');
  std::size_t most = open_object ? 1 + open_pad + 1 + 1 : 0;
  for (const Field& f : fields) {
    assert(plain_prefix(f.name) == f.name.size());
    most += 1 + pad + 1 + f.name.size() + 4 + (f.literal ? f.value.size() : escaped_most(f.value.size()));
  }
  bool comma = !stack_.back().empty;
  if (!fields.empty()) stack_.back().empty = false;
  std::size_t at = out_.size();
  out_.resize_and_overwrite(at + most, [&](char* p, std::size_t) {
    char* q = p + at;
    if (open_object) {
      if (open_comma) *q++ = ',';
      if (open_separator && indent_ >= 0) {
        copy_short(q, pad_.data(), open_pad + 1);
        q += open_pad + 1;
      }
      *q++ = '{';
    }
    for (const Field& f : fields) {
      if (comma) *q++ = ',';
      comma = true;
      if (indent_ >= 0) {
        copy_short(q, pad_.data(), pad + 1);
        q += pad + 1;
      }
      *q++ = '"';
      copy_short(q, f.name.data(), f.name.size());
      q += f.name.size();
      *q++ = '"';
      *q++ = ':';
      if (indent_ >= 0) *q++ = ' ';
      if (f.literal) {
        copy_short(q, f.value.data(), f.value.size());
        q += f.value.size();
      } else if (plain_prefix(f.value) == f.value.size()) {
        *q++ = '"';
        copy_short(q, f.value.data(), f.value.size());
        q += f.value.size();
        *q++ = '"';
      } else {
        q = escape_into(q, f.value);
      }
    }
    return static_cast<std::size_t>(q - p);
  });
}

void JsonWriter::plain_key(std::string_view name) {
  // A key is never written after a key, nor at the top level.
  if (after_key_ || stack_.empty()) return key(name);
  // The key with an empty literal for its value, which the caller writes next.
  Field f{name, {}, true};
  fields({&f, 1});
  after_key_ = true;
}

void JsonWriter::escaped(std::string_view s) {
  std::size_t at = out_.size();
  out_.resize_and_overwrite(at + escaped_most(s.size()), [&](char* p, std::size_t) {
    return static_cast<std::size_t>(escape_into(p + at, s) - p);
  });
}

void JsonWriter::value(std::string_view s) {
  before_value();
  escaped(s);
}

void JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
}

void JsonWriter::value(std::int64_t v) {
  before_value();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
}

void JsonWriter::value(std::uint64_t v) {
  before_value();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

void JsonWriter::value(const nlohmann::ordered_json& tree) {
  switch (tree.type()) {
    case nlohmann::json::value_t::object:
      begin_object();
      for (const auto& [k, v] : tree.items()) {
        key(k);
        value(v);
      }
      end_object();
      break;
    case nlohmann::json::value_t::array:
      begin_array();
      for (const auto& v : tree) value(v);
      end_array();
      break;
    case nlohmann::json::value_t::string:
      value(tree.get_ref<const std::string&>());
      break;
    case nlohmann::json::value_t::boolean:
      value(tree.get<bool>());
      break;
    case nlohmann::json::value_t::number_integer:
      value(tree.get<std::int64_t>());
      break;
    case nlohmann::json::value_t::number_unsigned:
      value(tree.get<std::uint64_t>());
      break;
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      null();
      break;
    default:  // floats, binary: not in reports; let nlohmann print them
      before_value();
      out_ += tree.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
}

void JsonWriter::string_or_null(std::string_view s) {
  if (s.empty()) null();
  else value(s);
}

void JsonWriter::hex(std::uint64_t v) {
  // "0x..." in lower case, as corelens::hex spells it; nothing in it needs escaping.
  char digits[16];
  auto end = std::to_chars(digits, digits + sizeof digits, v, 16).ptr;
  before_value();
  out_ += "\"0x";
  out_.append(digits, end);
  out_ += '"';
}

void JsonWriter::hex_or_null(const std::optional<std::uint64_t>& v) {
  if (v) hex(*v);
  else null();
}

}  // namespace corelens
