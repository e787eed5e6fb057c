// C++ names inside scopes: static data members of classes and variables of namespaces.
//
// DWARF declares each one inside its class or namespace (DWARF 5: a DW_TAG_variable; DWARF 4, for
// a static member: a DW_TAG_member with DW_AT_external or DW_AT_declaration) and defines it
// elsewhere, usually at the unit's top level: a DW_TAG_variable whose DW_AT_specification names
// the declaration and which has the location. A `static const int k = 8;` member may have only
// its declaration, with DW_AT_const_value; one the program never defines has neither (gdb prints
// `<optimized out>`).
#pragma once

#include <elfutils/libdw.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "unwinder/values/dwarf_util.hpp"

namespace corelens::values {

// The definitions of declarations (variables whose DW_AT_specification names them), unit by
// unit, each unit indexed the first time one of its declarations is asked about.
class ScopedDefinitions {
 public:
  // The definition of DECLARATION in its own unit, or nullopt.
  std::optional<Dwarf_Die> of(Dwarf_Die declaration);

 private:
  std::map<DieKey, std::map<Dwarf_Off, Dwarf_Die>> by_unit_;  // unit DIE -> declaration offset -> definition
};

// "geo::detail::scale" -> {"geo", "detail", "scale"}; "::x" -> {"x"}. Split at the "::" outside
// template arguments ("Box<ns::T>::count" -> {"Box<ns::T>", "count"}).
std::vector<std::string> split_scoped_name(const std::string& name);

// How far a scoped name got in one unit: the variable it names (a declaration or a definition),
// or the deepest namespace or class its leading components name (for gdb's error messages).
struct ScopedLookup {
  std::optional<Dwarf_Die> variable;
  std::size_t scopes_matched = 0;  // leading components that named a namespace or a class
  bool deepest_is_class = false;
};

// PATH looked up from unit CU's top level: namespaces (inline ones transparently, as
// std::__cxx11), then classes, then the variable or static member.
ScopedLookup lookup_scoped(Dwarf_Die cu, const std::vector<std::string>& path);

}  // namespace corelens::values
