#include "unwinder/values/frame_scope.hpp"

#include <algorithm>
#include <set>

#include "unwinder/values/dwarf_util.hpp"

namespace corelens::values {
namespace {

constexpr std::size_t kMaxVariables = 4096;        // per frame: more is a damaged or hostile file
constexpr std::size_t kMaxGlobalUnits = 1u << 16;  // units searched for a global by name

bool is_variable_tag(int tag) { return tag == DW_TAG_variable || tag == DW_TAG_formal_parameter; }

// The DIE a concrete DIE stands for (DW_AT_abstract_origin), by offset.
std::optional<Dwarf_Off> origin_offset(Dwarf_Die* die) {
  auto o = die_ref(die, DW_AT_abstract_origin);
  if (!o) return std::nullopt;
  return dwarf_dieoffset(&*o);
}

// A lexical block without addresses: its variables belong to the scope around it (gdb's
// read_lexical_block_scope; gcc leaves such blocks behind when it moved all their code away).
bool is_unplaced_block(Dwarf_Die* die) {
  return dwarf_tag(die) == DW_TAG_lexical_block && !dwarf_hasattr(die, DW_AT_low_pc) && !dwarf_hasattr(die, DW_AT_ranges);
}

// The variables of an abstract lexical block (it has no code of its own: all of them, nested
// blocks included, belong to the scope that inherits it).
void add_abstract_block(Dwarf_Die* block, int depth, std::vector<ScopeVariable>& out, int nesting) {
  Dwarf_Die child;
  if (nesting > 32 || dwarf_child(block, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    if (tag == DW_TAG_lexical_block) {
      add_abstract_block(&child, depth, out, nesting + 1);
    } else if (tag == DW_TAG_variable && out.size() < kMaxVariables && !die_flag(&child, DW_AT_declaration)) {
      std::string name = die_name(&child);
      if (!name.empty()) out.push_back(ScopeVariable{child, false, std::move(name), depth});
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

void add_children(Dwarf_Die* scope, bool want_arguments, int depth, std::vector<ScopeVariable>& out, int nesting = 0) {
  Dwarf_Die child;
  if (nesting > 32 || dwarf_child(scope, &child) != 0) return;
  std::set<Dwarf_Off> covered;
  do {
    int tag = dwarf_tag(&child);
    if (auto o = origin_offset(&child)) covered.insert(*o);
    if (!want_arguments && is_unplaced_block(&child)) {
      add_children(&child, false, depth, out, nesting + 1);
      continue;
    }
    if (!is_variable_tag(tag) || out.size() >= kMaxVariables) continue;
    if ((tag == DW_TAG_formal_parameter) != want_arguments) continue;
    if (die_flag(&child, DW_AT_declaration)) continue;  // `extern int x;` inside a function
    std::string name = die_name(&child);
    if (name.empty()) continue;  // an unnamed parameter: nothing to show it by (gdb shows none)
    out.push_back(ScopeVariable{child, want_arguments, std::move(name), depth});
  } while (dwarf_siblingof(&child, &child) == 0);
  // An inlined call (or an out-of-line copy of an inline function) may leave some of its
  // abstract origin's parameters and variables undescribed: gdb lists them, optimized out.
  auto origin = die_ref(scope, DW_AT_abstract_origin);
  if (!origin || dwarf_child(&*origin, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    if (tag == DW_TAG_lexical_block && !want_arguments && !covered.contains(dwarf_dieoffset(&child))) {
      add_abstract_block(&child, depth, out, nesting + 1);  // a block of the origin no copy of which is here
      continue;
    }
    if (!is_variable_tag(tag) || (tag == DW_TAG_formal_parameter) != want_arguments) continue;
    if (covered.contains(dwarf_dieoffset(&child)) || out.size() >= kMaxVariables) continue;
    std::string name = die_name(&child);
    if (name.empty() || die_flag(&child, DW_AT_declaration)) continue;
    out.push_back(ScopeVariable{child, want_arguments, std::move(name), depth});
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

std::optional<std::vector<Dwarf_Die>> frame_scope_dies(const ScopesAt& scopes, std::size_t level, std::size_t count) {
  std::vector<std::vector<Dwarf_Die>> groups;
  for (const Dwarf_Die& d : scopes.scopes) {
    Dwarf_Die die = d;
    if (groups.empty() || dwarf_tag(&die) == DW_TAG_inlined_subroutine) groups.emplace_back();
    groups.back().push_back(die);
  }
  // The real frame (the last of the COUNT frames at this pc) is the function itself, whatever
  // inlined calls the symboliser made frames of; inlined frames count out from the innermost.
  if (groups.empty() || level >= count) return std::nullopt;
  if (level + 1 == count) return groups.front();
  if (level + 1 >= groups.size()) return std::nullopt;
  return groups[groups.size() - 1 - level];
}

std::vector<ScopeVariable> scope_variables(const std::vector<Dwarf_Die>& dies, bool locals) {
  std::vector<ScopeVariable> out;
  if (dies.empty()) return out;
  Dwarf_Die fn = dies.front();
  add_children(&fn, true, 0, out);
  if (!locals) return out;
  for (std::size_t k = dies.size(); k-- > 0;) {
    Dwarf_Die scope = dies[k];
    add_children(&scope, false, static_cast<int>(k), out);
  }
  return out;
}

std::optional<ScopeVariable> find_variable(const std::vector<Dwarf_Die>& dies, const std::string& name) {
  // Innermost block first, locals before the parameters of the same function (a local cannot
  // shadow a parameter in C, but a block's variable shadows both).
  auto all = scope_variables(dies, true);
  std::stable_sort(all.begin(), all.end(), [](const ScopeVariable& a, const ScopeVariable& b) {
    return a.block_depth > b.block_depth;
  });
  for (auto& v : all) {
    if (v.name == name) return v;
  }
  return std::nullopt;
}

std::optional<Dwarf_Die> find_global(Dwarf_Die cu, const std::string& name, bool all_units) {
  auto search = [&](Dwarf_Die* unit) -> std::optional<Dwarf_Die> {
    Dwarf_Die child;
    if (dwarf_child(unit, &child) != 0) return std::nullopt;
    std::optional<Dwarf_Die> declaration;
    do {
      if (dwarf_tag(&child) != DW_TAG_variable || die_name(&child) != name) continue;
      if (dwarf_hasattr(&child, DW_AT_location) || dwarf_hasattr(&child, DW_AT_const_value)) return child;
      if (!declaration) declaration = child;
    } while (dwarf_siblingof(&child, &child) == 0);
    // A C++ static member or a declaration whose definition names it (DW_AT_specification).
    if (dwarf_child(unit, &child) == 0) {
      do {
        if (dwarf_tag(&child) != DW_TAG_variable || !dwarf_hasattr(&child, DW_AT_location)) continue;
        auto spec = die_ref(&child, DW_AT_specification);
        if (spec && die_name(&*spec) == name) return child;
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    return std::nullopt;
  };
  if (auto found = search(&cu)) return found;
  if (!all_units) return std::nullopt;
  Dwarf* dwarf = dwarf_cu_getdwarf(cu.cu);
  Dwarf_CU* unit = nullptr;
  Dwarf_Die cudie, subdie;
  std::uint8_t unit_type = 0;
  std::size_t units = 0;
  while (dwarf_get_units(dwarf, unit, &unit, nullptr, &unit_type, &cudie, &subdie) == 0 && ++units < kMaxGlobalUnits) {
    if (auto found = search(&cudie)) return found;
  }
  return std::nullopt;
}

std::optional<GlobalAt> find_global_in_modules(DwarfSession& session, const std::string& name, Dwfl_Module* skip) {
  for (Dwfl_Module* module : session.all_modules()) {
    if (module == skip) continue;
    Dwarf_Addr bias = 0;
    Dwarf* dwarf = dwfl_module_getdwarf(module, &bias);
    if (dwarf == nullptr) continue;
    Dwarf_CU* unit = nullptr;
    Dwarf_Die cudie, subdie;
    std::uint8_t unit_type = 0;
    if (dwarf_get_units(dwarf, nullptr, &unit, nullptr, &unit_type, &cudie, &subdie) != 0) continue;
    auto die = find_global(cudie, name, true);
    if (!die) continue;
    GlobalAt out;
    out.unit.module = module;
    out.unit.bias = bias;
    if (dwarf_diecu(&*die, &out.unit.cu, nullptr, nullptr) == nullptr) continue;
    out.die = *die;
    return out;
  }
  return std::nullopt;
}

}  // namespace corelens::values
