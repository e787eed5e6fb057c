// Which variables a frame has: the parameters and locals of the function (or inlined call) the
// frame stands for at its pc, block by block, as gdb lists them; and the globals of the unit.
#pragma once

#include <elfutils/libdw.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "unwinder/values/dwarf_session.hpp"

namespace corelens::values {

struct ScopeVariable {
  Dwarf_Die die;             // the concrete DIE (its location), or an abstract one (no location)
  bool argument = false;
  std::string name;
  int block_depth = 0;       // 0: the function's own scope; deeper: nested blocks
};

// The DWARF scopes of one frame: SCOPES split at each inlined call; the frame that is LEVEL
// calls out from the innermost (0 is the innermost, as the report lists them) of the COUNT
// frames at this pc, the last of which is the real function. Nullopt when DWARF has no scope
// for it.
std::optional<std::vector<Dwarf_Die>> frame_scope_dies(const ScopesAt& scopes, std::size_t level, std::size_t count);

// The variables of a frame's scope dies (outermost first): arguments in declaration order, then
// locals innermost block first, each block in declaration order. Parameters an inlined call's
// abstract origin declares but the call does not describe are listed without a location.
std::vector<ScopeVariable> scope_variables(const std::vector<Dwarf_Die>& dies, bool locals);

// A variable named NAME visible in the frame's scopes, innermost first; nullopt when none.
std::optional<ScopeVariable> find_variable(const std::vector<Dwarf_Die>& dies, const std::string& name);

// A global variable named NAME defined in the unit CU, or (ALL_UNITS) in any unit of its module.
std::optional<Dwarf_Die> find_global(Dwarf_Die cu, const std::string& name, bool all_units);

// A global variable found in some module, with the unit to evaluate it in (its module's load
// bias and its CU; no function scopes: a global's location needs none).
struct GlobalAt {
  ScopesAt unit;
  Dwarf_Die die;
};

// The global variable NAME in the DWARF of any module but SKIP, in the order the report lists
// the modules (the executable, which loads lowest, first): gdb looks in every objfile, so a
// frame in libc still sees the program's globals.
std::optional<GlobalAt> find_global_in_modules(DwarfSession& session, const std::string& name, Dwfl_Module* skip);

}  // namespace corelens::values
