// What an address points into, worked out from the Report alone: a module (name+offset, as the
// CLI prints frames), a thread's stack, the heap, another mapping, or nothing. Used to annotate
// register values, pointers and branch targets in the GUI; Qt-free so it can be tested without a
// display.
//
// The dump does not say which anonymous mapping is "[stack]" or "[heap]" (NT_FILE lists only
// file-backed ranges), so both are inferred:
//  - stack: the mapping that holds a thread's stack pointer is that thread's stack;
//  - heap: the first anonymous writable mapping that starts within 32 MiB (the kernel's brk
//    randomisation range on x86_64) above the end of the main executable, where the program
//    break lives. Arenas malloc creates with mmap stay "anonymous".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/model/report.hpp"

namespace corelens {

// Names the function containing an address ("main+0x1b"), when a symbol lookup is available.
using SymbolNamer = std::function<std::optional<std::string>(std::uint64_t)>;

enum class RegionKind { unmapped, module, stack, heap, file, anonymous };

struct AddressInfo {
  RegionKind kind = RegionKind::unmapped;
  std::string text;                      // "libc.so.6+0x27249", "stack of thread 1234", ...
  const MappingReport* mapping = nullptr;  // the mapping holding it, if any
  const ModuleReport* module = nullptr;
};

class AddressAnnotator {
 public:
  AddressAnnotator() = default;
  explicit AddressAnnotator(const Report* report, SymbolNamer namer = {});

  AddressInfo describe(std::uint64_t addr) const;
  // describe(addr).text, with the symbol name in front when the namer knows one
  // ("f3+0xc (null_read+0x1145)"); empty for unmapped addresses.
  std::string annotate(std::uint64_t addr) const;
  // A symbol name alone, when the namer knows one.
  std::optional<std::string> symbol(std::uint64_t addr) const;

  // The inferred heap mapping and stack owners, exposed for tests and the memory map.
  const MappingReport* heap() const { return heap_; }
  std::optional<std::int32_t> stack_owner(const MappingReport& mapping) const;

 private:
  const Report* report_ = nullptr;
  SymbolNamer namer_;
  bool sorted_ = true;
  const MappingReport* heap_ = nullptr;
  std::vector<std::pair<const MappingReport*, std::int32_t>> stacks_;  // mapping, tid
};

// The stack pointer of a register set (rsp on x86_64, sp on aarch64).
std::optional<std::uint64_t> stack_pointer(const std::vector<Register>& registers);
// The last path component ("/usr/lib/libc.so.6" -> "libc.so.6").
std::string base_name(const std::string& path);

}  // namespace corelens
