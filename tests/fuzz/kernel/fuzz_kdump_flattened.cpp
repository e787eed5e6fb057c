// Fuzz target: flattened kdump dumps (makedumpfile -F), then everything read through them: page tables, the
// printk log, kallsyms, the report.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/file/mapped_file.hpp"
#include "unwinder/pipeline/kernel/kernel_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size != 0) std::memcpy(bytes.data(), data, size);
  auto s = corelens::open_kernel_dump(corelens::MappedFile::from_memory("fuzz", std::move(bytes)),
                                      corelens::DumpFormat::kdump_flattened);
  if (s) (void)corelens::kernel_report(**s, "fuzz");
  return 0;
}
