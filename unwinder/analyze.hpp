// The whole analysis of a dump file: open, detect, parse, locate module files, unwind every
// thread, symbolise, and assemble the immutable Report that the CLI and the GUI present.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/signature.hpp"
#include "core/error.hpp"
#include "core/report.hpp"
#include "parsers/compressed.hpp"
#include "unwinder/dwfl_backend.hpp"
#include "unwinder/kernel_analyze.hpp"
#include "unwinder/module_locator.hpp"
#include "unwinder/module_memory.hpp"
#include "unwinder/unwinder_choice.hpp"

namespace corelens {

// Where open_session has got to, for a front end's progress bar.
struct AnalyzeProgress {
  std::string_view stage;  // "locating module files", "unwinding threads", ...: words for a person
  std::size_t done = 0;
  std::size_t total = 0;   // 0: this stage has no count
};
// Called on the analysing thread between steps (and every few thousand frames of a deep stack).
// Returning false cancels: open_session stops at its next step and fails with
// ErrorCode::cancelled. Must be cheap and thread-safe with respect to whatever it touches.
using ProgressCallback = std::function<bool(const AnalyzeProgress&)>;

struct AnalyzeOptions {
  LocatorOptions locator;
  UnwindLimits limits;
  DecompressOptions decompress;         // zstd/xz/lz4 cores: output cap and temporary directory
  std::optional<SkipList> skip_frames;  // frames left out of crash signatures; unset: built-in
  ProgressCallback progress;            // unset: no reports, no cancellation
  UnwinderChoice unwinder = UnwinderChoice::dwfl;  // --unwinder (see unwinder_choice.hpp)
  // Kernel dumps: --vmlinux (else locator.executable), searched for under locator.debug_dirs and
  // by debuginfod as modules are; DWARF CFI before ORC.
  KernelAnalyzeOptions kernel;
};

// A dump opened and analysed: the front ends keep it to show memory, disassembly and the
// Report. Immutable once opened, so any thread may read it.
//
// Ownership: owns the dump (and through it the mapped file), the module files mapped for
// memory reads, and the Report. A kernel dump's Session owns its KernelSession instead; its
// ProcessDump is empty.
class Session {
 public:
  const ProcessDump& dump() const { return *dump_; }
  const Report& report() const { return report_; }
  // User cores: the process's memory (the dump's bytes, and module files where the dump saved
  // none). Kernel dumps: kernel virtual memory, translated through the dump's page tables.
  const MemorySource& memory() const { return *memory_; }
  // Kernel dumps only (null for a user core): the log, kallsyms, the physical memory.
  const KernelSession* kernel() const { return kernel_.get(); }
  const std::vector<LocatedModule>& located_modules() const { return located_; }

  // Symbol lookups for views that name addresses (call targets, pointers). Serialised by a
  // mutex: libdwfl is not thread-safe. The first call loads the module files' symbol tables.
  std::optional<SymbolHit> symbol_at(std::uint64_t addr) const;
  std::optional<std::uint64_t> symbol_address(const std::string& name) const;

 private:
  DwflBackend* lookup_backend() const;  // created on first use; null if it cannot be
  friend Result<std::shared_ptr<const Session>> open_session(std::shared_ptr<const MappedFile>,
                                                             const AnalyzeOptions&);
  friend Result<Report> analyze_file(const std::string&, const AnalyzeOptions&);
  std::shared_ptr<const ProcessDump> dump_;
  std::vector<LocatedModule> located_;
  std::shared_ptr<const MemorySource> memory_;
  std::shared_ptr<const KernelSession> kernel_;
  Report report_;
  AnalyzeOptions options_;
  mutable std::mutex lookup_mutex_;
  mutable std::unique_ptr<ProcessTarget> lookup_target_;
  mutable std::unique_ptr<DwflBackend> lookup_backend_;
  mutable bool lookup_tried_ = false;
};

// Fails only when the file is not a dump we can read at all; everything short of that is a
// Report with diagnostics.
Result<std::shared_ptr<const Session>> open_session(const std::string& path, const AnalyzeOptions& options);
// The same for bytes already mapped or in memory (decompressed cores, fuzzers).
Result<std::shared_ptr<const Session>> open_session(std::shared_ptr<const MappedFile> file,
                                                    const AnalyzeOptions& options);
Result<Report> analyze_file(const std::string& path, const AnalyzeOptions& options);

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
