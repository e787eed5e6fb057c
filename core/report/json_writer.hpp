// A streaming JSON writer: appends straight to a string, so a report of 260,000
// frames never exists twice (as a tree of JSON values and as text). Output
// matches nlohmann::json's dump(): the same indentation, escapes and "[]"/"{}"
// for empty containers, so the two can be mixed and compared. Invalid UTF-8
// (hostile dumps carry it in paths and names) becomes U+FFFD, as nlohmann's
// error_handler_t::replace does.
//
// Usage: begin_object(); key("a"); value(1); end_object(). The writer does not
// check that calls are balanced beyond a debug assertion: its callers are a
// handful of serialisers in this repo.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace corelens {

class JsonWriter {
 public:
  // INDENT < 0: compact, one line; otherwise pretty-printed with INDENT spaces
  // per level.
  explicit JsonWriter(std::string& out, int indent = 2) : out_(out), indent_(indent) {}

  // Hands OUT to SINK and empties it whenever it holds THRESHOLD bytes or more (checked before
  // each element), so a report of any size costs THRESHOLD bytes of buffer; flush() hands over
  // the rest. SINK returns false once it cannot take more (a closed pipe): the writer then keeps
  // discarding, and failed() says so.
  using Sink = std::function<bool(std::string_view)>;
  void stream_to(Sink sink, std::size_t threshold = std::size_t{1} << 20) {
    sink_ = std::move(sink);
    threshold_ = threshold;
  }
  void flush();
  bool failed() const { return failed_; }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view name);
  // The same output as key(NAME) for a NAME the caller knows is printable ASCII without '"' or
  // '\\' (a field name of the schema): comma, newline, indent and quoted name in one append, no
  // escaping pass. For the variables of --locals, ~1 M keys in a 1,000-thread report.
  void plain_key(std::string_view name);
  // One field for fields(): a NAME as plain_key takes it, and its VALUE, a string (quoted and
  // escaped as value() does) or, when LITERAL, written as it is ("null", "true", "[]", "\"0x1\"").
  struct Field {
    std::string_view name;
    std::string_view value;
    bool literal;
  };
  // plain_key(NAME) then value(VALUE) (or the literal) for each of FIELDS in turn, in one append with
  // one capacity check: the variables of --locals are ~90,000 objects of ten fields each in a
  // 1,000-thread report, and a call per field cost ~180 instructions.
  void fields(std::span<const Field> fields);
  // begin_object() then fields(FIELDS), in the same append.
  void object_fields(std::span<const Field> fields);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(bool b);
  void value(std::int64_t v);
  void value(std::uint64_t v);
  void value(int v) { value(static_cast<std::int64_t>(v)); }
  void value(unsigned v) { value(static_cast<std::uint64_t>(v)); }
  void value(long long v) { value(static_cast<std::int64_t>(v)); }
  void value(unsigned long long v) { value(static_cast<std::uint64_t>(v)); }
  void null();
  // A tree built with nlohmann (small, rarely written sections), emitted at the
  // current position.
  void value(const nlohmann::ordered_json& tree);

  // Convenience for the report's conventions: empty string -> null, unset
  // optional -> null, addresses as "0x..." strings.
  void string_or_null(std::string_view s);
  void hex(std::uint64_t v);
  void hex_or_null(const std::optional<std::uint64_t>& v);
  template <typename T>
  void optional(const std::optional<T>& v) {
    if (v) value(*v);
    else null();
  }

  template <typename T>
  void field(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

 private:
  void open(char bracket);
  void close(char bracket);
  void before_value();  // the comma and newline before an element, unless it
                        // follows a key
  void newline_and_indent(std::size_t depth);
  void escaped(std::string_view s);
  void write_fields(std::span<const Field> fields, bool open_object);

  struct Level {
    bool empty = true;
  };
  std::string& out_;
  int indent_;
  std::vector<Level> stack_;
  bool after_key_ = false;
  Sink sink_;
  std::size_t threshold_ = 0;
  bool failed_ = false;
  std::string pad_;  // a newline and spaces: fields()' indentation, copied from here
};

}  // namespace corelens
