// Crash reports for CI, shared by `corelens run` and `corelens collect`: crashes grouped by
// signature, as JUnit XML (a test case per group), SARIF 2.1.0 (a result per group at the
// topmost frame in the project's own sources), GitHub workflow annotations, Markdown (a job
// summary) and a short text summary. No memory contents and no environment are shown: CI logs
// are often public.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/report.hpp"

namespace corelens::cli {

struct CrashCase {
  std::string origin;  // "null_read (pid 1234)", or the core's file name
  std::string core;    // the core file (it may be gone when the run kept none)
  std::optional<Report> report;
  std::string error;   // the core could not be written or analysed
};

struct CrashGroup {
  std::string key;                   // the signature hash (or the fallback's)
  std::string signature;             // readable signature
  std::vector<std::size_t> members;  // indexes into the cases, in their order
};

// Grouping: the crash signature of core/analysis (report.analysis->signature, issue 4) when the
// analysis made one; otherwise the hook fallback_signature(). Groups in order of first appearance.
std::vector<CrashGroup> group_crashes(const std::vector<CrashCase>& cases);
// The hook for reports without a signature: the signal and the crashing thread's first three
// functions. Cases without a report group by their error.
std::string fallback_signature(const CrashCase& c);

struct CiReportOptions {
  std::string source_root;    // the project's sources: frames under it locate a crash; "" = cwd
  bool redact_command_lines = false;
};

std::string to_junit(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                     const CiReportOptions& options);
std::string to_sarif(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                     const CiReportOptions& options);
std::string to_github_annotations(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                                  const CiReportOptions& options);
std::string to_markdown(const std::vector<CrashCase>& cases, const std::vector<CrashGroup>& groups,
                        const CiReportOptions& options);
// A few lines per crash: signal, why, the crashing thread's top frames, the core.
std::string to_summary_text(const std::vector<CrashCase>& cases, const CiReportOptions& options);

// --junit/--sarif/--github/--markdown as run and collect take them.
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
