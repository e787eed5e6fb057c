// The values engine as the report writers' FrameVariableSource: each frame's arguments and
// locals as VariableReports, members expanded to a depth, computed when a writer asks.
#pragma once

#include "core/model/frame_variables.hpp"
#include "unwinder/values/engine.hpp"

namespace corelens::values {

class EngineVariables final : public FrameVariableSource {
 public:
  // OPTIONS.depth: how deep members and pointers are expanded in locals (arguments of a frame
  // line are never expanded).
  EngineVariables(ValueEngine& engine, FormatOptions options) : engine_(engine), options_(options) {}
  std::vector<VariableReport> variables(std::size_t thread, std::size_t frame, bool locals) const override;

 private:
  ValueEngine& engine_;
  FormatOptions options_;
};

// A node of the engine as a VariableReport (its children as members); the rvalue one takes the
// node's strings instead of copying them.
VariableReport to_report(const ValueNode& node, bool argument);
VariableReport to_report(ValueNode&& node, bool argument);

}  // namespace corelens::values
