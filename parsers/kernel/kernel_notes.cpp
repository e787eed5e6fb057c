#include "parsers/kernel/kernel_notes.hpp"

#include <string>

#include "core/model/strings.hpp"
#include "parsers/arch_layout.hpp"
#include "parsers/core_notes.hpp"
#include "parsers/kernel/vmcoreinfo.hpp"

namespace corelens {
namespace {

constexpr std::uint32_t kNtPrStatus = 1;
// QEMUCPUState: u32 version, u32 size, 18 x u64 (rax..r15, rip, rflags) = 152 bytes, then 10
// segments of 24 bytes (cs ds es fs gs ss ldt tr gdt idt) = 392, then cr[5] (cr3 at 392 + 24).
constexpr std::uint64_t kQemuCr3Offset = 416;

std::uint64_t align4(std::uint64_t v) { return (v + 3) & ~std::uint64_t{3}; }

}  // namespace

void decode_kernel_notes(const ByteReader& notes, KernelDump& dump, const KernelLimits& limits, bool arch_known) {
  std::uint64_t pos = 0;
  std::size_t qemu_notes = 0;
  bool saw_vmcoreinfo = false;
  while (pos < notes.size()) {
    if (!notes.has(pos, 12)) {
      dump.diagnostics.warn("note-truncated", "a note header is cut off at the end of the note area", notes.base() + pos);
      return;
    }
    std::uint64_t namesz = *notes.u32(pos), descsz = *notes.u32(pos + 4);
    std::uint32_t type = *notes.u32(pos + 8);
    std::uint64_t name_off = pos + 12;
    std::uint64_t desc_off = name_off + align4(namesz);
    if (namesz == 0 && descsz == 0 && type == 0) return;  // zero padding after the last note
    auto desc = notes.sub(desc_off, descsz);
    if (!notes.has(name_off, namesz) || !desc) {
      dump.diagnostics.warn("note-truncated", "a note claims " + std::to_string(namesz) + "+" + std::to_string(descsz) +
                                                  " bytes past the end of the note area", notes.base() + pos);
      return;
    }
    std::string name = notes.fixed_string(name_off, namesz);
    if (name == "CORE" && type == kNtPrStatus) {
      if (dump.cpus.size() >= limits.max_cpus) {
        dump.diagnostics.warn("too-many-cpus", "more than " + std::to_string(limits.max_cpus) + " NT_PRSTATUS notes; the rest are ignored");
      } else {
        // A diskdump whose header names no machine (QEMU's arm64 ones say "Unknown"): the first
        // NT_PRSTATUS's size tells, 336 bytes on x86_64 and 392 on aarch64.
        if (!arch_known && dump.cpus.empty()) {
          if (desc->size() == prstatus_layout_aarch64().size) dump.arch = Arch::aarch64;
          else if (desc->size() == prstatus_layout_x86_64().size) dump.arch = Arch::x86_64;
        }
        const PrStatusLayout& layout = *prstatus_layout(dump.arch);
        Thread t;
        notes::decode_prstatus_header(*desc, t);
        decode_prstatus_registers(layout, *desc, t);
        if (desc->size() < layout.size) {
          dump.diagnostics.warn("note-bad-size", "NT_PRSTATUS of CPU " + std::to_string(dump.cpus.size()) + " has " +
                                                     std::to_string(desc->size()) + " bytes, expected " +
                                                     std::to_string(layout.size), desc->base());
        }
        KernelCpu cpu;
        cpu.index = static_cast<std::uint32_t>(dump.cpus.size());
        cpu.pr_pid = t.tid;
        cpu.registers = std::move(t.registers);
        dump.cpus.push_back(std::move(cpu));
      }
    } else if (name == "QEMU" && type == 0 && dump.arch == Arch::x86_64) {
      if (qemu_notes < dump.cpus.size()) {
        if (auto cr3 = desc->u64(kQemuCr3Offset)) dump.cpus[qemu_notes].cr3 = *cr3;
      }
      ++qemu_notes;
    } else if (name == "VMCOREINFO") {
      if (saw_vmcoreinfo) {
        dump.diagnostics.warn("vmcoreinfo-duplicate", "a second VMCOREINFO note is ignored", desc->base());
      } else {
        saw_vmcoreinfo = true;
        auto bytes = desc->bytes();
        dump.vmcoreinfo = parse_vmcoreinfo(
            std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), dump.diagnostics, limits);
      }
    }
    pos = desc_off + align4(descsz);
  }
}

}  // namespace corelens
