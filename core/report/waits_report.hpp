// The hang part of a Report written out: what each thread waits for, the deadlocks, and how long
// a live process was stopped. Used by the text and JSON writers (text_report.cpp, json_report.cpp).
#pragma once

#include <string>

#include "core/model/report.hpp"
#include "core/report/json_writer.hpp"

namespace corelens {

// analysis.waits[] and analysis.deadlocks[] (keys and values), inside the analysis object.
void waits_json(JsonWriter& w, const CrashAnalysis& analysis);
// The "live" object of a report of a live process.
void live_json(JsonWriter& w, const LiveProcessReport& live);

// "Deadlock  threads 201 -> 202 -> 201: ..." lines for the summary at the top.
std::string deadlock_lines(const CrashAnalysis& analysis);
// The line under a thread's header: "  waits for mutex lock_b (0x...), held by thread 202".
std::string thread_wait_line(const CrashAnalysis& analysis, std::int32_t tid);
// "Stopped   3.2 ms (pid 1234 ran on; 1.2 MiB of its memory read)".
std::string live_line(const Report& report);

}  // namespace corelens
