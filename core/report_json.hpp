// The Report as JSON, in the documented, versioned layout of cli/report.schema.json.
// Addresses are strings ("0x7ffd..."): JSON numbers lose precision above 2^53 in most readers.
#pragma once

#include <string>

#include "core/report.hpp"

namespace corelens {

// Pretty-printed (INDENT spaces) or compact (INDENT < 0).
std::string report_to_json(const Report& report, int indent = 2);

}  // namespace corelens
