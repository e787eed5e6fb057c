// The kernel's loaded modules, read from the dump's memory: the `modules` list (kallsyms) walked
// with struct module's layout from the kernel's own BTF, for each module its name, its text, its
// ORC tables (mod->arch.orc_unwind_ip / orc_unwind / num_orcs, sorted at load) and its symbols
// (mod->kallsyms: an Elf64_Sym table and its strings). kallsyms of the core kernel does not cover
// modules, so without this a pc in a module has neither a name nor an unwinder.
//
// Layout knowledge (all from BTF, nothing hard-coded): 6.1 has core_layout.{base,text_size};
// 6.4+ has mem[MOD_TEXT].{base,size}.
//
// Ownership: plain values; symbol() reads through the memory it is given.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/kernel/kernel_memory_x86_64.hpp"
#include "parsers/kernel/btf.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "unwinder/kernel/orc.hpp"

namespace corelens {

struct KernelModule {
  std::string name;
  std::uint64_t address = 0;  // struct module
  std::uint64_t text = 0, text_size = 0;
  OrcTableRef orc;  // count 0: the module has no ORC tables
  std::uint64_t symtab = 0, num_symtab = 0, strtab = 0;
  bool contains(std::uint64_t a) const { return a >= text && a - text < text_size; }
};

struct ModuleSymbol {
  std::string name;
  std::uint64_t address = 0;
  std::uint64_t size = 0;  // to the next symbol or the end of the text, as the kernel measures it
};

struct ModuleLimits {
  std::size_t max_modules = 4096;
  std::uint64_t max_orc_entries = 1u << 20;
  std::uint64_t max_symbols = 1u << 18;  // the biggest Debian modules have ~30,000
};

class KernelModules {
 public:
  const std::vector<KernelModule>& all() const { return modules_; }
  const KernelModule* containing(std::uint64_t addr) const;
  // The module symbol covering ADDR, as find_kallsyms_symbol() picks it. A module's symbol table
  // is read once, on its first use (not thread-safe: one walk at a time).
  std::optional<ModuleSymbol> symbol(const MemorySource& memory, const KernelModule& module, std::uint64_t addr) const;

  void add(KernelModule m) { modules_.push_back(std::move(m)); }

 private:
  struct TextSymbol {
    std::uint64_t value = 0;
    std::uint32_t name = 0;  // offset in the module's strtab
  };
  const std::vector<TextSymbol>& text_symbols(const MemorySource& memory, const KernelModule& module) const;

  std::vector<KernelModule> modules_;
  mutable std::map<std::uint64_t, std::vector<TextSymbol>> symbols_;  // by struct module address
};

KernelModules read_kernel_modules(const KernelMemory& memory, const KernelSymbols& symbols, const KernelBtf& btf,
                                  Diagnostics& diags, const ModuleLimits& limits = {});

}  // namespace corelens
