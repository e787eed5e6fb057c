// A user core's Report: every thread unwound and symbolised, the process, the signal, the
// mappings and modules, and why it crashed (core/analysis, through crash_context.hpp).
#include <elf.h>

#include "core/analysis/readable_report.hpp"
#include "core/model/signals.hpp"
#include "core/model/strings.hpp"
#include "unwinder/debuginfod_budget.hpp"
#include "unwinder/pipeline/crash_context.hpp"
#include "unwinder/pipeline/progress.hpp"
#include "unwinder/pipeline/symbol_doctor.hpp"
#include "unwinder/pipeline/user_session.hpp"
#include "unwinder/unwinder_choice.hpp"

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
      f.trust = rf.trust;
      f.origin = rf.origin;
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
  out.unwind = raw.status;
  out.unwinder = raw.unwinder;
}

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
  LocatorOptions local = options.locator;
  local.use_debuginfod = false;
  for (const auto& m : dump.modules) {
    // A module can take long (debuginfod downloads it): report before each.
    if (!progress.step("locating module files", located.size(), dump.modules.size())) return unexpected(cancelled_error());
    located.push_back(locate_module(m, dump, local));
  }
  // debuginfod for all of them at once, within the budget (debuginfod_budget.hpp).
  fetch_missing_from_debuginfod(dump, located, options.locator, [&progress](std::size_t done, std::size_t total) {
    return progress.step("fetching from debuginfod", done, total);
  });
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
  // A live process, or a snapshot with no signal at all: no thread crashed.
  bool no_signal = !report.signal || report.signal->number == 0;
  if (!dump.threads.empty() && !no_signal) report.crashed_tid = dump.threads[crashed].tid;

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

  // A cold core: ask for every thread's stack pages at once, so the walk below finds them read
  // in, or in flight, instead of faulting them in one at a time (2,000 serial reads for a
  // 1,000-thread core). Holes are left out; the bytes above the stack pointer are what the walk
  // reads first.
  constexpr std::uint64_t kStackPrefetch = 64 * 1024;
  for (const Thread& t : dump.threads) {
    if (auto sp = t.registers.get(sp_register(dump.arch))) dump.memory.prefetch(*sp, kStackPrefetch);
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
    tr.crashed = i == crashed && report.crashed_tid.has_value();
    tr.registers = t.registers.general;
    if (backend) {
      add_frames(**backend, dump, unwinders->unwind(i, t.tid, limits), tr);
      if (progress.cancelled()) return unexpected(cancelled_error());
    } else {
      tr.unwind = UnwindStatus::stopped(StopReason::not_unwound, "not unwound: " + backend.error().message);
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
  // Names as people write them, once the signature is hashed over the exact ones.
  make_names_readable(report);
  // Which package a file came from is asked of the root the files came from.
  diagnose_symbols(report, options.locator.sysroot + "/var/lib/dpkg/info");
  return report;
}

}  // namespace corelens
