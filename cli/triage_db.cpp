// `corelens triage --db FILE|URL`: what a triaged dump leaves in the crash history
// (cli/history/: SQLite or PostgreSQL, one transaction per dump, each dump counted once by the
// SHA-256 key of its bytes), and how its frames read on the HTML page.
#include <filesystem>

#include "cli/core_files.hpp"
#include "cli/triage.hpp"

namespace corelens::cli {

history::DumpFacts facts_from_record(const TriageRecord& r) {
  history::DumpFacts f;
  // The child's hash, if it is one (else the recorder hashes the file itself).
  bool hex = r.content_hash.size() == 64 &&
             r.content_hash.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hex) f.content_hash = r.content_hash;
  f.signature_hash = r.signature.hash;
  f.signature = r.signature.readable;
  f.category = r.category;
  f.severity = r.severity;
  f.why = r.why;
  f.top_frames = r.top_frames;
  std::error_code ec;
  f.path = std::filesystem::absolute(r.dump, ec).lexically_normal().string();
  if (ec) f.path = r.dump;
  // When it crashed: systemd-coredump's USEC when the name has one, else the file's mtime (the
  // kernel writes the core as the process dies).
  auto found = consider_core_file(r.dump, true);
  f.crashed_at = history::iso_utc_usec(found ? found->time_usec : 0);
  return f;
}

std::string frame_line(const Frame& f) {
  std::string s = (f.module.empty() ? std::string("?") : std::filesystem::path(f.module).filename().string()) + "!" +
                  (f.function.empty() ? "??" : f.function);
  if (f.inlined) s += " [inlined]";
  if (!f.file.empty()) s += "  " + f.file + (f.line != 0 ? ":" + std::to_string(f.line) : "");
  return s;
}

}  // namespace corelens::cli
