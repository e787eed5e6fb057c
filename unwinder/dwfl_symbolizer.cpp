// DwflBackend's symbolization: the function, file, line and inlined calls at a pc, from a
// module's symbol table and DWARF (split from dwfl_backend.cpp, which reports the modules and
// unwinds the stacks).
#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <cstdlib>
#include <cstring>

#include "core/model/strings.hpp"
#include "unwinder/dwarf_units.hpp"
#include "unwinder/dwfl_backend.hpp"
#include "unwinder/verified_modules.hpp"

namespace corelens {
namespace {

std::string demangle(const char* name) {
  if (name == nullptr) return {};
  if (name[0] == '_' && name[1] == 'Z') {
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (status == 0 && d != nullptr) {
      std::string out(d);
      std::free(d);
      return out;
    }
    std::free(d);
  }
  return name;
}

// The name a debugger shows for a subprogram or inlined subroutine DIE: its demangled linkage
// name (qualified, with parameters) when it has one, else its plain name.
std::string die_function_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  const char* linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
  if (linkage == nullptr) linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
  if (linkage != nullptr) return demangle(linkage);
  const char* name = dwarf_diename(die);
  return name ? name : "";
}

// The call site of an inlined subroutine: where its caller's frame stands.
void call_site(Dwarf_Die* cudie, Dwarf_Die* inlined, std::string& file, std::uint32_t& line,
               std::uint32_t& column) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  file.clear();
  line = 0;
  column = 0;
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &value) == 0) {
    Dwarf_Files* files = nullptr;
    size_t nfiles = 0;
    if (dwarf_getsrcfiles(cudie, &files, &nfiles) == 0 && value < nfiles) {
      const char* f = dwarf_filesrc(files, value, nullptr, nullptr);
      if (f != nullptr) file = f;
    }
  }
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &value) == 0) {
    line = static_cast<std::uint32_t>(value);
  }
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_column, &attr), &value) == 0) {
    column = static_cast<std::uint32_t>(value);
  }
}

}  // namespace

std::optional<SymbolHit> DwflBackend::symbol_at(std::uint64_t addr) {
  Dwfl_Module* mod = dwfl_addrmodule(dwfl_, addr);
  if (mod == nullptr) return std::nullopt;
  GElf_Off off = 0;
  GElf_Sym sym;
  const char* name = dwfl_module_addrinfo(mod, addr, &off, &sym, nullptr, nullptr, nullptr);
  if (name == nullptr) return std::nullopt;
  std::string_view raw(name);
  std::string unversioned(raw.substr(0, raw.find('@')));
  SymbolHit hit;
  hit.name = demangle(unversioned.empty() ? name : unversioned.c_str());
  hit.address = addr - off;
  hit.size = sym.st_size;
  auto it = module_index_.find(mod);
  hit.module_index = it == module_index_.end() ? -1 : it->second;
  return hit;
}

std::optional<std::uint64_t> DwflBackend::symbol_address(const std::string& wanted) {
  for (Dwfl_Module* mod : dwfl_modules_) {
    if (mod == nullptr) continue;
    if (auto address = defined_symbol_address(mod, wanted)) return address;
  }
  return std::nullopt;
}

const std::vector<SymbolizedLocation>& DwflBackend::symbolize(std::uint64_t pc) {
  auto cached = symbol_cache_.find(pc);
  if (cached != symbol_cache_.end()) return cached->second;
  std::vector<SymbolizedLocation> chain = symbolize_in_module(dwfl_addrmodule(dwfl_, pc), pc, units_.get());
  if (symbol_cache_.size() > kMaxCachedSymbolPcs) symbol_cache_.clear();  // bound memory on hostile stacks
  return symbol_cache_.emplace(pc, std::move(chain)).first->second;
}

