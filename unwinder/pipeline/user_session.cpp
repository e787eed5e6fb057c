#include "unwinder/pipeline/user_session.hpp"

#include "core/model/strings.hpp"
#include "parsers/elf_core.hpp"
#include "unwinder/data_file_mappings.hpp"
#include "unwinder/link_map_files.hpp"
#include "unwinder/module_memory.hpp"
#include "unwinder/pipeline/progress.hpp"

namespace corelens {

Result<std::shared_ptr<const UserSession>> UserSession::open(std::shared_ptr<const MappedFile> file,
                                                             const AnalyzeOptions& options,
                                                             const std::string& decompressed_from) {
  const std::string path = file->path();
  if (options.progress && !options.progress(AnalyzeProgress{"reading the dump", 0, 0})) {
    return unexpected(cancelled_error());
  }
  auto dump = parse_elf_core(file);
  if (!dump) {
    Error e = dump.error();
    e.message = about(path, std::move(e.message));
    return unexpected(e);
  }
  if (!decompressed_from.empty()) {
    dump->diagnostics.info("decompressed", "the core was " + decompressed_from + "-compressed; " +
                                               std::to_string(file->size()) + " bytes decompressed");
  }
  auto session = from_dump(std::move(*dump), options, path);
  if (!session) return unexpected(session.error());
  return std::shared_ptr<const UserSession>(std::move(*session));
}

Result<std::shared_ptr<UserSession>> UserSession::from_dump(ProcessDump dump, const AnalyzeOptions& options,
                                                            const std::string& path) {
  // Cores without NT_FILE: the executable's headers and the modules' extents from their files.
  complete_modules_from_files(dump, options.locator);
  drop_data_file_modules(dump, options.locator);
  auto session = std::shared_ptr<UserSession>(new UserSession());
  session->dump_ = std::make_shared<const ProcessDump>(std::move(dump));
  auto located = locate_modules(*session->dump_, options);
  if (!located) return unexpected(located.error());
  session->located_ = std::move(*located);
  session->memory_ = std::make_unique<ModuleBackedMemory>(session->dump_, session->located_);
  auto report = analyze_process(*session->dump_, path, options, session->located_, *session->memory_);
  if (!report) return unexpected(report.error());
  session->report_ = std::move(*report);
  session->locator_ = options.locator;  // not the progress callback: it must not outlive the call
  return session;
}

DwflBackend* UserSession::lookup_backend() const {
  if (!lookup_tried_) {
    lookup_tried_ = true;
    lookup_target_ = std::make_unique<ProcessTarget>(*dump_);
    auto backend = DwflBackend::create(*lookup_target_, located_, locator_);
    if (backend) lookup_backend_ = std::move(*backend);
  }
  return lookup_backend_.get();
}

std::optional<SymbolHit> UserSession::symbol_at(std::uint64_t addr) const {
  std::lock_guard lock(lookup_mutex_);
  DwflBackend* b = lookup_backend();
  return b ? b->symbol_at(addr) : std::nullopt;
}

std::optional<std::uint64_t> UserSession::symbol_address(const std::string& name) const {
  std::lock_guard lock(lookup_mutex_);
  DwflBackend* b = lookup_backend();
  return b ? b->symbol_address(name) : std::nullopt;
}

}  // namespace corelens
