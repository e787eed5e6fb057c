// Kernel crash dumps: open a vmcore, kdump-compressed or flattened file, read the log, kallsyms
// and the CPUs, and build the Report (Report::kernel, dump_kind "kernel-dump").
#pragma once

#include <memory>

#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/kernel/kernel_memory.hpp"
#include "core/model/report.hpp"
#include "parsers/detect.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "parsers/kernel/printk_log.hpp"
#include "unwinder/kernel/cpu_facts.hpp"
#include "unwinder/kernel/cpu_stacks.hpp"
#include "unwinder/kernel/tasks.hpp"
#include "unwinder/kernel/vmlinux.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens {

// Everything read from a kernel dump. Ownership: owns the KernelDump (and through it the file).
struct KernelSession {
  std::shared_ptr<const KernelDump> dump;
  std::shared_ptr<const KernelMemory> memory;
  KernelLog log;
  KernelSymbols symbols;
  std::shared_ptr<const KernelBtf> btf;  // null when neither the dump nor the vmlinux has one
  // The vmlinux whose DWARF named the frames (its build-id checked), while the dump is opened;
  // then released (it maps hundreds of MB and is not thread-safe). Its file and why stay in
  // vmlinux_info.
  std::shared_ptr<Vmlinux> vmlinux;
  struct VmlinuxInfo {
    std::string file, build_id, source, note;  // source: to_string(SymbolSource)
  } vmlinux_info;
  std::uint64_t kernel_offset = 0;  // KASLR, as used for the vmlinux's addresses
  std::string symbols_from;  // "kallsyms" (the dump's memory), "vmlinux" (its .symtab); empty: none
  std::string btf_from;      // "dump", "vmlinux"; empty: none
  std::vector<StackReport> stacks;     // one per dump->cpus entry, same order
  KernelCpuFacts facts;                // panic CPU, each CPU's task: from memory
  std::vector<KernelTask> tasks;       // empty when the task list cannot be read (no BTF ...)
  Diagnostics diagnostics;
};

inline bool is_kernel_format(DumpFormat f) {
  return f == DumpFormat::elf_kernel_core || f == DumpFormat::kdump_compressed || f == DumpFormat::kdump_flattened;
}

// Fails only when the file is not a kernel dump we can read at all, or PROGRESS cancels (the
// stack walks ask it, see KernelStackLimits::keep_going).
Result<std::shared_ptr<const KernelSession>> open_kernel_dump(std::shared_ptr<const MappedFile> file, DumpFormat format,
                                                              const KernelAnalyzeOptions& options = {},
                                                              const ProgressCallback& progress = {});
Report kernel_report(const KernelSession& session, const std::string& path);

// A kernel dump's session: what open_kernel_dump read, and its Report.
// Ownership: shares the KernelSession (and through it the dump and its file).
class KernelDumpSession final : public Session {
 public:
  // Fails only when the file is not a kernel dump we can read at all, or PROGRESS cancels.
  static Result<std::shared_ptr<const KernelDumpSession>> open(std::shared_ptr<const MappedFile> file,
                                                               DumpFormat format,
                                                               const KernelAnalyzeOptions& options,
                                                               const ProgressCallback& progress = {});
  const KernelSession& kernel() const { return *kernel_; }
  const MemorySource& memory() const override { return *kernel_->memory; }
  std::optional<SymbolHit> symbol_at(std::uint64_t addr) const override;
  std::optional<std::uint64_t> symbol_address(const std::string& name) const override;
  std::vector<KernelLogLine> kernel_log() const override;

 private:
  KernelDumpSession() = default;
  std::shared_ptr<const KernelSession> kernel_;
};

}  // namespace corelens
