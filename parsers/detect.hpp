// Telling dump formats apart by their content, never by their name.
#pragma once

#include <span>
#include <string_view>

namespace corelens {

enum class DumpFormat {
  unknown,
  elf_user_core,    // ET_CORE of a user process (kernel or gcore)
  elf_kernel_core,  // ET_CORE with a VMCOREINFO note: /proc/vmcore or QEMU dump-guest-memory
  kdump_compressed, // makedumpfile's diskdump ("KDUMP   ")
  kdump_flattened,  // makedumpfile -F ("makedumpfile" signature)
  compressed,       // zstd, xz or lz4 framing (systemd-coredump's storage)
};

std::string_view to_string(DumpFormat format);
DumpFormat detect_format(std::span<const std::byte> bytes);

}  // namespace corelens
