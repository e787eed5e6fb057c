// x86_64 kernel virtual addresses -> physical addresses:
//
//   kernel text/data  [__START_KERNEL_map, +1 GiB): paddr = vaddr - __START_KERNEL_map + phys_base
//                     (phys_base from VMCOREINFO's NUMBER(phys_base); KASLR is in the vaddr)
//   everything else   (direct map, vmalloc, per-cpu, modules): the kernel's page tables, 4 levels,
//                     or 5 when NUMBER(pgtable_l5_enabled)=1, from init_top_pgt (translated as
//                     kernel data) or, failing that, a CPU's CR3; 1 GiB and 2 MiB pages honoured.
#pragma once

#include <cstdint>
#include <memory>

#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/kernel/kernel_memory.hpp"

namespace corelens {

inline constexpr std::uint64_t kStartKernelMap = 0xffffffff80000000ull;
inline constexpr std::uint64_t kKernelImageSize = 1ull << 30;  // KERNEL_IMAGE_SIZE with KASLR
// Where modules are loaded: [MODULES_VADDR, MODULES_END) (arch/x86/include/asm/pgtable_64_types.h).
inline constexpr std::uint64_t kModulesStart = kStartKernelMap + kKernelImageSize;
inline constexpr std::uint64_t kModulesEnd = 0xffffffffff000000ull;

class X86_64PageTables final : public KernelPageTables {
 public:
  // PGD_PADDR: physical address of the top-level page table (0: no page walk possible).
  X86_64PageTables(std::int64_t phys_base, std::uint64_t pgd_paddr, bool five_level)
      : phys_base_(phys_base), pgd_(pgd_paddr), five_level_(five_level) {}
  Result<std::uint64_t> translate(std::uint64_t vaddr, const PhysicalMemory& physical) const override;
  bool cacheable(std::uint64_t vaddr) const override;

 private:
  std::int64_t phys_base_ = 0;
  std::uint64_t pgd_ = 0;
  bool five_level_ = false;
};

// DUMP's page tables: phys_base and the page-table root from VMCOREINFO (or a CPU's CR3). Adds a
// diagnostic when only kernel text/data can be translated.
std::unique_ptr<const KernelPageTables> x86_64_page_tables(const KernelDump& dump, Diagnostics& diags);

}  // namespace corelens
