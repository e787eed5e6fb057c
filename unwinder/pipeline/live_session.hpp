// A running process analysed like a core, which runs on: read_live_process (parsers/live) stops
// every thread, copies what the analysis needs and lets the process go; the analysis (modules,
// stacks, why it is stuck) then runs on the copy. The Report says how long it was stopped
// (Report::live).
#pragma once

#include <memory>

#include "unwinder/pipeline/session.hpp"

namespace corelens {

// Fails when the process cannot be read: no such process (ErrorCode::not_found), not permitted
// (not_permitted: Yama's ptrace_scope, CAP_SYS_PTRACE), another tracer attached (busy).
Result<std::shared_ptr<const Session>> open_process(int pid, const AnalyzeOptions& options);

}  // namespace corelens
