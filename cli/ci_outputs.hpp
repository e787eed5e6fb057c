// The CI reports `corelens run`, `collect` and `triage` write on request: --junit FILE,
// --sarif FILE, --markdown FILE, --github (annotations on stdout, the Markdown summary appended
// to $GITHUB_STEP_SUMMARY), with --source-root and --redact. The writers are core/report/batch's.
#pragma once

#include <string>
#include <vector>

#include "core/report/batch/crash_batch.hpp"

namespace corelens::cli {

struct CiOutputs {
  std::string junit, sarif, markdown;  // files to write; empty = not wanted
  bool github = false;                 // annotations on stdout, Markdown to $GITHUB_STEP_SUMMARY
  CiReportOptions report;
};
// Parses one of those options at ARGV[I] (advancing I past its value); false if it is not one.
// Sets ERROR when the option lacks its value.
bool parse_ci_option(const std::vector<std::string>& argv, std::size_t& i, CiOutputs& out, std::string& error);
// Writes every requested output; returns false (after a message on stderr) if one failed.
bool write_ci_outputs(const std::vector<CrashCase>& cases, const CiOutputs& outputs);

}  // namespace corelens::cli
