#include "unwinder/analyze.hpp"

#include <elf.h>

#include "core/signals.hpp"
#include "core/strings.hpp"
#include "parsers/detect.hpp"
#include "parsers/elf_core.hpp"
#include "unwinder/crash_context.hpp"
#include "unwinder/data_file_mappings.hpp"
#include "unwinder/kernel_analyze.hpp"
#include "unwinder/link_map_files.hpp"

namespace corelens {
namespace {

constexpr int kSigStop = 19;

SignalReport signal_report(const SigInfo& s) {
  SignalReport r;
  r.number = s.signo;
  r.name = signal_name(s.signo);
  r.description = signal_description(s.signo);
  r.code = s.code;
  SiCodeText text = describe_si_code(s.signo, s.code);
  r.code_name = text.name;
  r.code_description = text.description;
  r.address = s.address;
  r.sender_pid = s.sender_pid;
  r.sender_uid = s.sender_uid;
  r.errnum = s.errnum;
  return r;
}

ProcessReport process_report(const ProcessDump& dump) {
  ProcessReport p;
  for (const auto& m : dump.modules) {
    if (m.is_main_executable) p.executable = m.path;
  }
  if (p.executable.empty()) {
    if (auto execfn = dump.auxv_value(AT_EXECFN)) {
      if (auto s = dump.memory.read_string(*execfn, 4096)) p.executable = printable(*s);
    }
  }
  if (dump.psinfo) {
    p.command_line = dump.psinfo->psargs;
    p.name = dump.psinfo->fname;
    p.pid = dump.psinfo->pid;
    p.ppid = dump.psinfo->ppid;
    p.uid = dump.psinfo->uid;
    p.gid = dump.psinfo->gid;
  } else if (!dump.threads.empty()) {
    // Without NT_PRPSINFO the first thread's tid is the process id (the kernel dumps the group
    // leader's tgid threads; pr_pid of each is its tid).
    p.pid = dump.threads.front().tid;
    p.ppid = dump.threads.front().ppid;
  }
  return p;
}

void add_frames(DwflBackend& backend, const ProcessDump& dump, const RawStack& raw, ThreadReport& out) {
  std::uint32_t index = 0;
  out.frames.reserve(raw.frames.size());
  for (std::size_t i = 0; i < raw.frames.size(); ++i) {
    const RawFrame& rf = raw.frames[i];
    // A caller's pc is a return address: the call is the instruction before it.
    std::uint64_t lookup = (rf.is_activation || i == 0) ? rf.pc : rf.pc - 1;
    int mi = backend.module_index(lookup);
    const Module* module = mi >= 0 ? &dump.modules[static_cast<std::size_t>(mi)] : nullptr;
    const auto& chain = backend.symbolize(lookup);
    for (std::size_t c = 0; c < chain.size(); ++c) {
      const SymbolizedLocation& loc = chain[c];
      Frame f;
      f.index = index++;
      f.pc = rf.pc;
      f.lookup_pc = lookup;
      f.sp = rf.sp;
      f.trust = loc.inlined ? FrameTrust::inlined : rf.trust;
      f.inlined = loc.inlined;
      f.function = loc.function;
      f.function_offset = loc.function_offset;
      f.file = loc.file;
      f.compilation_dir = loc.compilation_dir;
      f.line = loc.line;
      f.column = loc.column;
      if (module != nullptr) {
        f.module = module->path;
        f.module_offset = lookup - module->load_bias;
      }
      f.signal_frame = !loc.inlined && loc.function == "__restore_rt";
      if (!loc.inlined) f.registers = rf.registers;
      out.frames.push_back(std::move(f));
    }
  }
  out.unwind_status = raw.status;
  out.unwind_complete = raw.complete;
  out.unwinder = raw.unwinder;
}

Error cancelled_error() { return Error{ErrorCode::cancelled, "the analysis was cancelled", std::nullopt}; }

// Forwards progress to the caller's callback and remembers a cancellation, so that every later
// step (and the unwinder's frame loop) sees it.
class ProgressGate {
 public:
  explicit ProgressGate(const ProgressCallback& callback) : callback_(callback) {}
  bool step(std::string_view stage, std::size_t done = 0, std::size_t total = 0) {
    if (!cancelled_ && callback_ && !callback_(AnalyzeProgress{stage, done, total})) cancelled_ = true;
    return !cancelled_;
  }
  bool cancelled() const { return cancelled_; }

