// What DWARF says about a tail call, read with libdwfl straight from a core and the files it
// names (not through corelens): the peer comparisons use it to accept the frames gdb rebuilds
// from DW_TAG_call_site entries, and only those.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace corelens::testing {

struct TailCallSite {
  std::string caller;  // the scope holding the call site: a function, or an inlined call's function
  std::string callee;  // DW_AT_call_origin's name; "" for an indirect call
};

// The call sites marked as tail calls (DW_TAG_call_site with DW_AT_call_tail_call, or GCC's
// DW_TAG_GNU_call_site with DW_AT_GNU_tail_call) whose return address (DW_AT_call_return_pc,
// DW_AT_low_pc for the GNU form) is PC, in the module of CORE (analysed with EXE) that holds PC.
// Empty when there is none, or when that module has no DWARF.
std::vector<TailCallSite> tail_calls_returning_to(const std::string& core, const std::string& exe, std::uint64_t pc);

}  // namespace corelens::testing
