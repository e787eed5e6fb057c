// x86_64 kernel virtual addresses -> physical addresses -> bytes of the dump.
//
//   kernel text/data  [__START_KERNEL_map, +1 GiB): paddr = vaddr - __START_KERNEL_map + phys_base
//                     (phys_base from VMCOREINFO's NUMBER(phys_base); KASLR is in the vaddr)
//   everything else   (direct map, vmalloc, per-cpu, modules): the kernel's page tables, 4 levels,
//                     or 5 when NUMBER(pgtable_l5_enabled)=1, from init_top_pgt (translated as
//                     kernel data) or, failing that, a CPU's CR3; 1 GiB and 2 MiB pages honoured.
//
// Ownership: holds the PhysicalMemory shared; a small translation cache is guarded by a mutex,
// so one KernelMemory may be read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/memory_source.hpp"

namespace corelens {

inline constexpr std::uint64_t kStartKernelMap = 0xffffffff80000000ull;
inline constexpr std::uint64_t kKernelImageSize = 1ull << 30;  // KERNEL_IMAGE_SIZE with KASLR
// Where modules are loaded: [MODULES_VADDR, MODULES_END) (arch/x86/include/asm/pgtable_64_types.h).
inline constexpr std::uint64_t kModulesStart = kStartKernelMap + kKernelImageSize;
inline constexpr std::uint64_t kModulesEnd = 0xffffffffff000000ull;

class KernelMemory final : public MemorySource {
 public:
  // PGD_PADDR: physical address of the top-level page table (0: no page walk possible).
  KernelMemory(std::shared_ptr<const PhysicalMemory> physical, std::int64_t phys_base, std::uint64_t pgd_paddr,
               bool five_level);

  Result<std::uint64_t> translate(std::uint64_t vaddr) const;
  Result<void> read(std::uint64_t vaddr, std::span<std::byte> out) const override;
  Result<std::uint64_t> read_u64(std::uint64_t vaddr) const;
  Result<std::uint32_t> read_u32(std::uint64_t vaddr) const;
  Result<std::uint16_t> read_u16(std::uint64_t vaddr) const;
  Result<std::uint8_t> read_u8(std::uint64_t vaddr) const;
  const PhysicalMemory& physical() const { return *physical_; }

 private:
  Result<std::uint64_t> walk(std::uint64_t vaddr) const;

  std::shared_ptr<const PhysicalMemory> physical_;
  std::int64_t phys_base_ = 0;
  std::uint64_t pgd_ = 0;
  bool five_level_ = false;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::uint64_t, std::uint64_t> page_cache_;  // vpage -> ppage (4 KiB)
};

// Builds the KernelMemory of DUMP: phys_base and the page-table root from VMCOREINFO (or a CPU's
// CR3). Adds a diagnostic when only kernel text/data can be translated.
std::shared_ptr<const KernelMemory> make_kernel_memory(const KernelDump& dump, Diagnostics& diags);

}  // namespace corelens
