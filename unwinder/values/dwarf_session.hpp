// The values engine's own libdwfl session over the modules the analysis verified
// (unwinder/verified_modules.hpp: each reported to libdwfl only when a pc inside it is first
// asked about; showing one frame's variables needs that frame's module, not the whole process).
//
// Also what every frame shares: the scopes (function, blocks, inlined calls) at a pc, the CFA by
// the module's CFI, the names of symbols (gdb's "<triple>" after a function pointer).
//
// Ownership: owns its Dwfl and the file descriptors libdwfl opened; copies what it needs from the
// Report. Not thread-safe (libdw is not): the engine serialises every call.
#pragma once

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/arch.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"
#include "unwinder/dwarf_units.hpp"
#include "unwinder/verified_modules.hpp"
#include "unwinder/values/dwarf_util.hpp"
#include "unwinder/values/value.hpp"

namespace corelens::values {

// The DWARF scopes at one pc of one module.
struct ScopesAt {
  Dwfl_Module* module = nullptr;
  Dwarf_Addr bias = 0;       // runtime address - DWARF address
  Dwarf_Die cu;
  std::vector<Dwarf_Die> scopes;  // outermost first: the subprogram, its blocks and inlined calls
};

// A module and its load bias (runtime address - DWARF address).
struct ModuleDwarf {
  Dwfl_Module* module = nullptr;
  Dwarf_Addr bias = 0;
};

class DwarfSession {
 public:
  DwarfSession(Arch arch, const std::vector<ModuleReport>& modules);
  DwarfSession(const DwarfSession&) = delete;
  DwarfSession& operator=(const DwarfSession&) = delete;

  Arch arch() const { return arch_; }
  // The scopes at PC (an address of the process), or nullopt without DWARF there. Cached.
  const ScopesAt* scopes_at(std::uint64_t pc);
  // The module containing PC, reported on first use; null without a verified file.
  Dwfl_Module* module_at(std::uint64_t pc) { return modules_.module_at(pc); }
  // The CFA at PC by the module's CFI (.eh_frame, else .debug_frame), when that CFI says
  // "register + offset"; REG(regno) gives a DWARF register's value or nullopt. The rules at a pc
  // are looked up once: every thread stopped there asks (libdw's CFI costs ~3,000 instructions
  // a frame), and only the registers differ.
  template <typename RegFn>
  std::optional<std::uint64_t> cfa(std::uint64_t pc, RegFn&& reg) {
    for (const CfaRule& rule : cfa_rules(pc)) {
      if (auto v = reg(rule.regno)) return *v + rule.offset;
    }
    return std::nullopt;
  }
  // The symbol at or before ADDRESS in a module ("name" or "name+16"), demangled; nullopt when no
  // module maps ADDRESS or no symbol covers it.
  std::optional<std::string> symbol_at(std::uint64_t address);
  // The runtime address of the ELF symbol NAME in the module that holds PC first, then anywhere.
  std::optional<std::uint64_t> symbol_address(const std::string& name, std::uint64_t near_pc);
  // The runtime address of the C++ data object whose demangled name is QUALIFIED
  // ("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::npos")
  // in any module's symbol table.
  std::optional<std::uint64_t> object_address(const std::string& qualified);
  // Every module with DWARF, reported (for looking up globals and types by name).
  std::vector<Dwfl_Module*> all_modules();
  // The module whose DWARF (or .dwz companion) is DWARF, with its bias; cached.
  std::optional<ModuleDwarf> module_of(Dwarf* dwarf);

  // The call site (DW_TAG_call_site or DW_TAG_GNU_call_site) in the function of SCOPES whose
  // return address is RETURN_PC (an address of the process); cached.
  std::optional<Dwarf_Die> call_site(const ScopesAt& scopes, std::uint64_t return_pc);

  // The facts of the unit of SCOPES (cached: every frame in that unit asks).
  const UnitFacts& unit_of(const ScopesAt& scopes);

  // The tail calls (call sites with DW_AT_call_tail_call) in the function of SCOPES.
  std::vector<Dwarf_Die> tail_calls(const ScopesAt& scopes);

  // The bytes of a section of the file DWARF came from, cached per Dwarf.
  std::span<const std::byte> section(Dwarf* dwarf, const char* name);

 private:
  // "CFA = register + offset", by the eh_frame's CFI then the debug_frame's: each one that says
  // so at a pc, in that order (the second serves when the first's register is not known).
  struct CfaRule {
    unsigned regno = 0;
    std::uint64_t offset = 0;
  };
  const std::vector<CfaRule>& cfa_rules(std::uint64_t pc);
  std::optional<std::string> uncached_symbol_at(std::uint64_t address);
  std::optional<std::uint64_t> uncached_symbol_address(const std::string& name, std::uint64_t near_pc);
  Arch arch_;
  VerifiedModules modules_;
  DwarfUnitFinder units_;
  std::map<std::uint64_t, std::unique_ptr<ScopesAt>> scopes_;  // by pc (nullptr: no DWARF there)
  std::map<std::pair<const void*, std::string>, std::span<const std::byte>> sections_;
  std::map<std::uint64_t, std::optional<Dwarf_Die>> call_sites_;  // by return address
  std::map<const void*, std::vector<Dwarf_Die>> tail_calls_;       // by the function's DIE
  std::map<DieKey, UnitFacts> units_facts_;
  std::map<std::pair<std::string, std::uint64_t>, std::optional<std::uint64_t>> symbol_addresses_;
  std::map<std::uint64_t, std::optional<std::string>> symbol_names_;
  std::map<std::uint64_t, std::vector<CfaRule>> cfa_rules_;  // by pc
  std::map<const Dwarf*, std::optional<ModuleDwarf>> module_of_;
  std::unordered_map<std::string, std::uint64_t> objects_;  // object_address's index, by demangled name
  bool objects_indexed_ = false;
};

}  // namespace corelens::values
