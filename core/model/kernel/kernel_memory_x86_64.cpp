#include "core/model/kernel/kernel_memory_x86_64.hpp"

#include <cstring>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kPresent = 1;
constexpr std::uint64_t kHuge = 1u << 7;              // PS: a 1 GiB (PUD) or 2 MiB (PMD) page
constexpr std::uint64_t kAddrMask = 0x000ffffffffff000ull;  // bits 12..51 of an entry
constexpr std::uint64_t kPage = 4096;
constexpr std::size_t kMaxCachedPages = 1u << 16;

bool in_kernel_image(std::uint64_t vaddr) { return vaddr >= kStartKernelMap && vaddr - kStartKernelMap < kKernelImageSize; }

}  // namespace

KernelMemory::KernelMemory(std::shared_ptr<const PhysicalMemory> physical, std::int64_t phys_base,
                           std::uint64_t pgd_paddr, bool five_level)
    : physical_(std::move(physical)), phys_base_(phys_base), pgd_(pgd_paddr), five_level_(five_level) {}

Result<std::uint64_t> KernelMemory::walk(std::uint64_t vaddr) const {
  if (pgd_ == 0) {
    return fail(ErrorCode::not_mapped, "cannot translate " + hex(vaddr) + ": no page table root (SYMBOL(init_top_pgt) missing)", vaddr);
  }
  int levels = five_level_ ? 5 : 4;
  std::uint64_t table = pgd_ & kAddrMask;
  for (int level = levels; level >= 1; --level) {
    unsigned shift = 12u + 9u * static_cast<unsigned>(level - 1);
    std::uint64_t index = (vaddr >> shift) & 0x1ff;
    std::byte buf[8];
    auto r = physical_->read(table + index * 8, buf);
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

Result<std::uint64_t> KernelMemory::translate(std::uint64_t vaddr) const {
  if (in_kernel_image(vaddr)) {
    return vaddr - kStartKernelMap + static_cast<std::uint64_t>(phys_base_);
  }
  std::uint64_t vpage = vaddr & ~(kPage - 1);
  {
    std::lock_guard lock(cache_mutex_);
    auto it = page_cache_.find(vpage);
    if (it != page_cache_.end()) return it->second | (vaddr & (kPage - 1));
  }
  auto p = walk(vaddr);
  if (!p) return p;
  std::lock_guard lock(cache_mutex_);
  if (page_cache_.size() >= kMaxCachedPages) page_cache_.clear();
  page_cache_[vpage] = *p & ~(kPage - 1);
  return p;
}

Result<void> KernelMemory::read(std::uint64_t vaddr, std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    std::uint64_t addr = vaddr + done;
    std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, kPage - (addr & (kPage - 1))));
    auto p = translate(addr);
    if (!p) return unexpected(p.error());
    auto r = physical_->read(*p, out.subspan(done, chunk));
    if (!r) {
      Error e = r.error();
      e.message = "virtual " + hex(addr) + " (physical " + hex(*p) + "): " + e.message;
      e.where = addr;
      return unexpected(e);
    }
    done += chunk;
  }
  return {};
}

#define CORELENS_READ_INT(name, type)                                   \
  Result<type> KernelMemory::name(std::uint64_t vaddr) const {          \
    std::byte buf[sizeof(type)];                                        \
    auto r = read(vaddr, buf);                                          \
    if (!r) return unexpected(r.error());                               \
    type v;                                                             \
    std::memcpy(&v, buf, sizeof(type));                                 \
    return v;                                                           \
  }
CORELENS_READ_INT(read_u64, std::uint64_t)
CORELENS_READ_INT(read_u32, std::uint32_t)
CORELENS_READ_INT(read_u16, std::uint16_t)
CORELENS_READ_INT(read_u8, std::uint8_t)
#undef CORELENS_READ_INT

std::shared_ptr<const KernelMemory> make_kernel_memory(const KernelDump& dump, Diagnostics& diags) {
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
  return std::make_shared<KernelMemory>(dump.physical, phys_base, pgd, five);
}

}  // namespace corelens
