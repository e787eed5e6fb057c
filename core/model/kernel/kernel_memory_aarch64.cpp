#include "core/model/kernel/kernel_memory_aarch64.hpp"

#include <cstring>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr unsigned kPageShift = 12;
constexpr unsigned kBitsPerLevel = 9;  // 512 eight-byte descriptors in a 4 KiB table

// Output address of a table, block or page descriptor (OA bits 47:12; with LPA2 bits 49:12, and
// 51:50 from descriptor bits 9:8).
std::uint64_t output_address(std::uint64_t desc, bool lpa2) {
  if (!lpa2) return desc & 0x0000fffffffff000ull;
  return (desc & 0x0003fffffffff000ull) | ((desc >> 8) & 3ull) << 50;
}

}  // namespace

bool Aarch64PageTables::linear(std::uint64_t vaddr) const {
  return l_.has_linear && vaddr >= l_.linear_start() && vaddr < l_.linear_end();
}

Result<std::uint64_t> Aarch64PageTables::translate(std::uint64_t vaddr, const PhysicalMemory& physical) const {
  if (linear(vaddr)) return vaddr - l_.page_offset() + l_.phys_offset;
  return walk(vaddr, physical);
}

Result<std::uint64_t> Aarch64PageTables::walk(std::uint64_t vaddr, const PhysicalMemory& physical) const {
  if (l_.pgd_paddr == 0) {
    return fail(ErrorCode::not_mapped, "cannot translate " + hex(vaddr) + ": no page table root (SYMBOL(swapper_pg_dir) "
                                       "or NUMBER(kimage_voffset) missing)", vaddr);
  }
  unsigned va_bits = l_.va_bits_actual;
  // A kernel (TTBR1) address has every bit above the VA size set.
  if (va_bits < 64 && (vaddr >> va_bits) != (~0ull >> va_bits)) {
    return fail(ErrorCode::not_mapped, "address " + hex(vaddr) + " is not a kernel address (" + std::to_string(va_bits) +
                                           "-bit VAs)", vaddr);
  }
  unsigned levels = (va_bits - kPageShift + kBitsPerLevel - 1) / kBitsPerLevel;
  bool lpa2 = va_bits > 48;
  std::uint64_t table = l_.pgd_paddr;
  for (unsigned n = 0; n < levels; ++n) {
    unsigned level_from_bottom = levels - 1 - n;  // 0: the last level (pages)
    unsigned shift = kPageShift + kBitsPerLevel * level_from_bottom;
    unsigned bits = n == 0 ? va_bits - shift : kBitsPerLevel;
    std::uint64_t index = (vaddr >> shift) & ((1ull << bits) - 1);
    std::byte buf[8];
    auto r = physical.read(table + index * 8, buf);
    if (!r) {
      Error e = r.error();
      e.message = "cannot translate " + hex(vaddr) + ": page table at physical " + hex(table) + ": " + e.message;
      e.where = vaddr;
      return unexpected(e);
    }
    std::uint64_t desc = 0;
    std::memcpy(&desc, buf, 8);
    if ((desc & 1) == 0) {
      return fail(ErrorCode::not_mapped, "address " + hex(vaddr) + " is not mapped (level-" +
                                             std::to_string(static_cast<int>(4 - levels + n)) + " descriptor invalid)",
                  vaddr);
    }
    bool table_or_page = (desc & 2) != 0;
    if (level_from_bottom == 0) {
      if (!table_or_page) return fail(ErrorCode::not_mapped, "address " + hex(vaddr) + ": a reserved last-level descriptor", vaddr);
      return output_address(desc, lpa2) | (vaddr & (kPage - 1));
    }
    if (!table_or_page) {  // a block: 2 MiB, 1 GiB (or 512 GiB with LPA2)
      std::uint64_t mask = (1ull << shift) - 1;
      return (output_address(desc, lpa2) & ~mask) | (vaddr & mask);
    }
    table = output_address(desc, lpa2);
  }
  return fail(ErrorCode::not_mapped, "address " + hex(vaddr) + ": the page walk found no page", vaddr);
}

Aarch64Layout aarch64_layout(const VmcoreInfo& info, Diagnostics& diags) {
  Aarch64Layout l;
  auto va_bits = info.number("VA_BITS");
  if (va_bits && *va_bits >= 36 && *va_bits <= 52) {
    l.va_bits = static_cast<unsigned>(*va_bits);
  } else {
    diags.warn("vmcoreinfo-no-va-bits", "VMCOREINFO has no believable NUMBER(VA_BITS): 48-bit VAs assumed");
  }
  l.va_bits_actual = l.va_bits;
  if (auto t1sz = info.number("TCR_EL1_T1SZ"); t1sz && *t1sz >= 12 && *t1sz <= 28) {
    l.va_bits_actual = 64 - static_cast<unsigned>(*t1sz);
  }
  auto voffset = info.number("kimage_voffset");
  auto phys_offset = info.number("PHYS_OFFSET");
  if (phys_offset) {
    l.phys_offset = static_cast<std::uint64_t>(*phys_offset);
    l.has_linear = true;
  } else {
    diags.warn("vmcoreinfo-no-phys-offset", "VMCOREINFO has no NUMBER(PHYS_OFFSET): the linear map is read through the page tables");
  }
  auto swapper = info.symbol("swapper_pg_dir");
  if (voffset && swapper) {
    l.kimage_voffset = static_cast<std::uint64_t>(*voffset);
    l.pgd_paddr = *swapper - l.kimage_voffset;
  } else {
    diags.warn("no-page-tables", "VMCOREINFO lacks SYMBOL(swapper_pg_dir) or NUMBER(kimage_voffset): only the linear "
                                 "map can be read");
  }
  return l;
}

std::unique_ptr<const KernelPageTables> aarch64_page_tables(const KernelDump& dump, Diagnostics& diags) {
  return std::make_unique<Aarch64PageTables>(aarch64_layout(dump.vmcoreinfo, diags));
}

}  // namespace corelens
