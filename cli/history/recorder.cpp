// The `--db` recorder shared by triage, collect and run (recorder.hpp).
#include "cli/history/recorder.hpp"

#include "cli/history/content_hash.hpp"
#include "core/analysis/signature.hpp"

namespace corelens::cli::history {

Result<Recorder> Recorder::open(const std::string& target) {
  auto store = HistoryStore::open(target);
  if (!store) return unexpected(store.error());
  return Recorder(std::move(*store));
}

void Recorder::record(const std::string& core, DumpFacts facts) {
  if (error_ || facts.signature_hash.empty()) return;
  if (facts.content_hash.empty()) {
    auto hash = content_key(core);
    if (!hash) {
      error_ = hash.error();
      return;
    }
    facts.content_hash = *hash;
  }
  auto r = store_.record(facts);
  if (!r) {
    error_ = r.error();
    return;
  }
  readable_[facts.signature_hash] = facts.signature;
  if (r->counted) ++counted_[facts.signature_hash];
  if (r->new_signature) created_.insert(facts.signature_hash);
}

std::int64_t Recorder::counted(const std::string& signature_hash) const {
  auto it = counted_.find(signature_hash);
  return it == counted_.end() ? 0 : it->second;
}

std::string Recorder::summary() {
  std::string out;
  for (const auto& [hash, readable] : readable_) {
    if (created(hash)) {
      out += "NEW    " + readable + "\n";
      continue;
    }
    auto state = store_.signature(hash);
    out += "KNOWN  " + readable;
    if (state && *state) {
      out += " (first seen " + (*state)->first_seen + ", " + std::to_string((*state)->total_count) + " in all)";
    }
    out += "\n";
  }
  return out;
}

DumpFacts facts_from_report(const Report& report, const std::string& path, std::int64_t crashed_at_usec) {
  DumpFacts f;
  f.path = path;
  f.crashed_at = iso_utc_usec(crashed_at_usec);
  if (report.analysis) {
    const CrashAnalysis& a = *report.analysis;
    f.signature_hash = a.signature.hash;
    f.signature = a.signature.readable;
    f.category = a.classification.category;
    f.severity = a.classification.severity;
    f.why = a.why;
  }
  for (const auto& t : report.threads) {
    if (!t.crashed) continue;
    for (const auto& frame : t.frames) {
      if (f.top_frames.size() >= 8) break;
      f.top_frames.push_back(frame_token(frame));
    }
    break;
  }
  return f;
}

}  // namespace corelens::cli::history
