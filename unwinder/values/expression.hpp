// Expressions as `corelens analyze --print` and the GUI's watch line take them: a C subset
// enough to pull one value out of a frame. Names in scope and globals; `.`, `->`, unary `*` and
// `&`, `[i]`; casts to a named type (`(struct record *)p`, `(unsigned long)x`); integer
// arithmetic and comparisons; `sizeof`. Errors read like gdb's ("No symbol "x" in current
// context.").
//
// The text is hostile too (it may come from a script fed by other files): its length and the
// parser's nesting are capped, and evaluating never reads more than the formatter's caps.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "unwinder/values/value.hpp"

namespace corelens::values {

inline constexpr std::size_t kMaxExpressionLength = 4096;

// Where names in an expression are looked up.
class ExpressionScope {
 public:
  virtual ~ExpressionScope() = default;
  // The variable NAME (a local, an argument, a global), or why not.
  virtual Known<Value> variable(const std::string& name) = 0;
  // The type NAME names ("record", "struct record", "uint32_t", "std::string"), or nullopt.
  virtual std::optional<TypeId> type_named(const std::string& name) = 0;
};

Known<Value> evaluate_expression(std::string_view text, ExpressionScope& scope, TypeTable& types,
                                 const ValueMemory& memory, const FormatOptions& options);

}  // namespace corelens::values
