// Fuzz target: the VMCOREINFO text (KEY=VALUE lines) every kernel dump carries, then what is
// derived from it alone: the page size, KERNELOFFSET, phys_base, the symbol and offset lookups.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/kernel/vmcoreinfo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  corelens::Diagnostics diags;
  corelens::KernelLimits limits;
  limits.max_vmcoreinfo_keys = 256;  // small, so the cap itself is fuzzed too
  auto info = corelens::parse_vmcoreinfo(text, diags, limits);
  (void)info.osrelease();
  (void)info.page_size();
  (void)info.kernel_offset();
  (void)info.phys_base();
  (void)info.crash_time();
  (void)info.symbol("init_top_pgt");
  (void)info.offset("printk_info.text_len");
  (void)info.size("printk_info");
  (void)info.length("printk_rb_static.descs");
  return 0;
}
