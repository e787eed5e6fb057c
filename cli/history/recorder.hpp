// `--db` of triage, collect and run: each analysed dump goes to the crash history as soon as it
// is analysed (one transaction per dump), and at the end the command can say, per signature,
// whether it is NEW (this process inserted it) or KNOWN, with its first seen and its count.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "cli/history/history_store.hpp"
#include "core/model/report.hpp"

namespace corelens::cli::history {

class Recorder {
 public:
  // Connects and creates or upgrades the schema: done before any analysis, so a wrong URL or a
  // missing grant fails in a second, not after an hour of dumps.
  static Result<Recorder> open(const std::string& target);

  // Records the dump in the file CORE under FACTS' signature, hashing CORE unless
  // FACTS.content_hash is already known (triage's children hash their dump in parallel).
  // After the first failure (the database went away ...) nothing more is recorded and error()
  // says why; the analysis itself goes on.
  void record(const std::string& core, DumpFacts facts);

  // How this process's dumps of the signature went: NEW if one of its transactions inserted it.
  bool created(const std::string& signature_hash) const { return created_.contains(signature_hash); }
  // Dumps of the signature this process counted (its others were in the history already).
  std::int64_t counted(const std::string& signature_hash) const;
  Result<std::optional<SignatureState>> state(const std::string& signature_hash) { return store_.signature(signature_hash); }
  Result<std::vector<SignatureHistory>> read(const std::string& since) { return store_.read(since); }

  const std::optional<Error>& error() const { return error_; }
  const std::string& where() const { return store_.where(); }

  // One line per signature this process recorded: "NEW    readable" or "KNOWN  readable (first
  // seen ..., N in all)", for collect and run's summaries on stderr.
  std::string summary();

 private:
  explicit Recorder(HistoryStore store) : store_(std::move(store)) {}
  HistoryStore store_;
  std::set<std::string> created_;
  std::map<std::string, std::int64_t> counted_;
  std::map<std::string, std::string> readable_;  // the signatures seen, in hash order
  std::optional<Error> error_;
};

// The facts of a Report (collect, run): its signature, explanation and the crashing thread's
// first frames. PATH is how the dump is to be found; CRASHED_AT_USEC when it crashed.
DumpFacts facts_from_report(const Report& report, const std::string& path, std::int64_t crashed_at_usec);

}  // namespace corelens::cli::history
