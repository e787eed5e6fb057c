// The kernel's exported symbols (EXPORT_SYMBOL: __ksymtab and __ksymtab_gpl), found in the kernel
// image by their structure, for kernels whose kallsyms names functions only (no KALLSYMS_ALL:
// Debian 12's arm64) but which export the data a dump reader needs (init_task, __per_cpu_offset,
// cpu_number). With PREL32 relocations (x86_64, arm64; 5.4+) an entry is three s32, each an
// offset from its own address: the symbol, its name in __ksymtab_strings, its namespace. The
// search finds each wanted name as a NUL-delimited string, then the entry whose name field points
// at it, and checks that the entries next to it are entries too, in name order.
//
// Ownership: plain values; reads through the KernelMemory it is given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/kernel/kernel_memory.hpp"
#include "parsers/kernel/kallsyms.hpp"

namespace corelens {

struct KsymtabSearchLimits {
  std::uint64_t max_image = 96ull << 20;  // bytes of the kernel image searched from its start
};

// The exported symbols among NAMES, with their addresses (type 'D'); missing ones are left out.
std::vector<KernelSymbol> find_exported_symbols(const KernelMemory& memory, std::uint64_t image_start,
                                                const std::vector<std::string>& names,
                                                const KsymtabSearchLimits& limits = {});

}  // namespace corelens
