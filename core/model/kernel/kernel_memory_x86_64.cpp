#include "core/model/kernel/kernel_memory_x86_64.hpp"

#include <cstring>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kPresent = 1;
constexpr std::uint64_t kHuge = 1u << 7;              // PS: a 1 GiB (PUD) or 2 MiB (PMD) page
constexpr std::uint64_t kAddrMask = 0x000ffffffffff000ull;  // bits 12..51 of an entry
constexpr std::uint64_t kPage = 4096;

bool in_kernel_image(std::uint64_t vaddr) { return vaddr >= kStartKernelMap && vaddr - kStartKernelMap < kKernelImageSize; }

}  // namespace

bool X86_64PageTables::cacheable(std::uint64_t vaddr) const { return !in_kernel_image(vaddr); }

Result<std::uint64_t> X86_64PageTables::translate(std::uint64_t vaddr, const PhysicalMemory& physical) const {
  if (in_kernel_image(vaddr)) {
    return vaddr - kStartKernelMap + static_cast<std::uint64_t>(phys_base_);
  }
  if (pgd_ == 0) {
    return fail(ErrorCode::not_mapped, "cannot translate " + hex(vaddr) + ": no page table root (SYMBOL(init_top_pgt) missing)", vaddr);
  }
  int levels = five_level_ ? 5 : 4;
  std::uint64_t table = pgd_ & kAddrMask;
  for (int level = levels; level >= 1; --level) {
    unsigned shift = 12u + 9u * static_cast<unsigned>(level - 1);
    std::uint64_t index = (vaddr >> shift) & 0x1ff;
    std::byte buf[8];
    auto r = physical.read(table + index * 8, buf);
    if (!r) {
      Error e = r.error();
      e.message = "cannot translate " + hex(vaddr) + ": page table at physical " + hex(table) + ": " + e.message;
      e.where = vaddr;
      return unexpected(e);
    }
    std::uint64_t entry = 0;
    std::memcpy(&entry, buf, 8);
    if ((entry & kPresent) == 0) {
      return fail(ErrorCode::not_mapped, "address " + hex(vaddr) + " is not mapped (level-" + std::to_string(level) +
                                             " entry not present)", vaddr);
    }
    if ((level == 3 || level == 2) && (entry & kHuge) != 0) {
      std::uint64_t page_mask = (1ull << shift) - 1;
      return ((entry & kAddrMask) & ~page_mask) | (vaddr & page_mask);
    }
    table = entry & kAddrMask;
  }
  return table | (vaddr & (kPage - 1));
}

std::unique_ptr<const KernelPageTables> x86_64_page_tables(const KernelDump& dump, Diagnostics& diags) {
  const VmcoreInfo& info = dump.vmcoreinfo;
  std::int64_t phys_base = 0;
  if (auto pb = info.phys_base()) {
    phys_base = *pb;
  } else if (dump.header_phys_base) {
    phys_base = *dump.header_phys_base;
    diags.warn("vmcoreinfo-no-phys-base", "VMCOREINFO has no NUMBER(phys_base); using the dump header's value");
  } else {
    diags.warn("vmcoreinfo-no-phys-base", "no phys_base anywhere: kernel addresses are translated with phys_base 0");
  }
  bool five = info.number("pgtable_l5_enabled").value_or(0) == 1;
  std::uint64_t pgd = 0;
  auto top = info.symbol("init_top_pgt");
  if (!top) top = info.symbol("swapper_pg_dir");
  if (top && in_kernel_image(*top)) {
    pgd = *top - kStartKernelMap + static_cast<std::uint64_t>(phys_base);
  } else {
    for (const auto& cpu : dump.cpus) {
      if (cpu.cr3) {
        pgd = *cpu.cr3 & kAddrMask;
        diags.info("page-table-from-cr3", "no SYMBOL(init_top_pgt): page tables walked from CPU " +
                                              std::to_string(cpu.index) + "'s CR3");
        break;
      }
    }
  }
  if (pgd == 0) {
    diags.warn("no-page-tables", "neither SYMBOL(init_top_pgt) nor a CR3: only kernel text and data can be read");
  }
  return std::make_unique<X86_64PageTables>(phys_base, pgd, five);
}

}  // namespace corelens
