// The pipeline's progress reports and cancellation, shared by the user-core and kernel-dump
// sessions (AnalyzeOptions::progress, unwinder/pipeline/session.hpp).
#pragma once

#include <cstddef>
#include <string_view>

#include "unwinder/pipeline/session.hpp"

namespace corelens {

inline Error cancelled_error() { return Error{ErrorCode::cancelled, "the analysis was cancelled", std::nullopt}; }

// Forwards progress to the caller's callback and remembers a cancellation, so that every later
// step (and the unwinder's frame loop) sees it.
class ProgressGate {
 public:
  explicit ProgressGate(const ProgressCallback& callback) : callback_(callback) {}
  bool step(std::string_view stage, std::size_t done = 0, std::size_t total = 0) {
    if (!cancelled_ && callback_ && !callback_(AnalyzeProgress{stage, done, total})) cancelled_ = true;
    return !cancelled_;
  }
  bool cancelled() const { return cancelled_; }

 private:
  const ProgressCallback& callback_;
  bool cancelled_ = false;
};

}  // namespace corelens
