#include "parsers/kernel/kdump_compressed.hpp"

#include <bit>
#include <cstring>
#include <list>
#include <mutex>
#include <unordered_map>

#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"
#include "parsers/kernel/kernel_notes.hpp"
#include "parsers/kernel/page_compression.hpp"
#include "parsers/kernel/vmcoreinfo.hpp"

namespace corelens {
namespace {

// struct disk_dump_header (makedumpfile diskdump_mod.h), x86_64 offsets.
constexpr std::uint64_t kHdrVersion = 8;
constexpr std::uint64_t kHdrUtsRelease = 12 + 2 * 65;  // new_utsname: sysname, nodename, release ...
constexpr std::uint64_t kHdrUtsMachine = 12 + 4 * 65;
constexpr std::uint64_t kHdrBlockSize = 428;
constexpr std::uint64_t kHdrSubHdrSize = 432;
constexpr std::uint64_t kHdrBitmapBlocks = 436;
constexpr std::uint64_t kHdrMaxMapnr = 440;
constexpr std::uint64_t kHdrNrCpus = 460;
// struct kdump_sub_header.
constexpr std::uint64_t kSubPhysBase = 0;
constexpr std::uint64_t kSubOffsetVmcoreinfo = 32;
constexpr std::uint64_t kSubSizeVmcoreinfo = 40;
constexpr std::uint64_t kSubOffsetNote = 48;
constexpr std::uint64_t kSubSizeNote = 56;
constexpr std::uint64_t kSubMaxMapnr64 = 96;
constexpr std::uint64_t kPageDescSize = 24;
// page_desc.flags
constexpr std::uint32_t kZlib = 0x1, kLzo = 0x2, kSnappy = 0x4, kIncomplete = 0x8, kZstd = 0x20;

constexpr std::uint64_t kRankStride = 4096;   // bits per precomputed rank entry
constexpr std::size_t kCachedPages = 256;
// ranges() lists at most this many runs of RAM: a real machine has a few dozen; a hostile bitmap
// of alternating bits must not make one per page.
constexpr std::size_t kMaxRamRanges = 100'000;
// block_size bounds: makedumpfile writes the page size; anything outside is not a diskdump.
constexpr std::int32_t kMinBlockSize = 512, kMaxBlockSize = 1 << 20;

class KdumpPhysicalMemory final : public PhysicalMemory {
 public:
  KdumpPhysicalMemory(std::shared_ptr<const MappedFile> file, std::uint64_t page_size, std::uint64_t max_mapnr,
                      ByteReader ram_bitmap, ByteReader dumped_bitmap, ByteReader descs)
      : file_(std::move(file)), page_size_(page_size), max_mapnr_(max_mapnr), ram_(ram_bitmap),
        dumped_(dumped_bitmap), descs_(descs) {
    // rank_[i] = saved pages before pfn i * kRankStride: the index of a page's descriptor.
    std::uint64_t count = 0;
    auto bytes = dumped_.bytes();
    for (std::uint64_t pfn = 0; pfn < max_mapnr_; pfn += kRankStride) {
      rank_.push_back(count);
      std::uint64_t first = pfn / 8, last = std::min<std::uint64_t>((pfn + kRankStride) / 8, bytes.size());
      for (std::uint64_t b = first; b < last; ++b) count += static_cast<unsigned>(std::popcount(std::to_integer<unsigned>(bytes[b])));
    }
  }

  Result<void> read(std::uint64_t paddr, std::span<std::byte> out) const override {
    std::size_t done = 0;
    while (done < out.size()) {
      std::uint64_t addr = paddr + done;
      std::uint64_t in_page = addr % page_size_;
      std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, page_size_ - in_page));
      auto r = read_page(addr / page_size_, in_page, out.subspan(done, chunk));
      if (!r) return r;
      done += chunk;
    }
    return {};
  }

  std::vector<PhysicalRange> ranges() const override {
    std::vector<PhysicalRange> out;
    for (std::uint64_t pfn = 0; pfn < max_mapnr_ && out.size() < kMaxRamRanges; ++pfn) {
      if (!bit(ram_, pfn)) continue;
      if (!out.empty() && out.back().end() == pfn * page_size_) out.back().size += page_size_;
      else out.push_back({pfn * page_size_, page_size_});
    }
    return out;
  }

