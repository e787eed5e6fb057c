// The ELF notes of a kernel dump (the PT_NOTE of a vmcore, or the note area a diskdump copies):
//   "CORE" NT_PRSTATUS   one per CPU, in CPU order: pr_pid and pr_reg (the architecture's
//                        elf_gregset_t: x86_64's user_regs_struct, aarch64's user_pt_regs)
//   "QEMU" type 0        (x86_64) QEMU's QEMUCPUState per CPU (target/i386/arch_dump.c), in CPU
//                        order: version, size, 18 GPRs, 10 segments, cr[0..4] -> CR3
//   "VMCOREINFO" type 0  the VMCOREINFO text (parsers/kernel/vmcoreinfo.hpp)
#pragma once

#include "core/file/byte_reader.hpp"
#include "core/model/kernel/kernel_dump.hpp"

namespace corelens {

// Fills DUMP.cpus and DUMP.vmcoreinfo from NOTES, decoding registers in DUMP.arch's layout; damage
// ends the walk with a diagnostic. Without ARCH_KNOWN, DUMP.arch is set from the first
// NT_PRSTATUS's size (a diskdump whose header names no machine).
void decode_kernel_notes(const ByteReader& notes, KernelDump& dump, const KernelLimits& limits = {},
                         bool arch_known = true);

}  // namespace corelens
