// The model of a Linux kernel crash dump, as the parsers read it from a vmcore (ELF) or a
// kdump-compressed file: physical memory, VMCOREINFO, the CPUs' registers at the crash.
//
// Ownership: a KernelDump owns its PhysicalMemory, which owns the MappedFile (and, for diskdumps,
// a small cache of decompressed pages). Everything else is a plain copy. Virtual addresses are
// translated by KernelMemory (core/model/kernel/kernel_memory.hpp) on top of the physical memory,
// with the page tables of the dump's architecture (kernel_memory_x86_64.hpp, kernel_memory_aarch64.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/file/mapped_file.hpp"
#include "core/model/arch.hpp"
#include "core/model/diagnostics.hpp"
#include "core/model/error.hpp"
#include "core/model/process.hpp"

namespace corelens {

// A range of physical memory the dump describes (RAM the kernel had), saved or not.
struct PhysicalRange {
  std::uint64_t start = 0;
  std::uint64_t size = 0;
  std::uint64_t end() const { return start + size; }
};

// "Read the crashed machine's RAM at this physical address." A page the dump did not save (a
// range it never described, or a page makedumpfile filtered out) is an error, never zeros.
class PhysicalMemory {
 public:
  virtual ~PhysicalMemory() = default;
  virtual Result<void> read(std::uint64_t paddr, std::span<std::byte> out) const = 0;
  virtual std::vector<PhysicalRange> ranges() const = 0;
};

// The VMCOREINFO note: "KEY=VALUE" lines the kernel writes for dump tools. Every key is kept
// (in file order); the typed accessors decode the conventions of kernel/crash_core.c:
//   SYMBOL(name)=hex address   OFFSET(struct.member)=decimal   SIZE(type)=decimal
//   LENGTH(array)=decimal      NUMBER(name)=decimal, may be negative (phys_base), or 0x hex
//                              (arm64's kimage_voffset, PHYS_OFFSET, TCR_EL1_T1SZ, KERNELPACMASK)
//   PAGESIZE=decimal           KERNELOFFSET=hex (no 0x)   OSRELEASE, BUILD-ID, CRASHTIME=decimal
class VmcoreInfo {
 public:
  void add(std::string key, std::string value);
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

  std::optional<std::string> get(std::string_view key) const;
  std::optional<std::uint64_t> symbol(std::string_view name) const;  // SYMBOL(name)
  std::optional<std::uint64_t> offset(std::string_view member) const; // OFFSET(struct.member)
  std::optional<std::uint64_t> size(std::string_view type) const;    // SIZE(type)
  std::optional<std::uint64_t> length(std::string_view array) const; // LENGTH(array)
  std::optional<std::int64_t> number(std::string_view name) const;   // NUMBER(name)

  std::string osrelease() const { return get("OSRELEASE").value_or(""); }
  std::string build_id() const { return get("BUILD-ID").value_or(""); }
  std::optional<std::uint64_t> page_size() const;
  std::optional<std::uint64_t> kernel_offset() const;   // KASLR slide of the kernel text
  std::optional<std::int64_t> phys_base() const { return number("phys_base"); }
  std::optional<std::uint64_t> crash_time() const;      // seconds since the epoch (kdump only)

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  std::map<std::string, std::size_t, std::less<>> index_;  // key -> first entry
};

// One CPU at the crash. Registers come from its NT_PRSTATUS (saved by crash_save_cpu() for kdump:
// the panicking CPU where it called crash_kexec(), the others where the NMI stopped them; saved
// by QEMU for its dumps: where each vCPU stood when the VM was stopped).
struct KernelCpu {
  std::uint32_t index = 0;      // order of the notes = CPU number for kdump and QEMU
  std::int32_t pr_pid = 0;      // NT_PRSTATUS's pr_pid: the running task's pid for kdump; QEMU
                                // writes the CPU's index plus one. Not a fact: see KernelCpuFacts.
  RegisterSet registers;        // pr_reg's names: x86_64 r15 ... rip ... gs; aarch64 x0 ... pc pstate
  std::optional<std::uint64_t> cr3;  // QEMU's x86_64 CPU note: the page table root in use
};

struct KernelDump {
  Arch arch = Arch::x86_64;  // x86_64 or aarch64 (from e_machine, or the diskdump's utsname.machine)
  std::string format;     // "kdump ELF (/proc/vmcore)", "QEMU ELF", "diskdump (makedumpfile)" ...
  std::string producer;   // "kexec/kdump", "qemu", "makedumpfile"
  std::string compression;  // diskdump pages: "zlib", "lzo", "zlib+lzo" ...; empty for ELF
  std::shared_ptr<const PhysicalMemory> physical;
  VmcoreInfo vmcoreinfo;
  std::vector<KernelCpu> cpus;
  std::string header_release;   // diskdump's utsname.release (empty for QEMU's and for ELF)
  std::optional<std::int64_t> header_phys_base;  // diskdump's sub-header value (QEMU 7.2: wrong)
  Diagnostics diagnostics;
};

// Caps for hostile input.
struct KernelLimits {
  std::size_t max_cpus = 8192;          // NR_CPUS of Debian's kernel
  std::uint64_t max_vmcoreinfo = 1u << 20;
  std::size_t max_vmcoreinfo_keys = 10000;
};

}  // namespace corelens