  std::string compressions_seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  // Reads every descriptor once to learn which compressions the file uses (cheap: 24 bytes each).
  std::string scan_compressions(std::uint64_t max_descs) const {
    std::uint32_t flags_union = 0;
    bool raw = false;
    std::uint64_t n = std::min<std::uint64_t>(descs_.size() / kPageDescSize, max_descs);
    for (std::uint64_t i = 0; i < n; ++i) {
      std::uint32_t f = descs_.u32(i * kPageDescSize + 12).value_or(0);
      flags_union |= f;
      if ((f & (kZlib | kLzo | kSnappy | kZstd)) == 0) raw = true;
    }
    std::string s;
    auto add = [&](bool on, const char* name) {
      if (on) s += (s.empty() ? "" : "+") + std::string(name);
    };
    add(flags_union & kZlib, "zlib");
    add(flags_union & kLzo, "lzo");
    add(flags_union & kSnappy, "snappy");
    add(flags_union & kZstd, "zstd");
    add(raw, "uncompressed");
    return s;
  }

 private:
  static bool bit(const ByteReader& bitmap, std::uint64_t pfn) {
    auto b = bitmap.u8(pfn / 8);
    return b && ((*b >> (pfn % 8)) & 1u) != 0;
  }

  Result<void> read_page(std::uint64_t pfn, std::uint64_t in_page, std::span<std::byte> out) const {
    std::uint64_t paddr = pfn * page_size_ + in_page;
    if (pfn >= max_mapnr_ || !bit(ram_, pfn)) {
      return fail(ErrorCode::not_saved, "physical " + hex(paddr) + " is not RAM the dump describes", paddr);
    }
    if (!bit(dumped_, pfn)) {
      return fail(ErrorCode::not_saved, "physical " + hex(paddr) +
                                            " was filtered out of the dump (makedumpfile -d: zero, cache, user or free page)", paddr);
    }
    {
      std::lock_guard lock(mutex_);
      auto it = cache_.find(pfn);
      if (it != cache_.end()) {
        std::memcpy(out.data(), it->second.data() + in_page, out.size());
        return {};
      }
    }
    // The descriptor's index: saved pages before this one.
    std::uint64_t index = rank_[pfn / kRankStride];
    auto bytes = dumped_.bytes();
    std::uint64_t b = (pfn / kRankStride) * kRankStride / 8;
    for (; b < pfn / 8; ++b) index += static_cast<unsigned>(std::popcount(std::to_integer<unsigned>(bytes[b])));
    index += static_cast<unsigned>(std::popcount(std::to_integer<unsigned>(bytes[pfn / 8]) & ((1u << (pfn % 8)) - 1)));
    std::uint64_t d = index * kPageDescSize;
    auto offset = descs_.u64(d);
    auto size = descs_.u32(d + 8);
    auto flags = descs_.u32(d + 12);
    if (!offset || !size || !flags) {
      return fail(ErrorCode::truncated, "the descriptor of physical page " + hex(pfn * page_size_) +
                                            " is past the end of the file", descs_.base() + d);
    }
    ByteReader file(file_->bytes());
    auto data = file.span(*offset, *size);
    if (!data) {
      return fail(ErrorCode::truncated, "physical page " + hex(pfn * page_size_) + ": its " + std::to_string(*size) +
                                            " bytes at offset " + hex(*offset) + " are past the end of the file", *offset);
    }
    std::vector<std::byte> page(page_size_);
    if (*flags & kIncomplete) {
      return fail(ErrorCode::not_saved, "physical page " + hex(pfn * page_size_) + " is marked incomplete (the dump was cut short)", paddr);
    }
    Result<void> r;
    if (*flags & kZlib) r = decompress_page(PageCompression::zlib, *data, page);
    else if (*flags & kLzo) r = decompress_page(PageCompression::lzo, *data, page);
    else if (*flags & kSnappy) r = decompress_page(PageCompression::snappy, *data, page);
    else if (*flags & kZstd) r = decompress_page(PageCompression::zstd, *data, page);
    else if (*size == page_size_) std::memcpy(page.data(), data->data(), page_size_);
    else r = fail(ErrorCode::malformed, "uncompressed page of " + std::to_string(*size) + " bytes");
    if (!r) {
      Error e = r.error();
      e.message = "physical page " + hex(pfn * page_size_) + ": " + e.message;
      e.where = *offset;
      return unexpected(e);
    }
    std::memcpy(out.data(), page.data() + in_page, out.size());
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kCachedPages) cache_.clear();
    cache_.emplace(pfn, std::move(page));
    return {};
  }

  std::shared_ptr<const MappedFile> file_;
  std::uint64_t page_size_, max_mapnr_;
  ByteReader ram_, dumped_, descs_;
  std::vector<std::uint64_t> rank_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::uint64_t, std::vector<std::byte>> cache_;
  mutable std::string seen_;
};

}  // namespace

