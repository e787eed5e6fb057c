// Test-only builders of the kernel's dump formats, from layouts written out here (makedumpfile's
// diskdump.h and makedumpfile.h, the kernel's crash_core.c and fs/proc/vmcore.c), never from the
// parsers' definitions, for the same reason as core_builder.hpp:
//   build_vmcore        an ELF vmcore as /proc/vmcore, `makedumpfile -E` and QEMU's
//                       dump-guest-memory write it: PT_NOTE with each CPU's NT_PRSTATUS and the
//                       VMCOREINFO note, PT_LOADs with their physical addresses
//   build_kdump         a kdump-compressed file ("KDUMP   "): header, sub-header, VMCOREINFO, the
//                       two bitmaps, page descriptors and the pages
//   flatten             the same bytes in makedumpfile's flattened format (`makedumpfile -F`)
// Every builder reports where things landed, for tests that damage exact bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/support/byte_writer.hpp"
#include "tests/support/core_builder.hpp"

namespace corelens::testing {

// ---- ELF vmcore ----------------------------------------------------------------------------

struct VmcoreSegment {
  std::uint64_t vaddr = 0;  // the direct map's address of PADDR (0: a QEMU dump's unknown)
  std::uint64_t paddr = 0;
  Bytes bytes;              // saved; memsz = bytes.size()
};
struct VmcoreSpec {
  ElfFormat format;                     // x86_64 by default
  std::vector<ThreadSpec> cpus;         // one NT_PRSTATUS per CPU ("CORE"), in CPU order
  std::string vmcoreinfo;               // the note's text; empty: no VMCOREINFO note
  std::vector<VmcoreSegment> segments;  // PT_LOADs, page-aligned in the file
};
BuiltCore build_vmcore(const VmcoreSpec& spec);

// ---- kdump-compressed ----------------------------------------------------------------------

// Offsets of the disk_dump_header fields (header_version 6) and kdump_sub_header fields.
namespace kdumpc {
inline constexpr std::string_view kSignature = "KDUMP   ";
inline constexpr std::size_t kHdrVersion = 8;
inline constexpr std::size_t kHdrUtsname = 12;  // struct new_utsname: six char[65]
inline constexpr std::size_t kUtsField = 65;
inline constexpr std::size_t kHdrBlockSize = 428;
inline constexpr std::size_t kHdrSubHdrSize = 432;
inline constexpr std::size_t kHdrBitmapBlocks = 436;
inline constexpr std::size_t kHdrMaxMapnr = 440;
inline constexpr std::size_t kHdrNrCpus = 460;
inline constexpr std::size_t kSubPhysBase = 0;
inline constexpr std::size_t kSubOffsetVmcoreinfo = 32;
inline constexpr std::size_t kSubSizeVmcoreinfo = 40;
inline constexpr std::size_t kSubMaxMapnr64 = 96;
inline constexpr std::size_t kPageDescSize = 24;  // offset u64, size u32, flags u32, page_flags u64
inline constexpr std::uint32_t kCompressZlib = 0x1;
}  // namespace kdumpc

struct KdumpSpec {
  std::string machine = "x86_64";  // utsname.machine
  std::string release;             // utsname.release
  std::uint32_t block_size = 4096;  // also the page size
  std::int32_t nr_cpus = 1;
  std::uint64_t max_mapnr = 0;     // 0: one past the highest page given
  std::uint64_t phys_base = 0;
  std::string vmcoreinfo;          // written after the sub-header; empty: none
  // Saved pages by page frame number, stored uncompressed (flags 0); RAM without a saved page
  // (filtered out) is RAM_PFNS.
  std::map<std::uint64_t, Bytes> pages;
  std::vector<std::uint64_t> ram_pfns;
};
struct KdumpLayout {
  std::uint64_t sub_header = 0;     // block 1
  std::uint64_t vmcoreinfo = 0;     // 0: none
  std::uint64_t ram_bitmap = 0;     // the first bitmap (which pages are RAM)
  std::uint64_t dumped_bitmap = 0;  // the second (which are saved)
  std::uint64_t bitmap_bytes = 0;   // of each
  std::uint64_t descriptors = 0;    // page_desc array, one per saved page in pfn order
  std::uint64_t pages = 0;          // the page data
};
struct BuiltKdump {
  Bytes bytes;
  KdumpLayout layout;
};
BuiltKdump build_kdump(const KdumpSpec& spec);

// ---- flattened -----------------------------------------------------------------------------

inline constexpr std::string_view kFlatSignature = "makedumpfile";
inline constexpr std::size_t kFlatHeaderSize = 4096;  // MAX_SIZE_MDF_HEADER
inline constexpr std::size_t kFlatRecordHeader = 16;  // i64 offset, i64 size, big-endian
// BYTES as one record per CHUNK bytes (in file order), then the end marker (offset and size -1).
Bytes flatten(const Bytes& bytes, std::size_t chunk = 1 << 20);
// Just the flattened header (signature, type 1, version 1): records follow at kFlatHeaderSize.
Bytes flat_header();
// A record header at AT: OFFSET and SIZE big-endian, whatever the data that follows.
void put_flat_record(Bytes& out, std::size_t at, std::int64_t offset, std::int64_t size);

}  // namespace corelens::testing
