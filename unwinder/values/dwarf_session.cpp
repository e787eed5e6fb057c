#include "unwinder/values/dwarf_session.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>

#include "unwinder/values/dwarf_types.hpp"

namespace corelens::values {
namespace {

constexpr int kMaxScopeDepth = 64;          // namespaces, functions, blocks and inlined calls
// Each per-pc cache (scopes, symbols, call sites, CFA rules; tail calls by function) is emptied
// when it holds this many: a hostile dump can name any number of pcs, and 100,000 is far more
// than the distinct pcs of a real dump's frames (every thread stopped at a pc shares its entry),
// so a real report never refills one.
constexpr std::size_t kMaxCachedPcs = 100000;
// DIEs visited in one function's body looking for its call sites: a damaged or hostile unit's
// tree must not be walked without end; a real function has some hundreds.
constexpr std::size_t kMaxDiesVisited = 200000;

std::string demangled(const char* name) {
  std::string_view raw(name);
  std::string plain(raw.substr(0, raw.find('@')));  // "memcpy@@GLIBC_2.14": the version is bookkeeping
  if (plain.size() > 2 && plain[0] == '_' && plain[1] == 'Z') {
    int status = 0;
    char* d = abi::__cxa_demangle(plain.c_str(), nullptr, nullptr, &status);
    if (status == 0 && d != nullptr) plain = d;
    std::free(d);
  }
  return plain;
}

bool is_scope(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block;
}

// The concrete scopes containing the module-relative PC, outermost first.
void collect_scopes(Dwarf_Die* parent, Dwarf_Addr pc, std::vector<Dwarf_Die>& chain, int depth) {
  Dwarf_Die child;
  if (depth > kMaxScopeDepth || dwarf_child(parent, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    if (is_scope(tag)) {
      if (dwarf_haspc(&child, pc) == 1) {
        chain.push_back(child);
        collect_scopes(&child, pc, chain, depth + 1);
        return;
      }
    } else if (chain.empty() && (tag == DW_TAG_namespace || tag == DW_TAG_module || tag == DW_TAG_structure_type ||
                                 tag == DW_TAG_class_type || tag == DW_TAG_union_type)) {
      std::size_t before = chain.size();
      collect_scopes(&child, pc, chain, depth + 1);
      if (chain.size() > before) return;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

DwarfSession::DwarfSession(Arch arch, const std::vector<ModuleReport>& modules) : arch_(arch), modules_(modules) {}

std::vector<Dwfl_Module*> DwarfSession::all_modules() {
  std::vector<Dwfl_Module*> out;
  for (const ModuleReport& m : modules_.modules()) {
    if (Dwfl_Module* mod = module_at(m.start)) out.push_back(mod);
  }
  return out;
}

std::optional<ModuleDwarf> DwarfSession::module_of(Dwarf* dwarf) {
  if (auto it = module_of_.find(dwarf); it != module_of_.end()) return it->second;
  // Modules one at a time, stopping at DWARF's: most DIEs come from a frame's module, whose
  // DWARF is loaded already (and comes early: the executable first).
  std::optional<ModuleDwarf> found;
  for (const ModuleReport& m : modules_.modules()) {
    Dwfl_Module* mod = module_at(m.start);
    Dwarf_Addr bias = 0;
    Dwarf* own = mod != nullptr ? dwfl_module_getdwarf(mod, &bias) : nullptr;
    if (own != nullptr && (own == dwarf || dwarf_getalt(own) == dwarf)) {
      found = ModuleDwarf{mod, bias};
      break;
    }
  }
  if (module_of_.size() < kMaxCachedPcs) module_of_[dwarf] = found;
  return found;
}

const ScopesAt* DwarfSession::scopes_at(std::uint64_t pc) {
  if (auto it = scopes_.find(pc); it != scopes_.end()) return it->second.get();
  if (scopes_.size() >= kMaxCachedPcs) scopes_.clear();
  auto s = std::make_unique<ScopesAt>();
  s->module = module_at(pc);
  bool found = false;
  if (s->module != nullptr && units_.unit_at(s->module, pc, &s->bias, &s->cu) != nullptr) {
    collect_scopes(&s->cu, pc - s->bias, s->scopes, 0);
    found = !s->scopes.empty();
  }
  auto& slot = scopes_[pc];
  if (found) slot = std::move(s);
  return slot.get();
}

std::optional<std::string> DwarfSession::symbol_at(std::uint64_t address) {
  if (modules_.dwfl() == nullptr) return std::nullopt;
  if (auto it = symbol_names_.find(address); it != symbol_names_.end()) return it->second;
  if (symbol_names_.size() >= kMaxCachedPcs) symbol_names_.clear();
  auto name = uncached_symbol_at(address);
  symbol_names_[address] = name;
  return name;
}

std::optional<std::string> DwarfSession::uncached_symbol_at(std::uint64_t address) {
  // Only modules already reported (those of frames asked about) or the one mapping ADDRESS.
  if (module_at(address) == nullptr) return std::nullopt;
  Dwfl_Module* mod = dwfl_addrmodule(modules_.dwfl(), address);
  if (mod == nullptr) return std::nullopt;
  // gdb names only addresses inside one of the module's sections (not the heap a module's
  // mapping range happens to cover).
  Dwarf_Addr section_offset = address, section_bias = 0;
  if (dwfl_module_address_section(mod, &section_offset, &section_bias) == nullptr) return std::nullopt;
  GElf_Off off = 0;
  GElf_Sym sym;
  const char* name = dwfl_module_addrinfo(mod, address, &off, &sym, nullptr, nullptr, nullptr);
  if (name == nullptr || *name == '\0') return std::nullopt;
  if (sym.st_size != 0 && off >= sym.st_size) return std::nullopt;
  std::string out = demangled(name);
  // gcc names a function's static variable "backward.0" in the symbol table (the number keeps two
  // functions' statics apart); gdb shows it by its DWARF variable's name, "backward". The statics
  // the compiler makes itself (__PRETTY_FUNCTION__.0, __func__.1) have no DWARF variable, and gdb
  // keeps the suffix: reserved names (a leading "__") stand for them here, short of a look-up of
  // the DWARF variable at the address.
  if (GELF_ST_BIND(sym.st_info) == STB_LOCAL && GELF_ST_TYPE(sym.st_info) == STT_OBJECT && !out.starts_with("__")) {
    std::size_t dot = out.rfind('.');
    if (dot != std::string::npos && dot > 0 && dot + 1 < out.size() &&
        out.find_first_not_of("0123456789", dot + 1) == std::string::npos) {
      out.erase(dot);
    }
  }
  if (off != 0) out += "+" + std::to_string(off);
  return out;
}

std::optional<std::uint64_t> DwarfSession::symbol_address(const std::string& wanted, std::uint64_t near_pc) {
  Dwfl_Module* near = module_at(near_pc);
  auto key = std::make_pair(wanted, near != nullptr ? reinterpret_cast<std::uintptr_t>(near) : 0);
  if (auto it = symbol_addresses_.find(key); it != symbol_addresses_.end()) return it->second;
  if (symbol_addresses_.size() >= kMaxCachedPcs) symbol_addresses_.clear();
  auto found = uncached_symbol_address(wanted, near_pc);
  symbol_addresses_[key] = found;
  return found;
}

std::optional<std::uint64_t> DwarfSession::uncached_symbol_address(const std::string& wanted, std::uint64_t near_pc) {
  std::vector<Dwfl_Module*> order;
  if (Dwfl_Module* m = module_at(near_pc)) order.push_back(m);
  for (Dwfl_Module* m : all_modules()) order.push_back(m);
  for (Dwfl_Module* mod : order) {
    if (auto address = defined_symbol_address(mod, wanted)) return address;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> DwarfSession::object_address(const std::string& qualified) {
  if (!objects_indexed_) {
    objects_indexed_ = true;
    // Every module's C++ data symbols (_Z names of objects), demangled once: DWARF 4 declares a
    // static member without its linkage name, so its definition elsewhere is found by this name.
    for (Dwfl_Module* mod : all_modules()) {
      int count = dwfl_module_getsymtab(mod);
      for (int i = 1; i < count && objects_.size() < kMaxCachedPcs; ++i) {
        GElf_Sym sym;
        GElf_Addr value = 0;
        const char* name = dwfl_module_getsym_info(mod, i, &sym, &value, nullptr, nullptr, nullptr);
        if (name == nullptr || sym.st_shndx == SHN_UNDEF || name[0] != '_' || name[1] != 'Z') continue;
        if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT) continue;
        objects_.try_emplace(demangled(name), value);
      }
    }
  }
  if (auto it = objects_.find(qualified); it != objects_.end()) return it->second;
  return std::nullopt;
}

std::optional<Dwarf_Die> DwarfSession::call_site(const ScopesAt& scopes, std::uint64_t return_pc) {
  if (auto it = call_sites_.find(return_pc); it != call_sites_.end()) return it->second;
  if (call_sites_.size() >= kMaxCachedPcs) call_sites_.clear();
  const Dwarf_Addr wanted = return_pc - scopes.bias;
  std::optional<Dwarf_Die> found;
  std::size_t visited = 0;
  // Call sites sit in the function's body, its blocks and its inlined calls.
  auto walk = [&](auto& self, Dwarf_Die* parent, int depth) -> void {
    Dwarf_Die child;
    if (found || depth > kMaxScopeDepth || dwarf_child(parent, &child) != 0) return;
    do {
      if (++visited > kMaxDiesVisited) return;
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site) {
        Dwarf_Attribute attr;
        Dwarf_Addr at = 0;
        bool has = (dwarf_attr(&child, DW_AT_call_return_pc, &attr) != nullptr && dwarf_formaddr(&attr, &at) == 0) ||
                   (dwarf_attr(&child, DW_AT_low_pc, &attr) != nullptr && dwarf_formaddr(&attr, &at) == 0);
        if (has && at == wanted) {
          found = child;
          return;
        }
      } else if (is_scope(tag)) {
        self(self, &child, depth + 1);
        if (found) return;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  };
  if (!scopes.scopes.empty()) {
    Dwarf_Die fn = scopes.scopes.front();
    walk(walk, &fn, 0);
  }
  call_sites_[return_pc] = found;
  return found;
}

const UnitFacts& DwarfSession::unit_of(const ScopesAt& scopes) {
  Dwarf_Die cu = scopes.cu;
  DieKey key = die_key(&cu);
  if (auto it = units_facts_.find(key); it != units_facts_.end()) return it->second;
  return units_facts_.emplace(key, unit_facts(&cu)).first->second;
}

std::vector<Dwarf_Die> DwarfSession::tail_calls(const ScopesAt& scopes) {
  // Every entry value found through a tail call asks for its function's: walked once. Returned
  // as a copy, since resolving one tail call may ask for another function's and refill the cache.
  const void* key = scopes.scopes.empty() ? nullptr : scopes.scopes.front().addr;
  if (auto it = tail_calls_.find(key); it != tail_calls_.end()) return it->second;
  if (tail_calls_.size() >= kMaxCachedPcs) tail_calls_.clear();
  std::vector<Dwarf_Die> out;
  std::size_t visited = 0;
  auto walk = [&](auto& self, Dwarf_Die* parent, int depth) -> void {
    Dwarf_Die child;
    if (depth > kMaxScopeDepth || dwarf_child(parent, &child) != 0) return;
    do {
      if (++visited > kMaxDiesVisited || out.size() >= 256) return;
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site) {
        if (die_flag(&child, DW_AT_call_tail_call) || die_flag(&child, DW_AT_GNU_tail_call)) out.push_back(child);
      } else if (is_scope(tag)) {
        self(self, &child, depth + 1);
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  };
  if (!scopes.scopes.empty()) {
    Dwarf_Die fn = scopes.scopes.front();
    walk(walk, &fn, 0);
  }
  tail_calls_.emplace(key, out);
  return out;
}

std::span<const std::byte> DwarfSession::section(Dwarf* dwarf, const char* name) {
  auto key = std::make_pair(static_cast<const void*>(dwarf), std::string(name));
  if (auto it = sections_.find(key); it != sections_.end()) return it->second;
  auto bytes = dwarf_section(dwarf, name);
  sections_[key] = bytes;
  return bytes;
}

const std::vector<DwarfSession::CfaRule>& DwarfSession::cfa_rules(std::uint64_t pc) {
  if (auto it = cfa_rules_.find(pc); it != cfa_rules_.end()) return it->second;
  if (cfa_rules_.size() >= kMaxCachedPcs) cfa_rules_.clear();  // a hostile dump's pcs: bounded memory
  std::vector<CfaRule> rules;
  if (Dwfl_Module* mod = modules_.module_at(pc)) {
    for (int which = 0; which < 2; ++which) {
      Dwarf_Addr bias = 0;
      Dwarf_CFI* cfi = which == 0 ? dwfl_module_eh_cfi(mod, &bias) : dwfl_module_dwarf_cfi(mod, &bias);
      Dwarf_Frame* frame = nullptr;
      if (cfi == nullptr || dwarf_cfi_addrframe(cfi, pc - bias, &frame) != 0) continue;
      Dwarf_Op* ops = nullptr;
      size_t n = 0;
      if (dwarf_frame_cfa(frame, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_bregx) {
        rules.push_back(CfaRule{static_cast<unsigned>(ops[0].number), ops[0].number2});
      }
      std::free(frame);
    }
  }
  return cfa_rules_.emplace(pc, std::move(rules)).first->second;
}

}  // namespace corelens::values