 private:
  const ProgressCallback& callback_;
  bool cancelled_ = false;
};

}  // namespace

std::size_t crashed_thread_index(const ProcessDump& dump) {
  if (dump.threads.empty()) return 0;
  int signo = dump.siginfo ? dump.siginfo->signo : 0;
  // gcore: the thread whose own NT_SIGINFO carries the fatal signal.
  for (std::size_t i = 0; i < dump.threads.size(); ++i) {
    const auto& t = dump.threads[i];
    if (t.siginfo && t.siginfo->signo != kSigStop && t.siginfo->signo != 0 &&
        (signo == 0 || t.siginfo->signo == signo)) {
      return i;
    }
  }
  // Kernel cores give every thread the same pr_cursig and put the dumping thread first.
  return 0;
}

Result<std::vector<LocatedModule>> locate_modules(const ProcessDump& dump, const AnalyzeOptions& options) {
  ProgressGate progress(options.progress);
  std::vector<LocatedModule> located;
  located.reserve(dump.modules.size());
  for (const auto& m : dump.modules) {
    // A module can take long (debuginfod downloads it): report before each.
    if (!progress.step("locating module files", located.size(), dump.modules.size())) return unexpected(cancelled_error());
    located.push_back(locate_module(m, dump, options.locator));
  }
  return located;
}

Result<Report> analyze_process(const ProcessDump& dump, const std::string& path, const AnalyzeOptions& options,
                               const std::vector<LocatedModule>& located, const MemorySource& memory) {
  ProgressGate progress(options.progress);
  UnwindLimits limits = options.limits;
  if (options.progress) {
    limits.keep_going = [&progress] { return progress.step("unwinding a deep stack"); };
  }
  Report report;
  report.dump_path = path;
  report.dump_kind = "user-core";
  report.producer = dump.producer;
  report.arch = std::string(to_string(dump.arch));
  report.process = process_report(dump);
  report.notes = dump.notes;
  report.auxv = dump.auxv;
  Diagnostics diags = dump.diagnostics;

  std::size_t crashed = crashed_thread_index(dump);
  if (dump.siginfo) {
    report.signal = signal_report(*dump.siginfo);
  } else if (!dump.threads.empty() && dump.threads[crashed].cursig != 0) {
    SigInfo s;
    s.signo = dump.threads[crashed].cursig;
    report.signal = signal_report(s);
    report.signal->code_name.clear();
    report.signal->code_description = "unknown: the core has no NT_SIGINFO";
  }
  if (!dump.threads.empty()) report.crashed_tid = dump.threads[crashed].tid;

  for (const auto& m : dump.mappings) {
    report.mappings.push_back(MappingReport{m.start, m.end, m.perms(), m.path, m.file_offset, m.saved});
  }

  if (!progress.step("reading symbol tables")) return unexpected(cancelled_error());
  ProcessTarget target(dump, &memory);
  auto backend = DwflBackend::create(target, located, options.locator);
  if (!backend) diags.error("unwinder-unavailable", backend.error().message);
  std::optional<Unwinders> unwinders;  // symbolisation stays with libdwfl, whichever unwinder runs
  if (backend) unwinders.emplace(options.unwinder, target, located, **backend);
  if (unwinders && !unwinders->libunwind_error().empty()) {
    diags.warn("libunwind-unavailable", "libdwfl unwinds instead: " + unwinders->libunwind_error());
  }

  std::vector<std::size_t> order;
  if (!dump.threads.empty()) order.push_back(crashed);
  for (std::size_t i = 0; i < dump.threads.size(); ++i) {
    if (i != crashed) order.push_back(i);
  }
  for (std::size_t i : order) {
    if (!progress.step("unwinding threads", report.threads.size(), order.size())) return unexpected(cancelled_error());
    const Thread& t = dump.threads[i];
    ThreadReport tr;
    tr.tid = t.tid;
    tr.name = t.name;
    if (tr.name.empty() && dump.psinfo && t.tid == dump.psinfo->pid) tr.name = dump.psinfo->fname;
    tr.crashed = i == crashed;
    tr.registers = t.registers.general;
    if (backend) {
      add_frames(**backend, dump, unwinders->unwind(i, t.tid, limits), tr);
      if (progress.cancelled()) return unexpected(cancelled_error());
    } else {
      tr.unwind_status = "not unwound: " + backend.error().message;
    }
    report.threads.push_back(std::move(tr));
    // A thousand threads' stacks would otherwise all stay mapped in: peak memory grows with the
    // thread count (60 MiB of a 1,000-thread core's pages) for bytes already turned into frames.
    if (dump.file && report.threads.size() % 64 == 0) dump.file->release_resident_pages();
  }

  for (std::size_t i = 0; i < dump.modules.size(); ++i) {
    const Module& m = dump.modules[i];
    const LocatedModule& l = located[i];
    ModuleReport mr;
    mr.path = m.path;
    mr.start = m.start;
    mr.end = m.end;
    mr.load_bias = l.load_bias;
    mr.build_id = m.build_id;
    mr.file = l.file;
    mr.file_build_id = l.file_build_id;
    mr.symbols = l.source;
    mr.symbols_note = l.note;
    mr.is_main_executable = m.is_main_executable;
    if (backend && (l.source == SymbolSource::file || l.source == SymbolSource::debuginfod)) {
      std::string debug = (*backend)->debug_file(i);
      if (!debug.empty() && debug != l.file) mr.debug_file = debug;
    }
    if (l.source == SymbolSource::mismatch) {
      diags.warn("module-build-id-mismatch", m.path + ": " + l.note + "; its symbols are not used");
    } else if (l.source == SymbolSource::none && !m.is_vdso) {
      diags.warn("module-file-missing", about(m.path, l.note));
    }
    report.modules.push_back(std::move(mr));
  }
  if (unwinders) report.unwinder_cross_check = unwinders->take_comparisons(diags);
  report.diagnostics = diags.entries();
  if (!progress.step("explaining the crash")) return unexpected(cancelled_error());
  // Why it crashed: reads instructions and glibc's messages through MEMORY (core/analysis).
  report.analysis = run_crash_analysis(dump, report, memory, backend ? backend->get() : nullptr,
                                       options.skip_frames ? &*options.skip_frames : nullptr);
  return report;
}

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
    auto kernel = open_kernel_dump(file, format, kernel_options);
    if (!kernel) {
      Error e = kernel.error();
      e.message = about(path, std::move(e.message));
      return unexpected(e);
    }
    auto session = std::shared_ptr<Session>(new Session());
    auto empty = std::make_shared<ProcessDump>();
    empty->file = file;
    empty->arch = (*kernel)->dump->arch;
    session->dump_ = std::move(empty);
    session->kernel_ = *kernel;
    session->memory_ = (*kernel)->memory;
    session->report_ = kernel_report(**kernel, path);
    session->options_ = options;
    session->options_.progress = nullptr;
    return session;
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
  // Cores without NT_FILE: the executable's headers and the modules' extents from their files.
  complete_modules_from_files(*dump, options.locator);
  drop_data_file_modules(*dump, options.locator);
  auto session = std::shared_ptr<Session>(new Session());
  session->dump_ = std::make_shared<const ProcessDump>(std::move(*dump));
  auto located = locate_modules(*session->dump_, options);
  if (!located) return unexpected(located.error());
  session->located_ = std::move(*located);
  session->memory_ = std::make_unique<ModuleBackedMemory>(session->dump_, session->located_);
  auto report = analyze_process(*session->dump_, path, options, session->located_, *session->memory_);
  if (!report) return unexpected(report.error());
  session->report_ = std::move(*report);
  session->options_ = options;
  session->options_.progress = nullptr;  // the caller's callback must not outlive the call
  return session;
}

