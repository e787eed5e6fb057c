#include "core/model/kernel/kernel_memory.hpp"

#include <cstring>

#include "core/model/kernel/kernel_memory_aarch64.hpp"
#include "core/model/kernel/kernel_memory_x86_64.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::size_t kMaxCachedPages = 1u << 16;

}  // namespace

KernelMemory::KernelMemory(std::shared_ptr<const PhysicalMemory> physical, std::unique_ptr<const KernelPageTables> tables,
                           Arch arch)
    : physical_(std::move(physical)), tables_(std::move(tables)), arch_(arch) {}

Result<std::uint64_t> KernelMemory::translate(std::uint64_t vaddr) const {
  if (!tables_->cacheable(vaddr)) return tables_->translate(vaddr, *physical_);
  std::uint64_t vpage = vaddr & ~(kPage - 1);
  {
    std::lock_guard lock(cache_mutex_);
    auto it = page_cache_.find(vpage);
    if (it != page_cache_.end()) return it->second | (vaddr & (kPage - 1));
  }
  auto p = tables_->translate(vaddr, *physical_);
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
  std::unique_ptr<const KernelPageTables> tables =
      dump.arch == Arch::aarch64 ? aarch64_page_tables(dump, diags) : x86_64_page_tables(dump, diags);
  return std::make_shared<KernelMemory>(dump.physical, std::move(tables), dump.arch);
}

}  // namespace corelens
