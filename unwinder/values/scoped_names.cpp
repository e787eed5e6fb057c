#include "unwinder/values/scoped_names.hpp"

#include "unwinder/values/dwarf_types.hpp"

namespace corelens::values {
namespace {

constexpr std::size_t kMaxUnitWalk = 1u << 21;      // DIEs visited to index one unit's definitions
constexpr std::size_t kMaxLookupWalk = 1u << 20;    // DIEs visited to look one name up in one unit
constexpr std::size_t kMaxStaticMembers = 65536;    // of one type: more is hostile DWARF
constexpr int kMaxScopeNesting = 64;

bool is_class_tag(int tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
}

// A declaration of a variable in a class or namespace (DWARF 4 static members are members).
bool is_scoped_variable(Dwarf_Die* die) {
  int tag = dwarf_tag(die);
  if (tag == DW_TAG_variable) return true;
  return tag == DW_TAG_member && (die_flag(die, DW_AT_external) || die_flag(die, DW_AT_declaration));
}

bool has_value(Dwarf_Die* die) {
  return dwarf_hasattr(die, DW_AT_location) || dwarf_hasattr(die, DW_AT_const_value);
}

}  // namespace

std::optional<Dwarf_Die> ScopedDefinitions::of(Dwarf_Die declaration) {
  Dwarf_Die cudie;
  if (dwarf_diecu(&declaration, &cudie, nullptr, nullptr) == nullptr) return std::nullopt;
  auto [it, fresh] = by_unit_.try_emplace(die_key(&cudie));
  auto& definitions = it->second;  // a lambda may not capture a structured binding in clang 14
  if (fresh) {
    // Definitions sit at the top level or in a namespace (a namespace's own variables), never
    // inside functions: only those scopes are walked.
    std::size_t visited = 0;
    auto walk = [&](auto& self, Dwarf_Die* scope, int depth) -> void {
      Dwarf_Die child;
      if (depth > kMaxScopeNesting || dwarf_child(scope, &child) != 0) return;
      do {
        if (++visited > kMaxUnitWalk) return;
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_namespace) {
          self(self, &child, depth + 1);
        } else if (tag == DW_TAG_variable && dwarf_hasattr(&child, DW_AT_location)) {
          if (auto spec = die_ref(&child, DW_AT_specification)) definitions.emplace(dwarf_dieoffset(&*spec), child);
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    };
    walk(walk, &cudie, 0);
  }
  auto found = definitions.find(dwarf_dieoffset(&declaration));
  if (found == definitions.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> split_scoped_name(const std::string& name) {
  std::vector<std::string> out;
  std::string part;
  int angle = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '<') ++angle;
    if (c == '>' && angle > 0) --angle;
    if (angle == 0 && c == ':' && i + 1 < name.size() && name[i + 1] == ':') {
      if (!part.empty()) out.push_back(std::move(part));
      part.clear();
      ++i;
      continue;
    }
    part += c;
  }
  if (!part.empty()) out.push_back(std::move(part));
  return out;
}

ScopedLookup lookup_scoped(Dwarf_Die cu, const std::vector<std::string>& path) {
  ScopedLookup out;
  if (path.empty()) return out;
  std::size_t visited = 0;
  // Every scope of the right name is searched: a namespace is reopened many times in one unit.
  auto walk = [&](auto& self, Dwarf_Die* scope, std::size_t k, int depth) -> void {
    Dwarf_Die child;
    if (depth > kMaxScopeNesting || dwarf_child(scope, &child) != 0) return;
    const bool last = k + 1 == path.size();
    do {
      if (++visited > kMaxLookupWalk || (out.variable && has_value(&*out.variable))) return;
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_namespace && die_flag(&child, DW_AT_export_symbols)) {
        self(self, &child, k, depth + 1);  // an inline namespace: its names are its parent's
        continue;
      }
      if (die_name(&child) != path[k]) continue;
      if (last) {
        if (is_scoped_variable(&child) && (!out.variable || has_value(&child))) out.variable = child;
        continue;
      }
      bool is_class = is_class_tag(tag) && !die_flag(&child, DW_AT_declaration);
      if (tag != DW_TAG_namespace && !is_class) continue;
      if (k + 1 > out.scopes_matched) {
        out.scopes_matched = k + 1;
        out.deepest_is_class = is_class;
      }
      self(self, &child, k + 1, depth + 1);
    } while (dwarf_siblingof(&child, &child) == 0);
  };
  walk(walk, &cu, 0, 0);
  return out;
}

void DwarfTypeTable::add_static_member(TypeId id, std::vector<Member>& members, Dwarf_Die die) {
  if (members.size() >= kMaxStaticMembers) return;
  Member m;
  m.name = die_name(&die);
  m.type = type_of(&die);
  m.is_static = true;
  static_dies_[{id, members.size()}] = die;
  members.push_back(std::move(m));
}

std::shared_ptr<const Value> DwarfTypeTable::static_value(TypeId owner, std::size_t member) {
  auto die = static_dies_.find({owner, member});
  if (die == static_dies_.end() || !static_resolver_) return nullptr;
  DieKey key = die_key(&die->second);
  if (auto it = static_values_.find(key); it != static_values_.end()) return it->second;
  auto value = std::make_shared<const Value>(static_resolver_(die->second));
  static_values_.emplace(key, value);
  return value;
}

}  // namespace corelens::values
