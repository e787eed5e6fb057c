#include "core/model/diagnostics.hpp"

#include <algorithm>

namespace corelens {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "unknown";
}

void Diagnostics::add(Severity severity, std::string code, std::string message,
                      std::optional<std::uint64_t> where) {
  if (entries_.size() >= kMaxEntries) {
    ++dropped_;
    return;
  }
  entries_.push_back(Diagnostic{severity, std::move(code), std::move(message), where});
}

void Diagnostics::append(const Diagnostics& other) {
  for (const auto& d : other.entries_) add(d.severity, d.code, d.message, d.where);
  dropped_ += other.dropped_;
}

bool Diagnostics::has(const std::string& code) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Diagnostic& d) { return d.code == code; });
}

}  // namespace corelens
