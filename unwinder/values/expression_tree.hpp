// The syntax tree of an expression (expression.cpp parses, expression_eval.cpp evaluates).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "unwinder/values/expression.hpp"

namespace corelens::values {

struct Node {
  enum Kind {
    name, number, character, member, arrow, index, deref, address, negate, logical_not, complement, plus,
    binary, cast, size_of_type, size_of_expr,
  } kind = name;
  std::string text;  // name; member's name; binary's operator; cast's and sizeof's type
  std::uint64_t value = 0;
  bool is_unsigned = false, is_long = false;
  std::unique_ptr<Node> a, b;
};
using NodePtr = std::unique_ptr<Node>;

Known<Value> evaluate_tree(const Node& n, ExpressionScope& scope, TypeTable& types, const ValueMemory& memory,
                           const FormatOptions& options, int depth);

}  // namespace corelens::values
