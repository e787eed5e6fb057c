// Kernel virtual addresses -> physical addresses -> bytes of the dump. How an address translates
// is the architecture's: KernelPageTables has one implementation per architecture
// (core/kernel_x86_64.hpp, core/kernel_aarch64.hpp); KernelMemory adds the reads and a cache.
//
// Ownership: KernelMemory holds the PhysicalMemory shared and owns its page tables; a small
// translation cache is guarded by a mutex, so one KernelMemory may be read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

#include "core/model/arch.hpp"
#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/memory_source.hpp"

namespace corelens {

// One architecture's kernel address translation: fixed offsets where the kernel maps memory
// linearly, and its page tables (read from PHYSICAL) everywhere else.
class KernelPageTables {
 public:
  virtual ~KernelPageTables() = default;
  // The physical address of VADDR; an error (not_mapped, not_saved ...) says why it has none.
  virtual Result<std::uint64_t> translate(std::uint64_t vaddr, const PhysicalMemory& physical) const = 0;
  // A translation that may be cached per 4 KiB page (a page walk); fixed offsets need none.
  virtual bool cacheable(std::uint64_t vaddr) const = 0;
};

class KernelMemory final : public MemorySource {
 public:
  KernelMemory(std::shared_ptr<const PhysicalMemory> physical, std::unique_ptr<const KernelPageTables> tables,
               Arch arch);

  Arch arch() const { return arch_; }
  Result<std::uint64_t> translate(std::uint64_t vaddr) const;
  Result<void> read(std::uint64_t vaddr, std::span<std::byte> out) const override;
  Result<std::uint64_t> read_u64(std::uint64_t vaddr) const;
  Result<std::uint32_t> read_u32(std::uint64_t vaddr) const;
  Result<std::uint16_t> read_u16(std::uint64_t vaddr) const;
  Result<std::uint8_t> read_u8(std::uint64_t vaddr) const;
  const PhysicalMemory& physical() const { return *physical_; }

 private:
  std::shared_ptr<const PhysicalMemory> physical_;
  std::unique_ptr<const KernelPageTables> tables_;
  Arch arch_;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::uint64_t, std::uint64_t> page_cache_;  // vpage -> ppage (4 KiB)
};

// Builds the KernelMemory of DUMP with its architecture's page tables, located from VMCOREINFO
// (or a CPU's saved page table root). Adds a diagnostic when only part of the address space can
// be translated.
std::shared_ptr<const KernelMemory> make_kernel_memory(const KernelDump& dump, Diagnostics& diags);

}  // namespace corelens
