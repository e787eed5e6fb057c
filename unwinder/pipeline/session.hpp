// The pipeline's entry point: open any dump (a user core, compressed or not; a kernel dump in
// any of its formats), analyse it, and keep what the front ends show: the Report, the dump's
// memory, symbol lookups. The CLI and the GUI call nothing else of the analysis.
//
//   file ──► detect ──► user core:   parse ──► locate modules ──► unwind ──► explain ──► Report
//                   └─► kernel dump: parse ──► log, kallsyms, BTF ──► CPU and task stacks ──► Report
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/signature.hpp"
#include "core/file/mapped_file.hpp"
#include "core/model/analyze_options.hpp"
#include "core/model/error.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/report.hpp"
#include "core/model/symbol.hpp"

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
  UnwinderChoice unwinder = UnwinderChoice::dwfl;  // --unwinder
  // Kernel dumps: --vmlinux (else locator.executable), searched for under locator.debug_dirs and
  // by debuginfod as modules are; DWARF CFI before ORC.
  KernelAnalyzeOptions kernel;
};

// A dump opened and analysed: the front ends keep it to show memory, disassembly and the
// Report. Immutable once opened, so any thread may read it. A user core's session and a kernel
// dump's are two implementations of this one interface (unwinder/pipeline/user_session.hpp,
// unwinder/pipeline/kernel/kernel_session.hpp).
//
// Ownership: a Session owns its dump (and through it the mapped file), the files it opened for
// memory reads and symbols, and the Report.
class Session {
 public:
  virtual ~Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Report& report() const { return report_; }
  // User cores: the process's memory (the dump's bytes, and module files where the dump saved
  // none). Kernel dumps: kernel virtual memory, translated through the dump's page tables.
  virtual const MemorySource& memory() const = 0;
  // The symbol containing ADDR, for views that name addresses (call targets, pointers): a user
  // core's modules (the first call loads their symbol tables), a kernel dump's kallsyms.
  virtual std::optional<SymbolHit> symbol_at(std::uint64_t addr) const = 0;
  // The runtime address of the symbol named NAME (raw, not demangled), e.g. "__abort_msg".
  virtual std::optional<std::uint64_t> symbol_address(const std::string& name) const = 0;
  // Kernel dumps: every record of the kernel's log, oldest first (the Report keeps the oops and
  // the tail). Empty for a user core.
  virtual std::vector<KernelLogLine> kernel_log() const { return {}; }

 protected:
  Session() = default;
  Report report_;

 private:
  friend Result<Report> analyze_file(const std::string&, const AnalyzeOptions&);
};

// Fails only when the file is not a dump we can read at all; everything short of that is a
// Report with diagnostics.
Result<std::shared_ptr<const Session>> open_session(const std::string& path, const AnalyzeOptions& options);
// The same for bytes already mapped or in memory (decompressed cores, fuzzers).
Result<std::shared_ptr<const Session>> open_session(std::shared_ptr<const MappedFile> file,
                                                    const AnalyzeOptions& options);
// open_session, keeping only the Report.
Result<Report> analyze_file(const std::string& path, const AnalyzeOptions& options);

}  // namespace corelens
