#include "unwinder/pipeline/session.hpp"

#include "core/model/strings.hpp"
#include "parsers/compressed.hpp"
#include "parsers/detect.hpp"
#include "unwinder/pipeline/kernel/kernel_session.hpp"
#include "unwinder/pipeline/user_session.hpp"

namespace corelens {

Result<std::shared_ptr<const Session>> open_session(const std::string& path, const AnalyzeOptions& options) {
  auto file = MappedFile::open(path);
  if (!file) return unexpected(file.error());
  return open_session(*file, options);
}

Result<std::shared_ptr<const Session>> open_session(std::shared_ptr<const MappedFile> file,
                                                    const AnalyzeOptions& options) {
  const std::string path = file->path();
  DumpFormat format = detect_format(file->bytes());
  std::string decompressed_from;  // systemd-coredump's .zst/.xz/.lz4: decompressed once, then as any core
  if (format == DumpFormat::compressed) {
    decompressed_from = std::string(to_string(detect_compression(file->bytes())));
    auto plain = decompress(*file, options.decompress);
    if (!plain) return unexpected(plain.error());
    file = std::move(*plain);
    format = detect_format(file->bytes());
    if (format == DumpFormat::compressed) {
      return fail(ErrorCode::unsupported, path + ": compressed twice; decompress it once by hand first");
    }
  }
  if (is_kernel_format(format)) {
    // Kernel dumps: no process, no modules; the Report's kernel section tells the story.
    KernelAnalyzeOptions kernel_options = options.kernel;
    VmlinuxOptions& v = kernel_options.vmlinux;
    if (v.vmlinux.empty()) v.vmlinux = options.locator.executable;  // `corelens vmlinux vmcore`, as crash takes them
    if (v.debug_dirs.empty()) v.debug_dirs = options.locator.debug_dirs;
    v.use_debuginfod = v.use_debuginfod || options.locator.use_debuginfod;
    auto kernel = KernelDumpSession::open(file, format, kernel_options, options.progress);
    if (!kernel) return unexpected(kernel.error());
    return std::shared_ptr<const Session>(std::move(*kernel));
  }
  switch (format) {
    case DumpFormat::elf_user_core: break;
    case DumpFormat::unknown:
      if (file->size() == 0) return fail(ErrorCode::not_a_dump, path + ": the file is empty");
      return fail(ErrorCode::not_a_dump, path + ": not a core dump (not an ELF file)");
    default:
      return fail(ErrorCode::unsupported, path + ": a " + std::string(to_string(format)) +
                                              ", which this version cannot read yet");
  }
  auto user = UserSession::open(file, options, decompressed_from);
  if (!user) return unexpected(user.error());
  return std::shared_ptr<const Session>(std::move(*user));
}

Result<Report> analyze_file(const std::string& path, const AnalyzeOptions& options) {
  auto opened = open_session(path, options);
  if (!opened) return unexpected(opened.error());
  std::shared_ptr<const Session> session = std::move(*opened);
  // Nobody else holds this Session: take its Report rather than copy it (a 260,000-frame report
  // is hundreds of MiB). Sessions are created non-const, so the cast is sound.
  if (session.use_count() == 1) return std::move(const_cast<Session&>(*session).report_);
  return session->report();
}

}  // namespace corelens
