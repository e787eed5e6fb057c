// Fuzz target: the whole `corelens analyze` path on one input: detection, parsing, locating the
// module files the input names (only inside an empty sysroot: a fuzzer must not read the host's
// files as if they were the dump's), unwinding with libdwfl, symbolisation, JSON and text output.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/report/json_report.hpp"
#include "core/report/text_report.hpp"
#include "unwinder/pipeline/session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size != 0) std::memcpy(bytes.data(), data, size);
  corelens::AnalyzeOptions options;
  options.locator.sysroot = "/nonexistent-corelens-fuzz-sysroot";
  options.limits.max_frames = 4096;
  auto session = corelens::open_session(corelens::MappedFile::from_memory("fuzz", std::move(bytes)), options);
  if (session) {
    (void)corelens::report_to_json((*session)->report());
    (void)corelens::report_to_text((*session)->report());
  }
  return 0;
}
