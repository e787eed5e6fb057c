// The bridge from the unwinder's libdw session to core/analysis: symbol lookups (for glibc's
// __abort_msg and C++ type_info vtables) through the DwflBackend, then analyze_crash().
#pragma once

#include "core/analysis/crash_analysis.hpp"
#include "unwinder/dwfl_backend.hpp"

namespace corelens {

// BACKEND may be null (the unwinder could not start): the analysis then runs without symbols.
CrashAnalysis run_crash_analysis(const ProcessDump& dump, const Report& report, const MemorySource& memory,
                                 DwflBackend* backend, const SkipList* skip);
// What each thread waits for, the deadlocks, and the hang as the analysis when the process was
// killed from outside or is a snapshot (core/analysis/waits.hpp, deadlocks.hpp); part of
// run_crash_analysis.
void run_wait_analysis(CrashAnalysis& analysis, const ProcessDump& dump, const Report& report,
                       const MemorySource& memory, DwflBackend* backend);

}  // namespace corelens
