#include "unwinder/values/report_values.hpp"

namespace corelens::values {

VariableReport to_report(const ValueNode& node, bool argument) { return to_report(ValueNode(node), argument); }

namespace {

// NODE into R, a VariableReport already in its vector: a 1,000-thread report has ~90,000
// variables, and moving each one's seven strings into place once more cost ~20 M instructions.
void fill(VariableReport& r, ValueNode&& node, bool argument) {
  r.name = std::move(node.name);
  r.argument = argument;
  r.type = std::move(node.type);
  r.exact_type = std::move(node.exact_type);
  r.value = std::move(node.value);
  r.address = node.address;
  r.location = std::move(node.location);
  r.unavailable = std::move(node.unavailable);
  r.entry_value = node.entry_value;
  r.compound = node.kind == ValueNode::Kind::aggregate || node.kind == ValueNode::Kind::array ||
               node.kind == ValueNode::Kind::printed;
  if (node.children.empty()) return;
  r.members.reserve(node.children.size());
  for (auto& c : node.children) fill(r.members.emplace_back(), std::move(c), false);
}

}  // namespace

VariableReport to_report(ValueNode&& node, bool argument) {
  VariableReport r;
  fill(r, std::move(node), argument);
  return r;
}

std::vector<VariableReport> EngineVariables::variables(std::size_t thread, std::size_t frame, bool locals) const {
  FormatOptions options = options_;
  if (!locals) {
    options.depth = 0;  // a frame line's arguments: their values, no members, "..." for structs
    options.compound_summaries = false;
  }
  auto vars = engine_.frame_variables(thread, frame, options, locals);
  std::vector<VariableReport> out;
  if (!vars) return out;
  out.reserve(vars->arguments.size() + vars->locals.size());
  for (auto& a : vars->arguments) fill(out.emplace_back(), std::move(a), true);
  for (auto& l : vars->locals) fill(out.emplace_back(), std::move(l), false);
  return out;
}

}  // namespace corelens::values
