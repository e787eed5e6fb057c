// Readable names in a finished report: what the text, the GUI and the triage output show.
//
// Runs after the analysis, once the signature has been hashed over the exact names (so a better
// readable form never changes a signature). Each frame whose demangled name folds to something
// shorter keeps the exact name in Frame::function_exact; the JSON writes both.
#pragma once

#include "core/model/report.hpp"

namespace corelens {

void make_names_readable(Report& report);

}  // namespace corelens
