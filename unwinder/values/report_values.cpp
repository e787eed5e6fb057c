#include "unwinder/values/report_values.hpp"

namespace corelens::values {

VariableReport to_report(const ValueNode& node, bool argument) { return to_report(ValueNode(node), argument); }

VariableReport to_report(ValueNode&& node, bool argument) {
  VariableReport r;
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
  r.members.reserve(node.children.size());
  for (auto& c : node.children) r.members.push_back(to_report(std::move(c), false));
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
  for (auto& a : vars->arguments) out.push_back(to_report(std::move(a), true));
  for (auto& l : vars->locals) out.push_back(to_report(std::move(l), false));
  return out;
}

}  // namespace corelens::values
