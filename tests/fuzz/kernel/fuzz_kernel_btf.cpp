// Fuzz target: the kernel's BTF (parsers/kernel/btf), then the lookups the kernel unwinder makes
// with it: struct module's members, the exception stacks' layout, sizes and arrays of any type.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "parsers/kernel/btf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size != 0) std::memcpy(bytes.data(), data, size);
  auto btf = corelens::KernelBtf::parse(std::move(bytes));
  if (!btf) return 0;
  for (const char* path : {"list", "name", "core_layout.base", "core_layout.text_size", "mem", "arch.orc_unwind_ip",
                           "arch.num_orcs", "kallsyms", "x", "in.b", "y"}) {
    (void)btf->offset_of("module", path);
    (void)btf->offset_of("outer", path);
  }
  (void)btf->offset_of("pcpu_hot", "top_of_stack");
  std::uint32_t n = static_cast<std::uint32_t>(std::min<std::size_t>(btf->type_count(), 4096));
  for (std::uint32_t id = 0; id <= n + 1; ++id) {
    (void)btf->size_of(id);
    (void)btf->array(id);
    (void)btf->member(id, "a.b");
  }
  return 0;
}
