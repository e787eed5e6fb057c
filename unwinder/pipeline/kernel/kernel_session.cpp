#include "unwinder/pipeline/kernel/kernel_session.hpp"

#include "core/analysis/signature.hpp"
#include "core/model/strings.hpp"
#include "parsers/kernel/kdump_compressed.hpp"
#include "parsers/kernel/kdump_flattened.hpp"
#include "parsers/kernel/ksymtab_search.hpp"
#include "parsers/kernel/vmcore_elf.hpp"
#include "unwinder/kernel/module_dwarf.hpp"
#include "unwinder/pipeline/progress.hpp"

namespace corelens {
namespace {

constexpr std::size_t kLogTail = 40;

}  // namespace
extern const char* const kKernelPanicFrames;  // kernel_panic_frames.txt, compiled in
namespace {

const SkipList& panic_machinery() {
  static const SkipList list = SkipList::parse(kKernelPanicFrames);
  return list;
}

// The frame the panic is about: the first below the last frame of the panic machinery, looking no
// further than the first context an exception saved (where a fault interrupted the code that
// faulted). Frame 0 when the stack has none of the machinery.
std::optional<std::uint32_t> panic_frame(const StackReport& t) {
  if (t.frames.empty()) return std::nullopt;
  std::size_t at = 0;
  for (std::size_t i = 0; i < t.frames.size(); ++i) {
    const Frame& f = t.frames[i];
    if (f.is_user_context() || f.trust == FrameTrust::scan) break;
    bool interrupted = i > 0 && f.lookup_pc == f.pc && t.frames[i - 1].pc != f.pc;
    if (interrupted && at != 0) break;
    if (!f.function.empty() && panic_machinery().matches(f.function)) at = i + 1;
  }
  if (at >= t.frames.size() || t.frames[at].is_user_context()) at = 0;
  return static_cast<std::uint32_t>(at);
}

KernelLogLine log_line(const LogRecord& r) {
  std::string line = format_log_line(r);
  std::size_t text_at = line.find("] ");
  line = text_at == std::string::npos ? line : line.substr(text_at + 2);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return KernelLogLine{r.seq, r.ts_nsec, line};
}

// Finds the vmlinux (its build-id checked), the KASLR offset that maps its addresses onto the
// dump's, and its symbol table where kallsyms could not be read.
void open_vmlinux(KernelSession& s, const VmlinuxOptions& options) {
  const VmcoreInfo& vi = s.dump->vmcoreinfo;
  if (options.vmlinux.empty() && options.debug_dirs.empty() && !options.use_debuginfod) return;
  std::string release = vi.osrelease().empty() ? s.dump->header_release : vi.osrelease();
  LocatedVmlinux found = locate_vmlinux(release, vi.build_id(), options);
  s.vmlinux_info.source = to_string(found.source);
  s.vmlinux_info.note = found.note;
  for (const auto& r : found.rejected) {
    s.diagnostics.warn("vmlinux-build-id-mismatch", r + ": a vmlinux of another build; its DWARF is not used");
  }
  if (!found.vmlinux) {
    if (!options.vmlinux.empty() && found.rejected.empty()) s.diagnostics.warn("vmlinux-unusable", found.note);
    return;
  }
  s.vmlinux = std::move(found.vmlinux);
  s.vmlinux_info.file = s.vmlinux->path();
  s.vmlinux_info.build_id = s.vmlinux->build_id();
  if (auto off = vi.kernel_offset()) {
    s.kernel_offset = *off;
  } else if (auto ours = s.symbols.address_of("_stext"), theirs = s.vmlinux->symbol_address("_stext"); ours && theirs) {
    s.kernel_offset = *ours - *theirs;  // kernels before KERNELOFFSET was in VMCOREINFO
  }
  if (s.symbols.empty()) {
    s.symbols.assign(s.vmlinux->symbols(s.kernel_offset));
    if (!s.symbols.empty()) {
      s.symbols_from = "vmlinux";
      s.diagnostics.info("symbols-from-vmlinux", "kallsyms could not be read: symbols from " + s.vmlinux->path() +
                                                     "'s .symtab, moved by the KASLR offset " + hex(s.kernel_offset));
    }
  }
}

// Exported data the dump reader needs, for a kernel whose kallsyms names functions only.
void add_exported_symbols(KernelSession& s) {
  auto stext = s.symbols.address_of("_stext");
  if (s.symbols.empty() || s.symbols.address_of("init_task") || !stext) return;
  auto found = find_exported_symbols(*s.memory, *stext, {"init_task", "__per_cpu_offset", "cpu_number", "nr_cpu_ids"});
  if (found.empty()) {
    s.diagnostics.info("ksymtab-missing", "kallsyms names no data (a kernel without KALLSYMS_ALL) and the exported "
                                          "symbols could not be found in the image: no tasks or per-cpu data");
    return;
  }
  std::string names;
  for (const auto& sym : found) names += (names.empty() ? "" : ", ") + sym.name;
  s.diagnostics.info("ksymtab-found", "kallsyms names no data (a kernel without KALLSYMS_ALL): " + names +
                                          " from the kernel's exported-symbol table");
  s.symbols.add(std::move(found));
}

// Without panic_cpu (kallsyms without data): the CPU whose stack runs through panic() or
// crash_kexec(), found by unwinding its own memory.
void panic_cpu_from_stacks(KernelSession& s) {
  static constexpr std::string_view kPanicking[] = {"panic", "vpanic", "__crash_kexec", "crash_kexec", "nmi_panic"};
  for (std::size_t i = 0; i < s.stacks.size() && i < s.dump->cpus.size(); ++i) {
    for (const auto& f : s.stacks[i].frames) {
      if (f.trust == FrameTrust::scan) continue;  // a stale word, or a call inlined in one
      if (std::find(std::begin(kPanicking), std::end(kPanicking), f.function) != std::end(kPanicking)) {
        s.facts.panic_cpu = s.dump->cpus[i].index;
        s.facts.panic_cpu_from = "its stack (runs through " + f.function + "; panic_cpu is not in kallsyms)";
        return;
      }
    }
  }
}

}  // namespace

Result<std::shared_ptr<const KernelSession>> open_kernel_dump(std::shared_ptr<const MappedFile> file, DumpFormat format,
                                                              const KernelAnalyzeOptions& options,
                                                              const ProgressCallback& progress_callback) {
  Result<KernelDump> dump = fail(ErrorCode::internal, "unreachable");
  if (format == DumpFormat::elf_kernel_core) {
    dump = parse_vmcore_elf(file);
  } else if (format == DumpFormat::kdump_compressed) {
    dump = parse_kdump_compressed(file);
  } else if (format == DumpFormat::kdump_flattened) {
    auto plain = unflatten_kdump(*file);
    if (!plain) return unexpected(plain.error());
    dump = parse_kdump_compressed(*plain);
    if (dump) dump->format = "flattened " + dump->format;
  } else {
    return fail(ErrorCode::not_a_dump, "not a kernel dump");
  }
  if (!dump) return unexpected(dump.error());
  auto s = std::make_shared<KernelSession>();
  s->diagnostics = dump->diagnostics;
  s->dump = std::make_shared<const KernelDump>(std::move(*dump));
  s->memory = make_kernel_memory(*s->dump, s->diagnostics);
  s->log = read_kernel_log(*s->memory, s->dump->vmcoreinfo, s->diagnostics);
  s->symbols = read_kallsyms(*s->memory, s->dump->vmcoreinfo, s->diagnostics);
  if (!s->symbols.empty()) s->symbols_from = "kallsyms";
  add_exported_symbols(*s);
  open_vmlinux(*s, options.vmlinux);
  if (!s->symbols.empty() && options.use_dump_btf) {
    if (auto btf = read_kernel_btf(*s->memory, s->symbols, s->diagnostics)) {
      s->btf = std::make_shared<const KernelBtf>(std::move(*btf));
      s->btf_from = "dump";
    }
  }
  if (!s->btf && s->vmlinux) {
    // The same types the kernel carried, from the file whose build-id matched.
    if (auto bytes = s->vmlinux->btf()) {
      auto btf = KernelBtf::parse(std::move(*bytes));
      if (btf) {
        s->btf = std::make_shared<const KernelBtf>(std::move(*btf));
        s->btf_from = "vmlinux";
        s->diagnostics.info("btf-from-vmlinux", "struct layouts from " + s->vmlinux->path() + "'s .BTF");
      } else {
        s->diagnostics.warn("btf-bad", s->vmlinux->path() + ": its .BTF does not parse: " + btf.error().message);
      }
    }
  }
  {
    const VmcoreInfo& vi = s->dump->vmcoreinfo;
    KernelModuleDwarf module_dwarf(vi.osrelease().empty() ? s->dump->header_release : vi.osrelease(),
                                   ModuleDwarfOptions{options.module_dirs, options.vmlinux.debug_dirs});
    KernelDwarf dwarf{s->vmlinux.get(), s->kernel_offset, options.cfi_first, &module_dwarf};
    KernelPerCpu per_cpu(*s->memory, s->symbols, s->btf.get());
    s->facts = read_cpu_facts(*s->dump, *s->memory, s->symbols, s->btf.get(), per_cpu, s->diagnostics);
    // Every CPU's and task's walk asks the front end whether to go on as it starts (as a user
    // thread's deep walk does every few thousand frames).
    ProgressGate progress(progress_callback);
    KernelStackLimits limits;
    if (progress_callback) limits.keep_going = [&progress] { return progress.step("unwinding kernel stacks"); };
    KernelUnwinder unwinder(*s->dump, *s->memory, s->symbols, s->btf.get(), s->diagnostics, limits, dwarf);
    for (std::size_t i = 0; i < s->dump->cpus.size(); ++i) {
      s->stacks.push_back(unwinder.unwind_cpu(s->dump->cpus[i], i < s->facts.cpus.size() ? s->facts.cpus[i].task : std::nullopt));
    }
    if (!s->facts.panic_cpu) panic_cpu_from_stacks(*s);
    if (s->btf) s->tasks = read_kernel_tasks(*s->dump, *s->memory, s->symbols, *s->btf, unwinder, s->facts, s->diagnostics);
    if (std::string used = module_dwarf.summary(); !used.empty()) s->diagnostics.info("module-dwarf", "modules' files: " + used);
    if (progress.cancelled()) return unexpected(cancelled_error());
  }
  s->vmlinux.reset();  // its DWARF is in the frames now: unmap the file and drop libdw's caches
  return std::shared_ptr<const KernelSession>(std::move(s));
}

Report kernel_report(const KernelSession& s, const std::string& path) {
  const KernelDump& d = *s.dump;
  const VmcoreInfo& vi = d.vmcoreinfo;
  Report report;
  report.dump_path = path;
  report.dump_kind = "kernel-dump";
  report.producer = d.producer;
  report.arch = std::string(to_string(d.arch));
  KernelReport k;
  k.release = vi.osrelease().empty() ? d.header_release : vi.osrelease();
  k.build_id = vi.build_id();
  k.format = d.format;
  k.compression = d.compression;
  k.page_size = vi.page_size().value_or(4096);
  k.kernel_offset = vi.kernel_offset();
  k.phys_base = vi.phys_base();
  k.crash_time = vi.crash_time();
  k.vmcoreinfo_keys = vi.entries().size();
  for (const auto& r : d.physical->ranges()) k.physical_memory += r.size;
  k.log_records = s.log.records.size();
  k.log_complete = s.log.complete;
  k.kallsyms_symbols = s.symbols.size();
  k.symbols_from = s.symbols_from;
  k.btf_from = s.btf_from;
  k.vmlinux = s.vmlinux_info.file;
  k.vmlinux_build_id = s.vmlinux_info.build_id;
  k.vmlinux_source = s.vmlinux_info.source;
  k.vmlinux_note = s.vmlinux_info.note;
  if (!s.vmlinux_info.file.empty()) k.vmlinux_offset = s.kernel_offset;

  // The log tells what was said (the panic message, the oops); memory tells which CPU and task.
  PanicStory story = find_panic_story(s.log);
  k.panic_message = story.panic_message;
  k.oops_headline = story.headline;
  k.panic_cpu = s.facts.panic_cpu;
  std::optional<std::size_t> panic_index;
  for (std::size_t i = 0; i < d.cpus.size(); ++i) {
    if (k.panic_cpu && d.cpus[i].index == *k.panic_cpu) panic_index = i;
  }
  if (panic_index && *panic_index < s.facts.cpus.size()) {
    k.panic_pid = s.facts.cpus[*panic_index].pid;
    k.panic_comm = s.facts.cpus[*panic_index].comm;
  }
  if (story.oops_begin) {
    for (std::size_t i = *story.oops_begin; i < story.oops_end; ++i) k.oops.push_back(log_line(s.log.records[i]));
  }
  std::size_t first = s.log.records.size() > kLogTail ? s.log.records.size() - kLogTail : 0;
  for (std::size_t i = first; i < s.log.records.size(); ++i) k.log_tail.push_back(log_line(s.log.records[i]));

  Diagnostics diags = s.diagnostics;
  if (k.release.empty()) diags.warn("no-release", "neither VMCOREINFO nor the header names the kernel release");
  if (story.panic_record == std::nullopt && !s.log.records.empty()) {
    diags.info("no-panic-line", "the kernel log has no \"Kernel panic - not syncing\" line");
  }
  if (!k.panic_cpu && !d.cpus.empty()) {
    diags.info("panic-cpu-unknown", "neither panic_cpu nor any CPU's stack says which CPU panicked");
  }

  // CPUs: the panicking one first; each also becomes a ThreadReport ("CPU n") holding its stack,
  // so front ends that show threads show CPUs.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < d.cpus.size(); ++i) {
    if (panic_index && i == *panic_index) order.insert(order.begin(), i);
    else order.push_back(i);
  }
  for (std::size_t i : order) {
    const KernelCpu& c = d.cpus[i];
    KernelCpuReport cr;
    cr.cpu = c.index;
    const KernelCpuTask* task = i < s.facts.cpus.size() ? &s.facts.cpus[i] : nullptr;
    if (task != nullptr && task->pid) cr.pid = *task->pid;
    if (task != nullptr) cr.comm = task->comm;
    cr.panicking = panic_index && i == *panic_index;
    cr.registers = c.registers.general;
    cr.cr3 = c.cr3;
    auto pc = c.registers.get(pc_register(d.arch));
    if (pc) cr.pc_symbol = s.symbols.describe(*pc);

    ThreadReport t;
    if (i < s.stacks.size()) {
      static_cast<StackReport&>(t) = s.stacks[i];
      // kallsyms does not cover modules; the stack's frame 0 does ("f+0x60 [pvpanic]").
      if (cr.pc_symbol.empty() && !t.frames.empty() && !t.frames[0].function.empty() && t.frames[0].module != "kernel") {
        const Frame& f0 = t.frames[0];
        cr.pc_symbol = f0.function + "+" + hex(f0.pc - (f0.lookup_pc - f0.function_offset)) + " [" + f0.module + "]";
      }
    } else {
      t.unwind = UnwindStatus::stopped(StopReason::not_unwound, "not unwound");
    }
    t.tid = cr.pid ? *cr.pid : 0;
    t.name = "CPU " + std::to_string(c.index);
    t.cpu = c.index;
    t.crashed = cr.panicking;
    t.registers = c.registers.general;
    if (cr.panicking) {
      report.crashed_tid = cr.pid ? *cr.pid : 0;
      k.panic_frame = panic_frame(t);
      if (k.panic_frame) {
        const Frame& f = t.frames[*k.panic_frame];
        k.panic_at = f.inlined || f.oops_symbol.empty() ? f.function : f.oops_symbol;
      }
    }
    report.threads.push_back(std::move(t));
    k.cpus.push_back(std::move(cr));
  }
  for (const auto& t : s.tasks) {
    KernelTaskReport tr;
    static_cast<StackReport&>(tr) = t.stack;
    tr.address = t.address;
    tr.pid = t.pid;
    tr.tgid = t.tgid;
    tr.comm = t.comm;
    tr.state = t.state;
    tr.cpu = t.cpu;
    tr.running_on = t.running_on;
    tr.kernel_thread = t.kernel_thread;
    tr.wchan = t.wchan;
    k.tasks.push_back(std::move(tr));
  }
  k.tasks_read = !s.tasks.empty();
  if (!k.tasks_read) k.not_done.push_back("tasks: the task list could not be read (see the diagnostics)");
  report.kernel = std::move(k);
  report.diagnostics = diags.entries();
  return report;
}

