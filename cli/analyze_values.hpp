// `corelens analyze` with values: the frame lines' arguments (text), --locals (text and JSON),
// --print EXPR. The dump is opened as a Session, whose memory the values engine reads while the
// report is written, one frame at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/report/text_report.hpp"
#include "unwinder/pipeline/user_session.hpp"

namespace corelens::cli {

struct ValueRequest {
  bool locals = false;               // --locals
  int depth = 1;                     // --depth N
  bool raw = false;                  // --raw: no printers, every value as DWARF lays it out
  std::optional<std::string> print;  // --print EXPR
  std::size_t frame = 0;             // --frame N
  std::optional<std::int32_t> tid;   // --thread TID (default: the crashed thread)
};

// Writes the report of CORE (FORMAT "text" or "json") with values, or --print's value, to FD.
// Returns the exit code (errors on stderr).
int analyze_with_values(const std::string& core, const AnalyzeOptions& analyze, const std::string& format,
                        TextOptions text, const ValueRequest& request, int fd);
// The same for a session already open: a live process's (`--pid`), read like a core.
int write_with_values(const Session& session, const std::string& format, TextOptions text,
                      const ValueRequest& request, int fd);

}  // namespace corelens::cli
