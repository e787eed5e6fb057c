// A user core's session: the parsed core, where each module's file was found, the process's
// memory, and the Report of every thread's stack and why the process died.
//
// Ownership: owns the ProcessDump (and through it the mapped core), the module files mapped for
// memory reads (ModuleBackedMemory) and, once a symbol is first looked up, a libdwfl session over
// the same files; the Report is a plain value.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model/process.hpp"
#include "unwinder/dwfl_backend.hpp"
#include "unwinder/module_locator.hpp"
#include "unwinder/pipeline/session.hpp"
#include "unwinder/target.hpp"

namespace corelens {

class UserSession final : public Session {
 public:
  // FILE is an ELF user core (decompressed already; DECOMPRESSED_FROM names the compression it
  // came in, or is empty). Fails when the core cannot be parsed at all, or on cancellation.
  static Result<std::shared_ptr<const UserSession>> open(std::shared_ptr<const MappedFile> file,
                                                         const AnalyzeOptions& options,
                                                         const std::string& decompressed_from);

  // A process already read into the model (a live process, parsers/live/live_process.hpp): the same
  // steps from locating the modules on. PATH names it in the Report ("process 1234").
  static Result<std::shared_ptr<UserSession>> from_dump(ProcessDump dump, const AnalyzeOptions& options,
                                                         const std::string& path);

  const ProcessDump& dump() const { return *dump_; }
  const std::vector<LocatedModule>& located_modules() const { return located_; }
  const MemorySource& memory() const override { return *memory_; }
  std::optional<SymbolHit> symbol_at(std::uint64_t addr) const override;
  std::optional<std::uint64_t> symbol_address(const std::string& name) const override;

 private:
  UserSession() = default;
  friend Result<std::shared_ptr<const Session>> open_process(int pid, const AnalyzeOptions& options);
  // Created on first use (serialised by lookup_mutex_: libdwfl is not thread-safe); null if it
  // cannot be.
  DwflBackend* lookup_backend() const;

  std::shared_ptr<const ProcessDump> dump_;
  std::vector<LocatedModule> located_;
  std::shared_ptr<const MemorySource> memory_;
  LocatorOptions locator_;
  mutable std::mutex lookup_mutex_;
  mutable std::unique_ptr<ProcessTarget> lookup_target_;
  mutable std::unique_ptr<DwflBackend> lookup_backend_;
  mutable bool lookup_tried_ = false;
};

// The steps of a user core's analysis, for the session and for tests that run one alone.
// Locates every module's file (see module_locator.hpp). Fails only when OPTIONS.progress cancels.
Result<std::vector<LocatedModule>> locate_modules(const ProcessDump& dump, const AnalyzeOptions& options);
// Unwinds and symbolises every thread, and describes process, signal, mappings and modules.
// Fails only when OPTIONS.progress cancels.
Result<Report> analyze_process(const ProcessDump& dump, const std::string& path, const AnalyzeOptions& options,
                               const std::vector<LocatedModule>& located, const MemorySource& memory);
// Which thread received the fatal signal: kernel cores list it first; gcore marks it with its
// own NT_SIGINFO while the others show SIGSTOP.
std::size_t crashed_thread_index(const ProcessDump& dump);

}  // namespace corelens
