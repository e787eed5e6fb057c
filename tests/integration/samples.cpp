#include "tests/integration/samples.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "parsers/elf_image.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {

const std::vector<SampleExpectation>& sample_expectations() {
  static const std::vector<SampleExpectation> kSamples = {
      {"null_read", "null_read.c", 11, "SEGV_MAPERR", {"f3", "f2", "f1", "main"}, {}},
      {"wild_write", "wild_write.c", 11, "SEGV_MAPERR", {"store_field", "update_record", "main"}, {}},
      {"readonly_write", "readonly_write.c", 11, "SEGV_ACCERR", {"capitalize", "greet", "main"}, {}},
      {"assert_fail", "assert_fail.c", 6, "SI_TKILL", {"parse_header", "main"}, {"abort", "__assert_fail"}},
      {"uncaught_exception", "uncaught_exception.cpp", 6, "SI_TKILL",
       {"validate_config", "load_config", "run_job", "main"}, {"abort", "std::terminate", "__cxa_throw"}},
      {"stack_overflow", "stack_overflow.c", 11, "SEGV_MAPERR", {"recurse"}, {}},
      {"divide_by_zero", "divide_by_zero.c", 8, "FPE_INTDIV", {"average", "report", "main"}, {}},
      {"illegal_instruction", "illegal_instruction.c", 4, "ILL_ILLOPN", {"execute_opcode", "dispatch", "main"}, {}},
      {"threads_blocked", "threads_blocked.c", 11, "SEGV_MAPERR", {"crash_in_main_thread", "main"}, {}},
      {"inlined_o2", "inlined_o2.cpp", 11, "SEGV_MAPERR",
       {"extract_field", "decode_record", "load_record", "process_request", "main"}, {}},
      {"values_c", "values.c", 11, "SEGV_MAPERR", {"inspect", "walk", "summarize", "main"}, {}},
      {"values_c_o2", "values.c", 11, "SEGV_MAPERR", {"inspect", "walk", "summarize", "main"}, {}},
      {"values_cxx", "values_cxx.cpp", 11, "SEGV_MAPERR", {"Catalog::check", "audit", "main"}, {}},
      {"values_cxx_o2", "values_cxx.cpp", 11, "SEGV_MAPERR", {"Catalog::check", "audit", "main"}, {}},
      {"member_string", "member_string.cpp", 11, "SEGV_MAPERR", {"Parser::parse", "Parser::parse_all", "main"}, {}},
      {"values_static", "values_static.cpp", 11, "SEGV_MAPERR", {"Registry::record", "main"}, {}},
      {"values_static_dwarf4", "values_static.cpp", 11, "SEGV_MAPERR", {"Registry::record", "main"}, {}},
  };
  return kSamples;
}

const SampleExpectation* find_sample(const std::string& name) {
  for (const auto& s : sample_expectations()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

int marker_line(const std::string& source, const std::string& marker) {
  std::ifstream in(std::string(CORELENS_SAMPLES_SOURCE_DIR) + "/" + source);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto pos = line.find(marker);
    if (pos == std::string::npos) continue;
    // "CALL-SITE f" must not match "CALL-SITE f3".
    auto end = pos + marker.size();
    if (end == line.size() || line[end] == ' ') return n;
  }
  return 0;
}

std::string cores_dir(const std::string& method) { return std::string(CORELENS_CORES_DIR) + "/" + method; }
std::string core_path(const std::string& method, const std::string& sample) {
  return cores_dir(method) + "/" + sample + ".core";
}
std::string exe_path(const std::string& method, const std::string& sample) {
  return cores_dir(method) + "/" + sample + ".exe";
}

std::string libc_debug_file() {
  auto libc = read_elf_file("/lib/x86_64-linux-gnu/libc.so.6");
  if (!libc || libc->build_id.size() < 4) return {};
  std::string path = "/usr/lib/debug/.build-id/" + libc->build_id.substr(0, 2) + "/" + libc->build_id.substr(2) + ".debug";
  return std::filesystem::exists(path) ? path : std::string();
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string run_command(const std::string& command, int* status) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) {
    if (status) *status = -1;
    return out;
  }
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

std::string comparable_name(const std::string& function) {
  std::string s = function.substr(0, function.find('@'));
  // Cut the parameter list: the first '(' not inside a template argument list.
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    if (s[i] == '>') --depth;
    if (s[i] == '(' && depth == 0 && i > 0 && s.compare(0, 8, "operator") != 0) return s.substr(0, i);
  }
  return s;
}

const Report& sample_report(const std::string& method, const std::string& sample) {
  static std::map<std::string, Report> cache;
  std::string key = method + "/" + sample;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  auto report = analyze_file(core_path(method, sample), options);
  if (!report) {
    ADD_FAILURE() << key << ": " << report.error().message;
    return cache.emplace(key, Report{}).first->second;
  }
  return cache.emplace(key, std::move(*report)).first->second;
}

}  // namespace corelens::testing
