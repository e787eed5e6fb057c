// Which unwinder walks the threads (corelens analyze --unwinder):
//   dwfl         libdwfl (the default);
//   libunwind    libunwind alone;
//   auto         libdwfl, and per thread libunwind where libdwfl's stack is incomplete and
//                libunwind gets further (the thread then says so: unwinder and status);
//   cross-check  both; the report shows libdwfl's stacks and, thread by thread, where
//                libunwind's differ (a section of the report and a diagnostic per thread).
// Both backends share the stop rules and fallbacks (unwind_rules.hpp), so a difference means
// their CFI interpreters, or the unwind information they could read, differ.
//
// Ownership: holds references to the Target and the DwflBackend (which symbolises the frames of
// every backend); both must outlive it. It owns the LibunwindBackend it creates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/analyze_options.hpp"
#include "core/model/diagnostics.hpp"
#include "core/model/report.hpp"
#include "unwinder/dwfl_backend.hpp"
#include "unwinder/libunwind_backend.hpp"
#include "unwinder/raw_stack.hpp"

namespace corelens {

std::optional<UnwinderChoice> parse_unwinder_choice(std::string_view text);  // "dwfl", "auto", ...
std::string_view to_string(UnwinderChoice choice);

// How two stacks of one thread compare (function names left empty).
UnwinderComparison compare_stacks(std::int32_t tid, const RawStack& dwfl, const RawStack& libunwind);

class Unwinders {
 public:
  Unwinders(UnwinderChoice choice, const Target& target, const std::vector<LocatedModule>& located,
            DwflBackend& dwfl);
  // Why libunwind could not be used (when the choice needs it), or "".
  const std::string& libunwind_error() const { return libunwind_error_; }
  // The stack to report for thread INDEX (whose tid is TID).
  RawStack unwind(std::size_t index, std::int32_t tid, const UnwindLimits& limits);
  // cross-check: every thread's comparison, with the functions at each difference named, and a
  // warning in DIAGS for each thread whose stacks disagree. Empty for the other choices.
  std::vector<UnwinderComparison> take_comparisons(Diagnostics& diags);

 private:
  UnwinderChoice choice_;
  DwflBackend& dwfl_;
  std::unique_ptr<LibunwindBackend> libunwind_;
  std::string libunwind_error_;
  std::vector<UnwinderComparison> comparisons_;
};

}  // namespace corelens
