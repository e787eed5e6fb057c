#include "unwinder/values/report_values.hpp"

namespace corelens::values {

VariableReport to_report(const ValueNode& node, bool argument) {
  VariableReport r;
  r.name = node.name;
  r.argument = argument;
  r.type = node.type;
  r.exact_type = node.exact_type;
  r.value = node.value;
  r.address = node.address;
  r.location = node.location;
  r.unavailable = node.unavailable;
  r.entry_value = node.entry_value;
  r.compound = node.kind == ValueNode::Kind::aggregate || node.kind == ValueNode::Kind::array ||
               node.kind == ValueNode::Kind::printed;
  r.members.reserve(node.children.size());
  for (const auto& c : node.children) r.members.push_back(to_report(c, false));
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
  for (const auto& a : vars->arguments) out.push_back(to_report(a, true));
  for (const auto& l : vars->locals) out.push_back(to_report(l, false));
  return out;
}

}  // namespace corelens::values