DwflBackend* Session::lookup_backend() const {
  if (!lookup_tried_) {
    lookup_tried_ = true;
    lookup_target_ = std::make_unique<ProcessTarget>(*dump_);
    auto backend = DwflBackend::create(*lookup_target_, located_, options_.locator);
    if (backend) lookup_backend_ = std::move(*backend);
  }
  return lookup_backend_.get();
}

std::optional<SymbolHit> Session::symbol_at(std::uint64_t addr) const {
  if (kernel_) {  // kallsyms: immutable once read, no lock needed
    // kallsyms has no sizes: past the last symbol of a region (module space, the direct map
    // above the image) "the last symbol below" is a wrong name, so far offsets are refused.
    constexpr std::uint64_t kMaxKernelSymbolOffset = 1u << 20;
    auto hit = kernel_->symbols.lookup(addr);
    if (!hit || hit->symbol == nullptr || hit->offset > kMaxKernelSymbolOffset) return std::nullopt;
    return SymbolHit{hit->symbol->name, addr - hit->offset, 0};
  }
  std::lock_guard lock(lookup_mutex_);
  DwflBackend* b = lookup_backend();
  return b ? b->symbol_at(addr) : std::nullopt;
}

std::optional<std::uint64_t> Session::symbol_address(const std::string& name) const {
  if (kernel_) return kernel_->symbols.address_of(name);
  std::lock_guard lock(lookup_mutex_);
  DwflBackend* b = lookup_backend();
  return b ? b->symbol_address(name) : std::nullopt;
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
