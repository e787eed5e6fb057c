// The Report as JSON, in the documented, versioned layout of cli/report.schema.json.
// Addresses are strings ("0x7ffd..."): JSON numbers lose precision above 2^53 in most readers.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/model/frame_variables.hpp"
#include "core/model/report.hpp"

namespace corelens {

// Pretty-printed (INDENT spaces) or compact (INDENT < 0). With VARIABLES (--locals), every frame
// has its "variables": arguments and locals, read when the frame is written.
std::string report_to_json(const Report& report, int indent = 2, const FrameVariableSource* variables = nullptr);

// The same text, handed to SINK in pieces of about a MiB as it is written, so a report of
// 260,000 frames never sits in memory whole. False when SINK refused a piece.
bool write_report_json(const Report& report, const std::function<bool(std::string_view)>& sink, int indent = 2,
                       const FrameVariableSource* variables = nullptr);

// One value (corelens analyze --print) in the layout of a frame's "variables" entries; its
// "kind" is null (an expression is neither an argument nor a local).
std::string variable_to_json(const VariableReport& variable, int indent = 2);

}  // namespace corelens
