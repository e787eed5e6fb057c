// ELF kernel dumps ("vmcore"), as two producers write them:
//   kexec/kdump  /proc/vmcore of the crash kernel: phdrs at offset 64, one PT_NOTE (NT_PRSTATUS
//                per CPU, VMCOREINFO), PT_LOADs whose p_vaddr is the kernel text or the direct map
//                and whose p_paddr is physical
//   QEMU         dump-guest-memory (paging off): two section headers at 64, phdrs after them,
//                a bogus e_ehsize, PT_LOADs with p_vaddr == p_paddr (physical only), notes
//                NT_PRSTATUS and "QEMU" per CPU, then VMCOREINFO
// Only physical addresses are trusted: the physical memory is every PT_LOAD by p_paddr (a range
// already covered by an earlier segment, such as kdump's kernel-text alias, is left out).
#pragma once

#include <memory>

#include "core/model/kernel/kernel_dump.hpp"

namespace corelens {

// Fails only when the file is not an ELF kernel dump at all; damage becomes diagnostics.
Result<KernelDump> parse_vmcore_elf(std::shared_ptr<const MappedFile> file, const KernelLimits& limits = {});

}  // namespace corelens
