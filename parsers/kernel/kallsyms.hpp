// The kernel's own symbol table (kallsyms), decoded from the dump's memory with no vmlinux:
// VMCOREINFO gives SYMBOL(kallsyms_num_syms / names / token_table / token_index / offsets /
// relative_base) from 6.0; before, kallsyms_search.hpp finds them in the kernel image.
// Layout of Linux 6.1 (kernel/kallsyms.c, scripts/kallsyms.c):
//   names        per symbol: a length (one byte, or two when the first has bit 7 set: 6.1+),
//                then that many token indices; the expanded first character is the type
//   token_index  u16 offset into token_table of each of 256 tokens (NUL-terminated strings)
//   offsets      s32 per symbol; with KALLSYMS_ABSOLUTE_PERCPU (x86_64 SMP) a value >= 0 is
//                absolute (per-cpu symbols), else the address is relative_base - 1 - value;
//                without it (arm64) an unsigned offset from relative_base
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_dump.hpp"
#include "core/model/kernel/kernel_memory.hpp"
#include "parsers/kernel/kallsyms_search.hpp"

namespace corelens {

struct KernelSymbol {
  std::uint64_t address = 0;
  char type = '?';       // t, T, d, D, b, B, r, R ... as in /proc/kallsyms
  std::string name;
};

class KernelSymbols {
 public:
  bool empty() const { return by_address_.empty(); }
  std::size_t size() const { return by_address_.size(); }
  // The function or object containing ADDR: the last symbol at or below it, if any.
  struct Hit {
    const KernelSymbol* symbol = nullptr;
    std::uint64_t offset = 0;
  };
  std::optional<Hit> lookup(std::uint64_t addr) const;
  std::optional<std::uint64_t> address_of(const std::string& name) const;
  // Every address NAME has (static functions of different files may share a name), lowest first.
  std::vector<std::uint64_t> addresses_of(const std::string& name) const;
  // How far the symbol at ADDRESS extends: to the next symbol at a higher address, as the kernel's
  // kallsyms_lookup_size_offset() measures the "/0x20" of "sysrq_handle_crash+0x16/0x20".
  std::optional<std::uint64_t> extent(std::uint64_t address) const;
  // "sysrq_handle_crash+0x16"
  std::string describe(std::uint64_t addr) const;

  void assign(std::vector<KernelSymbol> symbols);  // sorts by address
  void add(std::vector<KernelSymbol> more);         // found elsewhere (the exported symbols)

 private:
  std::vector<KernelSymbol> by_address_;
  std::vector<std::uint32_t> by_name_;  // indices into by_address_, sorted by name
};

struct KallsymsLimits {
  std::uint32_t max_symbols = 1u << 22;
  std::uint64_t max_names_bytes = 64ull << 20;
};

// One symbol's address from its kallsyms_offsets entry.
std::uint64_t kallsyms_address(std::int32_t offset, std::uint64_t relative_base, bool absolute_percpu);

// The tables VMCOREINFO names (6.0+), or else those find_kallsyms_tables() finds in the image.
KernelSymbols read_kallsyms(const KernelMemory& memory, const VmcoreInfo& info, Diagnostics& diags,
                            const KallsymsLimits& limits = {});
KernelSymbols read_kallsyms(const KernelMemory& memory, const KallsymsTables& tables, Diagnostics& diags,
                            const KallsymsLimits& limits = {});

}  // namespace corelens