Result<std::shared_ptr<const KernelDumpSession>> KernelDumpSession::open(std::shared_ptr<const MappedFile> file,
                                                                         DumpFormat format,
                                                                         const KernelAnalyzeOptions& options,
                                                                         const ProgressCallback& progress) {
  const std::string path = file->path();
  auto kernel = open_kernel_dump(std::move(file), format, options, progress);
  if (!kernel) {
    Error e = kernel.error();
    if (e.code == ErrorCode::cancelled) return unexpected(e);
    e.message = about(path, std::move(e.message));
    return unexpected(e);
  }
  auto session = std::shared_ptr<KernelDumpSession>(new KernelDumpSession());
  session->kernel_ = std::move(*kernel);
  session->report_ = kernel_report(*session->kernel_, path);
  return std::shared_ptr<const KernelDumpSession>(std::move(session));
}

std::optional<SymbolHit> KernelDumpSession::symbol_at(std::uint64_t addr) const {
  // kallsyms is immutable once read: no lock needed. It has no sizes: past the last symbol of a
  // region (module space, the direct map above the image) "the last symbol below" is a wrong
  // name, so far offsets are refused.
  constexpr std::uint64_t kMaxKernelSymbolOffset = 1u << 20;
  auto hit = kernel_->symbols.lookup(addr);
  if (!hit || hit->symbol == nullptr || hit->offset > kMaxKernelSymbolOffset) return std::nullopt;
  return SymbolHit{hit->symbol->name, addr - hit->offset, 0};
}

std::optional<std::uint64_t> KernelDumpSession::symbol_address(const std::string& name) const {
  return kernel_->symbols.address_of(name);
}

std::vector<KernelLogLine> KernelDumpSession::kernel_log() const {
  std::vector<KernelLogLine> out;
  out.reserve(kernel_->log.records.size());
  for (const LogRecord& r : kernel_->log.records) out.push_back(log_line(r));
  return out;
}

}  // namespace corelens
