// Printers: what a standard type means rather than how it is laid out. A std::vector is its
// elements, not three pointers; a std::map its pairs, not a red-black tree. One file per family
// (printers_libstdcxx.cpp, printers_rust.cpp), each reading the layout its library uses from the
// dump's memory, with the type's own DWARF for every offset it can get there.
//
// The words they print are the ones gdb's printers print ("std::vector of length 3, capacity 4",
// "std::map with 2 elements"), so a developer sees what they know, and the comparison tests can
// hold ours against gdb's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unwinder/values/value.hpp"

namespace corelens::values {

struct Child {
  std::string name;          // "[0]", "get()", "[contained value]"; maps: empty, KEY names it
  Value value;
  std::optional<Value> key;  // maps: the key, shown as "[key]"
};

struct Printed {
  // How the children print: "name = value" (none), bare (array), "[key] = value" (map), not at
  // all (string: the summary is the value); Rust's "Variant(a, b)" (tuple) and
  // "Variant {x: a}" (record); as its one child's value (element: an iterator prints as the
  // element it points to, as gdb's libstdc++ printers print it).
  enum class Hint { none, array, map, string, tuple, record, element };
  std::string summary;  // "std::vector of length 3, capacity 4", or a string literal for strings
  Hint hint = Hint::none;
  std::vector<Child> children;  // at most FormatOptions::max_elements
  bool more = false;            // there are children past the cap
};

class PrinterContext {
 public:
  PrinterContext(TypeTable& table, const ValueMemory& source, const FormatOptions& format)
      : types(table), memory(source), options(format) {}

  // Member NAME of V, found in V's type, its base classes and anonymous members.
  std::optional<Value> member(const Value& v, std::string_view name);
  // Member NAME of a kind (the pointer _M_head_impl of a tuple, not its empty deleter's).
  std::optional<Value> member_of_kind(const Value& v, std::string_view name, TypeKind kind);
  // The first member along PATH ("_M_impl", "_M_start").
  std::optional<Value> path(const Value& v, std::initializer_list<std::string_view> names);
  Known<std::uint64_t> integer(const Value& v) { return value_unsigned(types, memory, v, options); }
  // The Nth template type argument of TYPE (through typedefs).
  std::optional<TypeId> template_type(TypeId type, std::size_t n);
  // A value's type without typedefs and qualifiers.
  const Type& real_type(const Value& v) { return types.complete(strip_typedefs(types, v.type)); }
  std::string readable(TypeId type) { return readable_type_name(type_name(types, type)); }
  std::optional<std::uint64_t> size_of(TypeId type) { return type_size(types, type); }
  // A pointer-sized word of memory.
  Known<std::uint64_t> word(std::uint64_t address);
  // The alignment of TYPE: DW_AT_alignment where given, else its largest scalar's size (at most
  // 16), as the ABI aligns it.
  std::uint64_t alignment(TypeId type, int depth = 0);

  TypeTable& types;
  const ValueMemory& memory;
  const FormatOptions& options;
};

// The template's name without arguments and inline namespaces: "std::vector", "std::basic_string".
std::string template_head(const std::string& type_name);

// libstdc++ 12 (printers_libstdcxx.cpp): nullopt when no printer knows V's type.
std::optional<Known<Printed>> print_libstdcxx(const Value& v, PrinterContext& ctx);
// Rust's standard library (printers_rust.cpp).
std::optional<Known<Printed>> print_rust(const Value& v, PrinterContext& ctx);

// Rust's language-level values (enums, &str), which gdb prints natively: shown even in the raw
// view (printers_rust.cpp).
std::optional<Known<Printed>> print_rust_language(const Value& v, PrinterContext& ctx);

// Every family, in order; FormatOptions::raw leaves out the library printers (libstdc++'s
// containers, Rust's Vec and String) and keeps what the language itself defines.
inline std::optional<Known<Printed>> apply_printers(const Value& v, PrinterContext& ctx) {
  if (auto p = print_rust_language(v, ctx)) return p;
  if (ctx.options.raw) return std::nullopt;
  if (auto p = print_libstdcxx(v, ctx)) return p;
  return print_rust(v, ctx);
}

}  // namespace corelens::values
