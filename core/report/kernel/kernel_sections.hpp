// The kernel section of a Report as text and JSON (used by report_text.cpp / report_json.cpp).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/report/text_report.hpp"

namespace corelens {

// The whole text report of a kernel dump: the panic story first, then CPUs, log tail, diagnostics.
std::string kernel_report_to_text(const Report& report, const TextOptions& options);
// One log line as `makedumpfile --dump-dmesg` prints it: "[%5llu.%06llu] text", no newline.
std::string kernel_log_line_text(const KernelLogLine& line);
// Report::kernel as the "kernel" object of cli/report.schema.json.
nlohmann::ordered_json kernel_report_json(const Report& report);

}  // namespace corelens
