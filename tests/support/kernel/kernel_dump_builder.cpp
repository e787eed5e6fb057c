// See kernel_dump_builder.hpp.
#include "tests/support/kernel/kernel_dump_builder.hpp"

#include <stdexcept>

namespace corelens::testing {

BuiltCore build_vmcore(const VmcoreSpec& spec) {
  CoreBuilder b;
  b.format(spec.format);
  // fs/proc/vmcore.c merges the CPUs' notes (crash_save_cpu: NT_PRSTATUS, "CORE") and then
  // VMCOREINFO into one PT_NOTE; there is no process-wide note.
  for (const ThreadSpec& cpu : spec.cpus) {
    b.add_raw_note("CORE", elfc::NT_PRSTATUS, CoreBuilder::encode_prstatus(cpu, spec.format));
  }
  if (!spec.vmcoreinfo.empty()) {
    b.add_raw_note("VMCOREINFO", elfc::NT_VMCOREINFO, Bytes(spec.vmcoreinfo.begin(), spec.vmcoreinfo.end()));
  }
  for (const VmcoreSegment& s : spec.segments) {
    b.add_segment(s.vaddr, s.bytes.size(), elfc::PF_R | elfc::PF_W | elfc::PF_X, s.bytes, s.paddr);
  }
  return b.build();
}

// disk_dump_header (makedumpfile diskdump.h, header_version 6): the signature, header_version,
// utsname, timestamp, status, block_size, sub_hdr_size (in blocks), bitmap_blocks, max_mapnr ...
// nr_cpus; the sub-header from block 1; then the bitmaps (the RAM one, then the dumped one, each
// bitmap_blocks / 2 blocks, bit N of byte N / 8 for pfn N), the page descriptors and the pages.
BuiltKdump build_kdump(const KdumpSpec& spec) {
  const std::uint64_t bs = spec.block_size;
  if (bs == 0 || (bs & (bs - 1)) != 0) throw std::invalid_argument("kdump_builder: block size not a power of two");
  std::uint64_t max_mapnr = spec.max_mapnr;
  if (max_mapnr == 0) {
    for (const auto& [pfn, page] : spec.pages) max_mapnr = std::max(max_mapnr, pfn + 1);
    for (std::uint64_t pfn : spec.ram_pfns) max_mapnr = std::max(max_mapnr, pfn + 1);
  }
  auto blocks = [&](std::uint64_t bytes) { return std::max<std::uint64_t>(1, (bytes + bs - 1) / bs); };
  BuiltKdump out;
  KdumpLayout& L = out.layout;
  L.sub_header = bs;
  const std::uint64_t sub_blocks = blocks(kdumpc::kSubMaxMapnr64 + 8 + spec.vmcoreinfo.size());
  L.vmcoreinfo = spec.vmcoreinfo.empty() ? 0 : L.sub_header + kdumpc::kSubMaxMapnr64 + 8;
  const std::uint64_t bitmap_blocks = blocks((max_mapnr + 7) / 8);
  L.bitmap_bytes = bitmap_blocks * bs;
  L.ram_bitmap = (1 + sub_blocks) * bs;
  L.dumped_bitmap = L.ram_bitmap + L.bitmap_bytes;
  L.descriptors = L.dumped_bitmap + L.bitmap_bytes;
  L.pages = L.descriptors + blocks(spec.pages.size() * kdumpc::kPageDescSize) * bs;

  ByteWriter w({}, L.descriptors);  // little-endian: the formats of the tests' machines
  w.text(0, kdumpc::kSignature);
  w.u32(kdumpc::kHdrVersion, 6);
  w.text_field(kdumpc::kHdrUtsname + 2 * kdumpc::kUtsField, spec.release, kdumpc::kUtsField - 1);
  w.text_field(kdumpc::kHdrUtsname + 4 * kdumpc::kUtsField, spec.machine, kdumpc::kUtsField - 1);
  w.u32(kdumpc::kHdrBlockSize, bs);
  w.u32(kdumpc::kHdrSubHdrSize, sub_blocks);
  w.u32(kdumpc::kHdrBitmapBlocks, 2 * bitmap_blocks);
  w.u32(kdumpc::kHdrMaxMapnr, max_mapnr > 0xffffffffu ? 0 : max_mapnr);
  w.u32(kdumpc::kHdrNrCpus, static_cast<std::uint32_t>(spec.nr_cpus));
  w.u64(L.sub_header + kdumpc::kSubPhysBase, spec.phys_base);
  if (!spec.vmcoreinfo.empty()) {
    w.u64(L.sub_header + kdumpc::kSubOffsetVmcoreinfo, L.vmcoreinfo);
    w.u64(L.sub_header + kdumpc::kSubSizeVmcoreinfo, spec.vmcoreinfo.size());
    w.text(L.vmcoreinfo, spec.vmcoreinfo);
  }
  w.u64(L.sub_header + kdumpc::kSubMaxMapnr64, max_mapnr);
  auto set_bit = [&](std::uint64_t bitmap, std::uint64_t pfn) {
    const std::uint64_t at = bitmap + pfn / 8;
    w.u8(at, w.get(at, 1) | (1u << (pfn % 8)));
  };
  for (std::uint64_t pfn : spec.ram_pfns) set_bit(L.ram_bitmap, pfn);
  std::uint64_t data = L.pages, desc = L.descriptors;
  for (const auto& [pfn, page] : spec.pages) {
    if (page.size() != bs) throw std::invalid_argument("kdump_builder: a page is not block_size bytes");
    set_bit(L.ram_bitmap, pfn);
    set_bit(L.dumped_bitmap, pfn);
    w.u64(desc, data);
    w.u32(desc + 8, page.size());
    w.u32(desc + 12, 0);  // flags: not compressed
    w.u64(desc + 16, 0);  // page_flags
    w.bytes(data, page);
    desc += kdumpc::kPageDescSize;
    data += page.size();
  }
  w.resize(std::max<std::uint64_t>(w.size(), L.pages));
  out.bytes = w.take();
  return out;
}

// makedumpfile.h: struct makedumpfile_header {char signature[16]; i64 type; i64 version;} in a
// 4096-byte block, then struct makedumpfile_data_header {i64 offset; i64 buf_size;} + data
// records, all big-endian, ended by a record of offset -1 and size -1 (END_FLAG_FLAT_HEADER).
Bytes flat_header() {
  ByteWriter w({.big_endian = true}, kFlatHeaderSize);
  w.text(0, kFlatSignature);
  w.u64(16, 1);  // TYPE_FLAT_HEADER
  w.u64(24, 1);  // VERSION_FLAT_HEADER
  return w.take();
}

void put_flat_record(Bytes& out, std::size_t at, std::int64_t offset, std::int64_t size) {
  ByteWriter w({.big_endian = true}, std::move(out));
  w.u64(at, static_cast<std::uint64_t>(offset));
  w.u64(at + 8, static_cast<std::uint64_t>(size));
  out = w.take();
}

Bytes flatten(const Bytes& bytes, std::size_t chunk) {
  if (chunk == 0) throw std::invalid_argument("kdump_builder: flatten in chunks of 0 bytes");
  Bytes out = flat_header();
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    const std::size_t n = std::min(chunk, bytes.size() - at);
    put_flat_record(out, out.size(), static_cast<std::int64_t>(at), static_cast<std::int64_t>(n));
    out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
  }
  put_flat_record(out, out.size(), -1, -1);
  return out;
}

}  // namespace corelens::testing
