#include "unwinder/values/scoped_names.hpp"

#include "unwinder/values/dwarf_types.hpp"

namespace corelens::values {
namespace {

constexpr std::size_t kMaxUnitWalk = 1u << 21;      // DIEs visited to index one unit's definitions
constexpr std::size_t kMaxStaticMembers = 65536;    // of one type: more is hostile DWARF
constexpr int kMaxScopeNesting = 64;

}  // namespace

std::optional<Dwarf_Die> ScopedDefinitions::of(Dwarf_Die declaration) {
  Dwarf_Die cudie;
  if (dwarf_diecu(&declaration, &cudie, nullptr, nullptr) == nullptr) return std::nullopt;
  auto [it, fresh] = by_unit_.try_emplace(die_key(&cudie));
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
          if (auto spec = die_ref(&child, DW_AT_specification)) it->second.emplace(dwarf_dieoffset(&*spec), child);
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    };
    walk(walk, &cudie, 0);
  }
  auto found = it->second.find(dwarf_dieoffset(&declaration));
  if (found == it->second.end()) return std::nullopt;
  return found->second;
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
