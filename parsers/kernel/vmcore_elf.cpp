#include "parsers/kernel/vmcore_elf.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "core/file/byte_reader.hpp"
#include "core/model/address_space.hpp"
#include "core/model/strings.hpp"
#include "parsers/kernel/kernel_notes.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kEhdrSize = 64;
constexpr std::uint64_t kPhdrSize = 56;
constexpr std::uint64_t kMaxPhdrs = 65535;  // e_phnum is 16 bits (PN_XNUM extension not used by vmcores)

// Physical memory of an ELF vmcore: an AddressSpace whose "addresses" are physical.
class ElfPhysicalMemory final : public PhysicalMemory {
 public:
  ElfPhysicalMemory(std::shared_ptr<const MappedFile> file, std::vector<MemorySegment> segments)
      : space_(std::move(file), std::move(segments)) {}
  Result<void> read(std::uint64_t paddr, std::span<std::byte> out) const override {
    auto r = space_.read(paddr, out);
    if (!r && r.error().code == ErrorCode::not_mapped) {
      return fail(ErrorCode::not_saved, "physical " + hex(paddr) + " is not in the dump", paddr);
    }
    return r;
  }
  std::vector<PhysicalRange> ranges() const override {
    std::vector<PhysicalRange> out;
    for (const auto& s : space_.segments()) out.push_back({s.start, s.size});
    return out;
  }

 private:
  AddressSpace space_;
};

}  // namespace

Result<KernelDump> parse_vmcore_elf(std::shared_ptr<const MappedFile> file, const KernelLimits& limits) {
  ByteReader f(file->bytes());
  if (f.size() < kEhdrSize || std::memcmp(f.bytes().data(), ELFMAG, SELFMAG) != 0) {
    return fail(ErrorCode::not_a_dump, "not an ELF kernel dump (no complete ELF header)");
  }
  if (*f.u8(EI_CLASS) != ELFCLASS64 || *f.u8(EI_DATA) != ELFDATA2LSB) {
    return fail(ErrorCode::unsupported, "only 64-bit little-endian kernel dumps are supported");
  }
  if (*f.u16(16) != ET_CORE) return fail(ErrorCode::not_a_dump, "an ELF file, but not a core dump");
  std::uint16_t machine = *f.u16(18);
  if (machine != EM_X86_64 && machine != EM_AARCH64) {
    return fail(ErrorCode::unsupported, "a kernel dump of machine " + std::to_string(machine) +
                                            "; only x86_64 and aarch64 are supported");
  }
  std::uint64_t phoff = *f.u64(32);
  std::uint16_t phentsize = *f.u16(54);
  std::uint16_t phnum = *f.u16(56);
  // e_ehsize is not checked: QEMU 7.2 writes 8 there.
  if (phentsize != kPhdrSize) {
    return fail(ErrorCode::malformed, "e_phentsize is " + std::to_string(phentsize) + ", expected 56", 54);
  }
  if (phnum == 0 || phnum > kMaxPhdrs) return fail(ErrorCode::malformed, "the vmcore has no program headers", 56);
  auto phdrs = f.sub(phoff, std::uint64_t{phnum} * kPhdrSize);
  if (!phdrs) {
    return fail(ErrorCode::truncated, "the program headers (" + std::to_string(phnum) + " at offset " + hex(phoff) +
                                          ") are cut off: " + phdrs.error().message, phoff);
  }

  KernelDump dump;
  dump.arch = machine == EM_AARCH64 ? Arch::aarch64 : Arch::x86_64;
  std::vector<MemorySegment> segments;
  bool virtual_loads = false;
  bool has_notes = false;
  std::uint64_t truncated_segments = 0;
  for (std::uint64_t i = 0; i < phnum; ++i) {
    std::uint64_t o = i * kPhdrSize;
    std::uint32_t type = *phdrs->u32(o);
    std::uint64_t offset = *phdrs->u64(o + 8), vaddr = *phdrs->u64(o + 16), paddr = *phdrs->u64(o + 24);
    std::uint64_t filesz = *phdrs->u64(o + 32), memsz = *phdrs->u64(o + 40);
    if (type == PT_NOTE) {
      std::uint64_t avail = offset < f.size() ? std::min(filesz, f.size() - offset) : 0;
      if (avail < filesz) {
        dump.diagnostics.warn("core-truncated", "the note segment is cut off: " + std::to_string(avail) + " of " +
                                                    std::to_string(filesz) + " bytes", offset);
      }
      if (avail > 0) {
        decode_kernel_notes(*f.sub(offset, avail), dump, limits);
        has_notes = true;
      }
    } else if (type == PT_LOAD) {
      std::uint64_t end = 0;
      if (add_overflows(paddr, memsz, &end) || memsz == 0) continue;
      if (vaddr != paddr) virtual_loads = true;
      if (offset > f.size() || filesz > f.size() - offset) ++truncated_segments;
      segments.push_back(MemorySegment{paddr, memsz, offset, std::min(filesz, memsz)});
    }
  }
  if (!has_notes) dump.diagnostics.error("no-notes", "the vmcore has no notes: no registers and no VMCOREINFO");
  if (truncated_segments != 0) {
    dump.diagnostics.warn("core-truncated", std::to_string(truncated_segments) +
                                                " memory segments are cut off: the file is shorter than its headers say");
  }
  // Drop physical ranges already covered (kdump's kernel-text PT_LOAD aliases the direct map).
  std::stable_sort(segments.begin(), segments.end(), [](const MemorySegment& a, const MemorySegment& b) {
    return a.start != b.start ? a.start < b.start : a.size > b.size;
  });
  std::vector<MemorySegment> kept;
  for (const auto& s : segments) {
    if (!kept.empty() && s.start < kept.back().end()) continue;
    kept.push_back(s);
  }
  dump.producer = virtual_loads ? "kexec/kdump" : "qemu";
  dump.format = virtual_loads ? "ELF vmcore (/proc/vmcore)" : "ELF vmcore (QEMU dump-guest-memory)";
  dump.physical = std::make_shared<ElfPhysicalMemory>(std::move(file), std::move(kept));
  return dump;
}

}  // namespace corelens
