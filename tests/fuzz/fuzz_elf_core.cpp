// Fuzz target: the ELF core parser (headers, program headers, every note, modules from memory).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/file/mapped_file.hpp"
#include "parsers/elf_core.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size != 0) std::memcpy(bytes.data(), data, size);
  auto dump = corelens::parse_elf_core(corelens::MappedFile::from_memory("fuzz", std::move(bytes)));
  if (dump) {
    // Touch what a front end would: every mapping's first byte and every thread's registers.
    for (const auto& m : dump->mappings) (void)dump->memory.is_saved(m.start);
    for (const auto& t : dump->threads) (void)t.registers.get("rip");
  }
  return 0;
}
