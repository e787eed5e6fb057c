// Per-cpu variables of a kernel dump: where variable NAME of CPU n is, as per_cpu_ptr() computes
// it on every architecture, &NAME + __per_cpu_offset[n]. &NAME is its kallsyms address (on x86_64
// an offset into the per-cpu section, which starts at 0; on arm64 its link address), or, when
// kallsyms names no data (a kernel without KALLSYMS_ALL), __per_cpu_start plus the variable's
// offset in BTF's .data..percpu, __per_cpu_start being learnt from any per-cpu variable that both
// name (an exported one, see ksymtab_search.hpp).
//
// Ownership: references MEMORY, SYMBOLS and BTF, which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/model/kernel/kernel_memory.hpp"
#include "parsers/kernel/btf.hpp"
#include "parsers/kernel/kallsyms.hpp"

namespace corelens {

class KernelPerCpu {
 public:
  KernelPerCpu(const KernelMemory& memory, const KernelSymbols& symbols, const KernelBtf* btf);

  bool available() const { return offsets_.has_value(); }
  // __per_cpu_offset[CPU].
  std::optional<std::uint64_t> base(std::uint32_t cpu) const;
  // &NAME on CPU.
  std::optional<std::uint64_t> address(std::string_view name, std::uint32_t cpu) const;
  // The u64 at &NAME + MEMBER_OFFSET on CPU; nullopt when unreadable or zero (never set).
  std::optional<std::uint64_t> read_u64(std::string_view name, std::uint64_t member_offset, std::uint32_t cpu) const;

 private:
  std::optional<std::uint64_t> link_address(std::string_view name) const;

  const KernelMemory& memory_;
  const KernelSymbols& symbols_;
  const KernelBtf* btf_;
  std::optional<std::uint64_t> offsets_;          // __per_cpu_offset
  std::optional<std::uint64_t> per_cpu_start_;    // __per_cpu_start, for BTF's offsets
};

}  // namespace corelens