Result<KernelDump> parse_kdump_compressed(std::shared_ptr<const MappedFile> file, const KernelLimits& limits) {
  ByteReader f(file->bytes());
  if (f.size() < 8 || std::memcmp(f.bytes().data(), "KDUMP   ", 8) != 0) {
    return fail(ErrorCode::not_a_dump, "not a kdump-compressed dump (no \"KDUMP   \" signature)");
  }
  auto nr_cpus_field = f.i32(kHdrNrCpus);
  if (!nr_cpus_field) return fail(ErrorCode::truncated, "the diskdump header is cut off: " + nr_cpus_field.error().message, 0);
  std::int32_t version = *f.i32(kHdrVersion);
  std::int32_t block_size = *f.i32(kHdrBlockSize);
  std::int32_t sub_hdr_size = *f.i32(kHdrSubHdrSize);
  std::uint32_t bitmap_blocks = *f.u32(kHdrBitmapBlocks);
  std::uint64_t max_mapnr = *f.u32(kHdrMaxMapnr);
  // makedumpfile writes the kernel's utsname.machine; QEMU 7.2 writes "x86_64", but "Unknown" for
  // arm64 and nothing at all in some versions: then the CPU notes tell.
  std::string machine = f.fixed_string(kHdrUtsMachine, 65);
  bool arch_known = machine == "x86_64" || machine == "aarch64";
  if (!arch_known && !machine.empty() && machine != "Unknown") {
    return fail(ErrorCode::unsupported, "a diskdump of machine \"" + printable(machine) +
                                            "\"; only x86_64 and aarch64 are supported");
  }
  if (block_size < kMinBlockSize || block_size > kMaxBlockSize || !std::has_single_bit(static_cast<std::uint32_t>(block_size))) {
    return fail(ErrorCode::malformed, "block_size " + std::to_string(block_size) + " is not a power of two in [512, 1 MiB]",
                kHdrBlockSize);
  }
  if (sub_hdr_size < 0 || bitmap_blocks == 0) {
    return fail(ErrorCode::malformed, "sub_hdr_size " + std::to_string(sub_hdr_size) + " / bitmap_blocks " +
                                          std::to_string(bitmap_blocks) + " are impossible", kHdrSubHdrSize);
  }
  const std::uint64_t bs = static_cast<std::uint64_t>(block_size);
  KernelDump dump;
  dump.arch = machine == "aarch64" ? Arch::aarch64 : Arch::x86_64;
  dump.format = "kdump-compressed (diskdump v" + std::to_string(version) + ")";
  dump.header_release = printable(f.fixed_string(kHdrUtsRelease, 65));
  // An empty utsname is QEMU's mark (dump-guest-memory format kdump-*).
  dump.producer = dump.header_release.empty() ? "qemu" : "makedumpfile";

  auto sub = f.sub(bs, bs * static_cast<std::uint64_t>(sub_hdr_size));
  if (!sub) {
    dump.diagnostics.error("kdump-no-sub-header", "the sub-header is cut off: " + sub.error().message);
  } else {
    dump.header_phys_base = static_cast<std::int64_t>(sub->u64(kSubPhysBase).value_or(0));
    if (version >= 6) {
      if (auto m = sub->u64(kSubMaxMapnr64); m && *m != 0) max_mapnr = *m;
    }
    auto note_off = sub->u64(kSubOffsetNote), note_size = sub->u64(kSubSizeNote);
    if (version >= 4 && note_off && note_size && *note_size != 0) {
      auto notes = f.sub(*note_off, *note_size);
      if (notes) decode_kernel_notes(*notes, dump, limits, arch_known);
      else dump.diagnostics.warn("note-truncated", "the ELF notes are cut off: " + notes.error().message, *note_off);
    }
    if (dump.vmcoreinfo.empty()) {
      auto vi_off = sub->u64(kSubOffsetVmcoreinfo), vi_size = sub->u64(kSubSizeVmcoreinfo);
      if (vi_off && vi_size && *vi_size != 0) {
        auto vi = f.span(*vi_off, std::min<std::uint64_t>(*vi_size, limits.max_vmcoreinfo));
        if (vi) {
          dump.vmcoreinfo = parse_vmcoreinfo(std::string_view(reinterpret_cast<const char*>(vi->data()), vi->size()),
                                             dump.diagnostics, limits);
        }
      }
    }
  }
  if (dump.vmcoreinfo.empty()) dump.diagnostics.error("no-vmcoreinfo", "the dump has no VMCOREINFO: symbols and layouts are unknown");
  if (dump.cpus.empty()) dump.diagnostics.warn("no-cpu-notes", "the dump has no NT_PRSTATUS notes: no CPU registers");

  // The bitmaps and descriptors count blocks: a block is a page for makedumpfile, but QEMU writes
  // 64 KiB blocks for arm64 (its largest page size) whatever the kernel's pages are.
  std::uint64_t page_size = dump.vmcoreinfo.page_size().value_or(bs);
  if (page_size != bs) {
    if (dump.producer == "qemu" && bs > page_size) {
      dump.diagnostics.info("kdump-block-size", "QEMU's blocks of " + std::to_string(bs) + " bytes hold " +
                                                    std::to_string(bs / std::max<std::uint64_t>(page_size, 1)) + " pages each");
    } else {
      dump.diagnostics.warn("kdump-page-size", "PAGESIZE " + std::to_string(page_size) + " differs from block_size " +
                                                   std::to_string(bs) + "; using block_size");
    }
    page_size = bs;
  }
  // Bitmaps: bitmap_blocks blocks, the two halves are the two bitmaps.
  std::uint64_t bitmap_off = (1 + static_cast<std::uint64_t>(sub_hdr_size)) * bs;
  std::uint64_t bitmap_len = static_cast<std::uint64_t>(bitmap_blocks) * bs;
  auto bitmaps = f.sub(bitmap_off, bitmap_len);
  if (!bitmaps) {
    return fail(ErrorCode::truncated, "the page bitmaps (" + std::to_string(bitmap_len) + " bytes at " + hex(bitmap_off) +
                                          ") are cut off: the file ends at " + hex(f.size()), bitmap_off);
  }
  std::uint64_t half = bitmap_len / 2;
  if (max_mapnr > half * 8) {
    dump.diagnostics.warn("kdump-bitmap-short", "max_mapnr " + std::to_string(max_mapnr) + " needs more bitmap than the " +
                                                    std::to_string(half) + " bytes present; pages beyond are unreadable");
    max_mapnr = half * 8;
  }
  ByteReader ram = *bitmaps->sub(0, half);
  ByteReader dumped = *bitmaps->sub(half, half);
  std::uint64_t saved = 0;
  for (std::byte b : dumped.bytes().first(static_cast<std::size_t>((max_mapnr + 7) / 8))) {
    saved += static_cast<unsigned>(std::popcount(std::to_integer<unsigned>(b)));
  }
  std::uint64_t desc_off = bitmap_off + bitmap_len;
  std::uint64_t avail = desc_off < f.size() ? f.size() - desc_off : 0;
  std::uint64_t desc_bytes = 0;
  if (mul_overflows(saved, kPageDescSize, &desc_bytes) || desc_bytes > avail) {
    dump.diagnostics.warn("core-truncated", "the bitmap says " + std::to_string(saved) + " pages are saved but only " +
                                                std::to_string(avail / kPageDescSize) + " page descriptors fit in the file");
    desc_bytes = avail - avail % kPageDescSize;
  }
  ByteReader descs = desc_bytes != 0 ? *f.sub(desc_off, desc_bytes) : ByteReader();
  auto memory = std::make_shared<KdumpPhysicalMemory>(file, page_size, max_mapnr, ram, dumped, descs);
  dump.compression = memory->scan_compressions(1u << 26);
  dump.physical = std::move(memory);
  return dump;
}

}  // namespace corelens
