// The TypeTable over libdw: each type DIE becomes one TypeId the first time it is met. Names are
// qualified by the namespaces and classes around the DIE (found through a per-unit map of
// parents, built the first time a unit needs one), members are read when first asked for, and
// a struct that a unit only declares is looked up by name in the module's other units.
//
// Hostile DWARF: chains of types are followed to a bounded depth, the table holds at most
// kMaxTypes types (then further DIEs become `void`), the per-unit and per-module walks are
// capped. Not thread-safe: the engine serialises every call.
#pragma once

#include <elfutils/libdw.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "unwinder/values/dwarf_util.hpp"
#include "unwinder/values/types.hpp"
#include "unwinder/values/value.hpp"

namespace corelens::values {

// The language of a unit's DW_AT_language (dwarf_srclang): C, C++, Rust or another.
Language language_of(int dw_lang);

class DwarfTypeTable final : public TypeTable {
 public:
  static constexpr std::size_t kMaxTypes = 1u << 20;

  DwarfTypeTable();
  const Type& get(TypeId id) override;
  const Type& complete(TypeId id) override;
  TypeId derived(TypeKind kind, TypeId target, std::uint64_t count = 0) override;
  TypeId basic(Encoding encoding, std::uint64_t size, const std::string& name) override;
  TypeId definition(TypeId id) override;
  std::optional<TypeId> named_near(TypeId near, const std::string& name) override;

  // The id of the type DIE (reading it now if new).
  TypeId of(Dwarf_Die die);
  // The id of the type of a variable, member or function DIE (DW_AT_type); void without one.
  TypeId type_of(Dwarf_Die* die);
  // The base type of a unit at a unit-relative offset (DW_OP_regval_type & co).
  std::optional<Dwarf_Die> unit_die(Dwarf_Die* any_die_of_unit, std::uint64_t cu_offset);
  // A struct/class/union/enum/typedef named NAME (qualified: "ns::Point") in the module whose
  // DWARF is DWARF, or nullopt. For casts in expressions.
  std::optional<TypeId> find_named(Dwarf* dwarf, const std::string& name);

  // The qualified name of a DIE ("std::vector<int, ...>", "rv::Slots"), through its parents.
  std::string qualified_name(Dwarf_Die* die);

  // Static members (scoped_names.cpp): the value of a member's declaration DIE comes from
  // RESOLVER, which the engine sets (it knows the process's memory and the modules' load
  // biases); each declaration is resolved once.
  using StaticResolver = std::function<Value(Dwarf_Die declaration)>;
  void set_static_resolver(StaticResolver resolver) { static_resolver_ = std::move(resolver); }
  std::shared_ptr<const Value> static_value(TypeId owner, std::size_t member) override;

 private:
  struct Parents {
    std::unordered_map<Dwarf_Off, Dwarf_Off> of;  // child offset -> parent offset, in named scopes
  };
  void read(TypeId id, Dwarf_Die die);
  void read_members(TypeId id);
  // A static member declared by DIE, as member MEMBERS.size() of type ID.
  void add_static_member(TypeId id, std::vector<Member>& members, Dwarf_Die die);
  const Parents& parents_of(Dwarf_Die* die);
  void index_module(Dwarf* dwarf);

  // Each type in its own allocation: references to types stay valid as the table grows, and
  // finding one by id is one index (a deque's costs ~30 instructions; every value asks often).
  class Types {
   public:
    Type& operator[](std::size_t i) { return *items_[i]; }
    std::size_t size() const { return items_.size(); }
    void push_back(Type t) { items_.push_back(std::make_unique<Type>(std::move(t))); }

   private:
    std::vector<std::unique_ptr<Type>> items_;
  };
  Types types_;
  std::vector<Dwarf_Die> dies_;           // by TypeId: the DIE it was read from (for members)
  std::vector<std::uint8_t> has_die_;
  std::map<DieKey, TypeId> ids_;
  std::map<std::pair<const void*, Dwarf_Off>, Parents> parents_;  // by (Dwarf, unit offset)
  // Per module: complete struct/class/union/enum/typedef DIEs by qualified name.
  std::map<const void*, std::unordered_map<std::string, Dwarf_Die>> named_;
  std::map<std::pair<TypeId, std::uint64_t>, TypeId> derived_;
  std::map<std::string, TypeId> basic_;
  int depth_ = 0;  // nesting of read(): a chain of types deeper than this is damaged DWARF
  std::map<std::pair<TypeId, std::size_t>, Dwarf_Die> static_dies_;  // (type, member) -> declaration
  std::map<DieKey, std::shared_ptr<const Value>> static_values_;      // by declaration
  StaticResolver static_resolver_;
};

}  // namespace corelens::values
