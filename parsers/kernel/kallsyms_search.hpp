// Where the kallsyms tables are when VMCOREINFO does not say (kernels before 6.0 name them nowhere
// but in the vmlinux): found in the kernel image's memory by their structure, as tools that recover
// symbols from raw kernel images do. scripts/kallsyms.c lays them out in .rodata, each aligned to
// 8 bytes, in this order (5.x):
//   kallsyms_offsets        s32 x num_syms
//   kallsyms_relative_base  u64: the lowest text address (with KALLSYMS_ABSOLUTE_PERCPU, minus nothing)
//   kallsyms_num_syms       u32 (then padding)
//   kallsyms_names          per symbol a length byte and that many token indices
//   kallsyms_markers        u32 x ceil(num_syms / 256): offset in names of every 256th symbol
//   kallsyms_token_table    256 NUL-terminated tokens; a byte that occurs in symbol names as itself
//                           is its own one-character token, so "0".."9" follow each other
//   kallsyms_token_index    u16 x 256: each token's offset in token_table
// The search finds "0\0" .. "9\0", walks back to the table's start, checks that token_index holds
// exactly those offsets, then walks the markers back to names and checks that decoding num_syms
// names from there lands every 256th symbol on its marker and ends at the markers.
//
// Ownership: plain values; reads through the KernelMemory it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/model/kernel/kernel_memory.hpp"

namespace corelens {

struct KallsymsTables {
  std::uint64_t num_syms = 0, names = 0, markers = 0, token_table = 0, token_index = 0, offsets = 0,
                relative_base = 0;
};

struct KallsymsSearchLimits {
  std::uint64_t max_image = 128ull << 20;  // bytes of the kernel image searched from its start
  std::uint32_t max_symbols = 1u << 22;
};

// The tables within [START, START + limits.max_image), or nullopt with WHY saying what was not found.
std::optional<KallsymsTables> find_kallsyms_tables(const KernelMemory& memory, std::uint64_t start, std::string& why,
                                                   const KallsymsSearchLimits& limits = {});

}  // namespace corelens
