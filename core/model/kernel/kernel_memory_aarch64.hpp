// arm64 kernel virtual addresses -> physical addresses (4 KiB pages, the granule Debian's and
// most arm64 kernels use):
//
//   linear map  the lower half of the VAs in use, [-(1 << n), -(1 << (n - 1))) for n-bit VAs:
//               paddr = vaddr - PAGE_OFFSET + PHYS_OFFSET, where PAGE_OFFSET = -(1 << VA_BITS),
//               VA_BITS and PHYS_OFFSET from VMCOREINFO. PHYS_OFFSET (memstart_addr) may be
//               "negative" when KASLR moved the linear map, and absorbs the difference when a
//               52-bit kernel runs with 48-bit VAs: the formula holds in both cases, modulo 2^64.
//   the rest    (the kernel image, vmalloc and modules, vmemmap, fixmap): the kernel's page tables
//               from swapper_pg_dir, itself in the image: paddr = vaddr - kimage_voffset. The VA
//               size in use is 64 - TCR_EL1.T1SZ (NUMBER(TCR_EL1_T1SZ), 5.12+; else VA_BITS):
//               48 bits walk 4 levels, 52 bits (LPA2, TCR_EL1.DS) 5 levels, whose descriptors
//               keep output address bits 51:50 in bits 9:8.
#pragma once

#include <cstdint>
#include <memory>

#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/kernel/kernel_memory.hpp"

namespace corelens {

struct Aarch64Layout {
  unsigned va_bits = 48;             // VA_BITS the kernel was built for (VMCOREINFO NUMBER(VA_BITS))
  unsigned va_bits_actual = 48;      // 64 - TCR_EL1.T1SZ: what the MMU translates at run time
  std::uint64_t kimage_voffset = 0;  // kernel image: vaddr - paddr
  std::uint64_t phys_offset = 0;     // memstart_addr: the physical address of the linear map's start
  bool has_linear = false;           // VA_BITS and PHYS_OFFSET known
  std::uint64_t pgd_paddr = 0;       // swapper_pg_dir; 0: no page walk possible
  // PAGE_OFFSET as the kernel computes __va() and __pa() with it: from the VA_BITS it was built for.
  std::uint64_t page_offset() const { return ~0ull << va_bits; }
  // Where the linear map is: the lower half of the kernel's VAs in use (a 52-bit kernel on 48-bit
  // hardware has it at -(1 << 48); its PHYS_OFFSET absorbs the difference for __pa()).
  std::uint64_t linear_start() const { return ~0ull << va_bits_actual; }
  std::uint64_t linear_end() const { return ~0ull << (va_bits_actual - 1); }
};

class Aarch64PageTables final : public KernelPageTables {
 public:
  explicit Aarch64PageTables(Aarch64Layout layout) : l_(layout) {}
  Result<std::uint64_t> translate(std::uint64_t vaddr, const PhysicalMemory& physical) const override;
  bool cacheable(std::uint64_t vaddr) const override { return !linear(vaddr); }
  const Aarch64Layout& layout() const { return l_; }

 private:
  bool linear(std::uint64_t vaddr) const;
  Result<std::uint64_t> walk(std::uint64_t vaddr, const PhysicalMemory& physical) const;
  Aarch64Layout l_;
};

// The layout VMCOREINFO gives (arch/arm64/kernel/crash_core.c), with diagnostics for what it lacks.
Aarch64Layout aarch64_layout(const VmcoreInfo& info, Diagnostics& diags);
std::unique_ptr<const KernelPageTables> aarch64_page_tables(const KernelDump& dump, Diagnostics& diags);

// Pointer authentication: a return address saved with its PAC in the bits above the VA
// (VMCOREINFO NUMBER(KERNELPACMASK), 5.10+); a kernel address gets them back as ones.
inline std::uint64_t strip_kernel_pac(std::uint64_t address, std::uint64_t pac_mask) { return address | pac_mask; }

}  // namespace corelens
