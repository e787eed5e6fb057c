// Crash signatures: "the same crash" as a stable bucket. The crashing thread's frames, minus the
// frames every crash of a kind shares (raise, abort, __assert_fail, the C++ terminate machinery,
// libc's start-up frames ... see skip_frames.txt), as module!function without addresses, plus
// the category; readable, and hashed into 16 hex digits.
//
// The hash is FNV-1a 64, written here: it buckets, it does not authenticate, so a cryptographic
// hash (and a crypto library dependency in core) buys nothing. Its input is the frames' exact
// demangled names (CrashSignature::frames), never the readable form shown, so that folding names
// for people (readable_names.hpp) cannot move a crash to another bucket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/error.hpp"
#include "core/model/report.hpp"

namespace corelens {

// Patterns of function names to skip: "abort" (exact), "__GI_*" (prefix), "*_impl" (suffix).
// Compared with the function's name without its parameter list ("std::terminate()" ->
// "std::terminate").
class SkipList {
 public:
  static const SkipList& builtin();  // skip_frames.txt, compiled in
  // One pattern per line; '#' starts a comment; blank lines are ignored.
  static SkipList parse(std::string_view text);
  static Result<SkipList> load(const std::string& path);
  void add(std::string pattern) { patterns_.push_back(std::move(pattern)); }
  bool matches(std::string_view function) const;
  const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  std::vector<std::string> patterns_;
};

inline constexpr std::size_t kSignatureFrames = 5;

// "f(int)" -> "f"; "std::terminate()" -> "std::terminate"; keeps template arguments.
std::string function_base_name(std::string_view function);
// "libc.so.6!abort"; "??" for an unknown function outside every module.
std::string frame_token(const Frame& frame);

CrashSignature make_signature(const ThreadReport& crashed, const std::string& category, const SkipList& skip);
std::uint64_t fnv1a64(std::string_view text);

// Threads with identical stacks (by frame_token), groups of two or more, biggest first.
std::vector<ThreadGroup> group_threads(const std::vector<ThreadReport>& threads);

}  // namespace corelens
