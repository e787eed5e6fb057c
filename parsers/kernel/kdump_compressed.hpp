// makedumpfile's kdump-compressed format ("diskdump", header signature "KDUMP   ", version 6):
//
//   block 0            struct disk_dump_header: utsname, block_size, sub_hdr_size,
//                      bitmap_blocks, max_mapnr, nr_cpus ...
//   block 1            struct kdump_sub_header: phys_base, offset/size of VMCOREINFO and of the
//                      ELF notes (NT_PRSTATUS per CPU, QEMU's CPU notes), 64-bit max_mapnr (v6)
//   1 + sub_hdr_size   two bitmaps of max_mapnr bits each: 1st = pages that are RAM,
//                      2nd = pages saved in the file (makedumpfile -d filters the rest)
//   then               one struct page_desc {offset, size, flags, page_flags} per saved page, in
//                      pfn order; flags say zlib (1), lzo (2), snappy (4), zstd (0x20), or raw
//
// Pages are decompressed on demand (parsers/kernel/page_compression.hpp) into a small cache.
#pragma once

#include <memory>

#include "core/model/kernel/kernel_dump.hpp"

namespace corelens {

Result<KernelDump> parse_kdump_compressed(std::shared_ptr<const MappedFile> file, const KernelLimits& limits = {});

}  // namespace corelens
