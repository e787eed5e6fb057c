// Kernel crash dumps: open a vmcore, kdump-compressed or flattened file, read the log, kallsyms
// and the CPUs, and build the Report (Report::kernel, dump_kind "kernel-dump").
#pragma once

#include <memory>

#include "core/kernel.hpp"
#include "core/kernel_memory.hpp"
#include "core/report.hpp"
#include "parsers/detect.hpp"
#include "parsers/kallsyms.hpp"
#include "parsers/printk_log.hpp"
#include "unwinder/kernel_cpu_facts.hpp"
#include "unwinder/kernel_stacks.hpp"
#include "unwinder/kernel_tasks.hpp"
#include "unwinder/kernel_vmlinux.hpp"

namespace corelens {

struct KernelAnalyzeOptions {
  VmlinuxOptions vmlinux;      // where to look for the vmlinux with DWARF (none by default)
  bool cfi_first = false;      // unwind kernel text with the vmlinux's DWARF CFI before ORC
  bool use_dump_btf = true;    // false: as if the dump had no BTF (the vmlinux's is used)
  // --module-dir: trees holding the modules' .ko files with DWARF, searched before the debug
  // dirs' lib/modules/RELEASE and /lib/modules/RELEASE (kernel_module_dwarf.hpp).
  std::vector<std::string> module_dirs;
};

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
  std::vector<KernelCpuStack> stacks;  // one per dump->cpus entry, same order
  KernelCpuFacts facts;                // panic CPU, each CPU's task: from memory
  std::vector<KernelTask> tasks;       // empty when the task list cannot be read (no BTF ...)
  Diagnostics diagnostics;
};

inline bool is_kernel_format(DumpFormat f) {
  return f == DumpFormat::elf_kernel_core || f == DumpFormat::kdump_compressed || f == DumpFormat::kdump_flattened;
}

// Fails only when the file is not a kernel dump we can read at all.
Result<std::shared_ptr<const KernelSession>> open_kernel_dump(std::shared_ptr<const MappedFile> file, DumpFormat format,
                                                              const KernelAnalyzeOptions& options = {});
Report kernel_report(const KernelSession& session, const std::string& path);

}  // namespace corelens
