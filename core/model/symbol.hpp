// The symbol containing an address, as a symbol table (a module's .symtab or .dynsym, a kernel's
// kallsyms) names it: what the front ends show beside a pointer or a call target.
#pragma once

#include <cstdint>
#include <string>

namespace corelens {

struct SymbolHit {
  std::string name;           // demangled, without a symbol version
  std::uint64_t address = 0;  // runtime address of the symbol's start
  std::uint64_t size = 0;     // 0 when the table gives none (kallsyms)
  int module_index = -1;      // the module in Report::modules; -1 for a kernel symbol
};

}  // namespace corelens
