// What each sample program's crash must look like, and helpers shared by the integration tests.
// Expected lines come from the `// CRASH-SITE` and `// CALL-SITE name` markers in the samples'
// sources, so editing a sample never silently breaks a hard-coded number.
#pragma once

#include <string>
#include <vector>

#include "core/model/report.hpp"

namespace corelens::testing {

struct SampleExpectation {
  std::string name;
  std::string source;  // file name in samples/
  int signal;
  std::string code_name;
  // Frames in the sample's own executable, innermost first; each stands at the CRASH-SITE line
  // (the first) or at the CALL-SITE line naming the frame before it.
  std::vector<std::string> own_frames;
  // Functions that must appear above the first own frame (libc's abort path, C++ runtime).
  std::vector<std::string> runtime_frames;
};

const std::vector<SampleExpectation>& sample_expectations();
const SampleExpectation* find_sample(const std::string& name);

// Line number of the line containing MARKER in samples/SOURCE (0 when absent).
int marker_line(const std::string& source, const std::string& marker);

// Directories holding the sample cores: "auto" and "gcore".
std::string cores_dir(const std::string& method);
std::string core_path(const std::string& method, const std::string& sample);
std::string exe_path(const std::string& method, const std::string& sample);
std::string read_text_file(const std::string& path);

// libc6-dbg's debug file (by build-id under /usr/lib/debug) of this machine's libc, which the
// samples ran with; "" when libc6-dbg is not installed.
std::string libc_debug_file();

// Runs a shell command; returns its standard output and sets *STATUS to its exit status.
std::string run_command(const std::string& command, int* status = nullptr);

// A function name as compared across tools: without parameters ("f(int)" -> "f"), templates
// kept, and without a symbol version ("x@@GLIBC_2.34" -> "x").
std::string comparable_name(const std::string& function);

// The analysis report of a sample core, computed once per (method, sample) and cached.
const Report& sample_report(const std::string& method, const std::string& sample);

}  // namespace corelens::testing