std::vector<SymbolizedLocation> symbolize_in_module(Dwfl_Module* mod, std::uint64_t pc, DwarfUnitFinder* units) {
  std::vector<SymbolizedLocation> chain;
  std::string symbol;
  std::uint64_t symbol_offset = 0;
  if (mod != nullptr) {
    GElf_Off off = 0;
    GElf_Sym sym;
    const char* name = dwfl_module_addrinfo(mod, pc, &off, &sym, nullptr, nullptr, nullptr);
    if (name != nullptr) {
      // "__libc_start_main@@GLIBC_2.34": the version is linker bookkeeping, not the name.
      std::string_view raw(name);
      std::string unversioned(raw.substr(0, raw.find('@')));
      symbol = demangle(unversioned.empty() ? name : unversioned.c_str());
      symbol_offset = off;
    }
    // The innermost source position, then one frame per enclosing inlined subroutine.
    std::string file;
    std::uint32_t line = 0, column = 0;
    Dwarf_Addr bias = 0;
    Dwarf_Die cu_storage;
    Dwarf_Die* cudie = units != nullptr ? units->unit_at(mod, pc, &bias, &cu_storage) : dwfl_module_addrdie(mod, pc, &bias);
    if (Dwfl_Line* l = dwfl_module_getsrc(mod, pc)) {
      int lineno = 0, col = 0;
      const char* f = dwfl_lineinfo(l, nullptr, &lineno, &col, nullptr, nullptr);
      if (f != nullptr) file = f;
      line = static_cast<std::uint32_t>(lineno > 0 ? lineno : 0);
      column = static_cast<std::uint32_t>(col > 0 ? col : 0);
    } else if (UnitLine row; DwarfUnitFinder::line_in_unit(cudie, pc, bias, row)) {
      file = std::move(row.file);  // a module without .debug_aranges (dwarf_units.hpp)
      line = row.line;
      column = row.column;
    }
    // A relative file name is relative to the unit's compilation directory; front ends need both
    // to find the source ("./nptl/pthread_kill.c" in glibc's build tree).
    std::string comp_dir;
    if (cudie != nullptr) {
      Dwarf_Attribute attr;
      if (const char* d = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &attr))) comp_dir = d;
    }
    auto dir_of = [&comp_dir](const std::string& f) { return !f.empty() && f.front() != '/' ? comp_dir : std::string(); };
    Dwarf_Die* scopes = nullptr;
    int nscopes = cudie != nullptr ? dwarf_getscopes(cudie, pc - bias, &scopes) : 0;
    // The innermost function-like scope at PC; its chain of containing scopes (through the
    // abstract origins of inlined instances) gives one frame per inlined call, as eu-stack -i does.
    Dwarf_Die* innermost = nullptr;
    for (int i = 0; i < nscopes && innermost == nullptr; ++i) {
      int tag = dwarf_tag(&scopes[i]);
      if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point) {
        innermost = &scopes[i];
      }
    }
    Dwarf_Die* chain_scopes = nullptr;
    int nchain = innermost != nullptr ? dwarf_getscopes_die(innermost, &chain_scopes) : 0;
    for (int i = 0; i < nchain; ++i) {
      Dwarf_Die* scope = &chain_scopes[i];
      int tag = dwarf_tag(scope);
      if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram && tag != DW_TAG_entry_point) continue;
      if (tag == DW_TAG_inlined_subroutine) {
        chain.push_back(SymbolizedLocation{die_function_name(scope), 0, file, dir_of(file), line, column, true});
        call_site(cudie, scope, file, line, column);
        continue;
      }
      // The real function: the DWARF name (the function, not an alias such as a versioned
      // symbol), its offset from the function's entry.
      std::string function = die_function_name(scope);
      std::uint64_t offset = symbol_offset;
      Dwarf_Addr low = 0;
      if (dwarf_lowpc(scope, &low) == 0 && pc - bias >= low) offset = pc - bias - low;
      if (function.empty()) function = symbol;
      chain.push_back(SymbolizedLocation{function, offset, file, dir_of(file), line, column, false});
      break;
    }
    std::free(chain_scopes);
    std::free(scopes);
    if (chain.empty() || chain.back().inlined) {
      chain.push_back(SymbolizedLocation{symbol, symbol_offset, file, dir_of(file), line, column, false});
    }
  } else {
    chain.push_back(SymbolizedLocation{});
  }
  return chain;
}

}  // namespace corelens
