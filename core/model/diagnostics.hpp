// Diagnostics: what a load could not do, attached to the result instead of failing it.
// Only missing required data fails a load; everything else (a truncated segment, a note with
// a bad size, a module whose file is missing) becomes a Diagnostic the user can read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace corelens {

enum class Severity { info, warning, error };

const char* to_string(Severity severity);

struct Diagnostic {
  Severity severity = Severity::warning;
  // A stable, grep-able identifier ("core-truncated", "note-bad-size", "module-build-id-mismatch").
  std::string code;
  std::string message;
  std::optional<std::uint64_t> where;  // file offset or address, when it helps
};

class Diagnostics {
 public:
  // A hostile file can produce a diagnostic per note; keep the list bounded and say so.
  static constexpr std::size_t kMaxEntries = 1000;

  void add(Severity severity, std::string code, std::string message,
           std::optional<std::uint64_t> where = std::nullopt);
  void info(std::string code, std::string message, std::optional<std::uint64_t> where = std::nullopt) {
    add(Severity::info, std::move(code), std::move(message), where);
  }
  void warn(std::string code, std::string message, std::optional<std::uint64_t> where = std::nullopt) {
    add(Severity::warning, std::move(code), std::move(message), where);
  }
  void error(std::string code, std::string message, std::optional<std::uint64_t> where = std::nullopt) {
    add(Severity::error, std::move(code), std::move(message), where);
  }
  void append(const Diagnostics& other);

  const std::vector<Diagnostic>& entries() const { return entries_; }
  bool has(const std::string& code) const;
  std::size_t dropped() const { return dropped_; }

 private:
  std::vector<Diagnostic> entries_;
  std::size_t dropped_ = 0;
};

}  // namespace corelens
