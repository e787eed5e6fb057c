// Kernel crash dumps: open a vmcore, kdump-compressed or flattened file, read the log, kallsyms
// and the CPUs, and build the Report (Report::kernel, dump_kind "kernel-dump").
#pragma once

#include <memory>

#include "core/kernel.hpp"
#include "core/kernel_x86_64.hpp"
#include "core/report.hpp"
#include "parsers/detect.hpp"
#include "parsers/kallsyms.hpp"
#include "parsers/printk_log.hpp"
#include "unwinder/kernel_stacks.hpp"
#include "unwinder/kernel_tasks.hpp"

namespace corelens {

// Everything read from a kernel dump. Ownership: owns the KernelDump (and through it the file).
struct KernelSession {
  std::shared_ptr<const KernelDump> dump;
  std::shared_ptr<const KernelMemory> memory;
  KernelLog log;
  KernelSymbols symbols;
  std::shared_ptr<const KernelBtf> btf;  // null when the kernel has none (DEBUG_INFO_BTF=n)
  std::vector<KernelCpuStack> stacks;  // one per dump->cpus entry, same order
  std::vector<KernelTask> tasks;       // empty when the task list cannot be read (no BTF ...)
  Diagnostics diagnostics;
};

inline bool is_kernel_format(DumpFormat f) {
  return f == DumpFormat::elf_kernel_core || f == DumpFormat::kdump_compressed || f == DumpFormat::kdump_flattened;
}

// Fails only when the file is not a kernel dump we can read at all.
Result<std::shared_ptr<const KernelSession>> open_kernel_dump(std::shared_ptr<const MappedFile> file, DumpFormat format);
Report kernel_report(const KernelSession& session, const std::string& path);

}  // namespace corelens
