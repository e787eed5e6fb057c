#include "tests/integration/tail_calls.hpp"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>

namespace corelens::testing {
namespace {

// DW_AT_name, through DW_AT_abstract_origin and DW_AT_specification (an inlined call's function).
std::string name_of(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  const char* name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
  return name != nullptr ? name : "";
}

// The tail call sites returning to RELATIVE_PC in the DIE tree under DIE, with their caller: the
// innermost function or inlined call enclosing each.
void collect(Dwarf_Die* die, Dwarf_Die* scope, Dwarf_Addr relative_pc, std::vector<TailCallSite>& out, int depth) {
  if (depth > 64) return;  // DWARF from a file: bounded
  Dwarf_Die child;
  if (dwarf_child(die, &child) != 0) return;
  do {
    const int tag = dwarf_tag(&child);
    if (tag == DW_TAG_call_site || tag == DW_TAG_GNU_call_site) {
      Dwarf_Attribute attr;
      const bool tail = dwarf_hasattr(&child, DW_AT_call_tail_call) || dwarf_hasattr(&child, DW_AT_GNU_tail_call);
      Dwarf_Addr return_pc = 0;
      Dwarf_Attribute* at = dwarf_attr(&child, tag == DW_TAG_call_site ? DW_AT_call_return_pc : DW_AT_low_pc, &attr);
      if (tail && scope != nullptr && at != nullptr && dwarf_formaddr(at, &return_pc) == 0 && return_pc == relative_pc) {
        TailCallSite site{name_of(scope), ""};
        Dwarf_Die origin;
        Dwarf_Attribute* o = dwarf_attr(&child, DW_AT_call_origin, &attr);
        if (o == nullptr) o = dwarf_attr(&child, DW_AT_abstract_origin, &attr);
        if (o != nullptr && dwarf_formref_die(o, &origin) != nullptr) site.callee = name_of(&origin);
        out.push_back(std::move(site));
      }
    }
    const bool is_scope = tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
    collect(&child, is_scope ? &child : scope, relative_pc, out, depth + 1);
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

std::vector<TailCallSite> tail_calls_returning_to(const std::string& core, const std::string& exe, std::uint64_t pc) {
  std::vector<TailCallSite> out;
  static char* debuginfo_path = nullptr;
  static const Dwfl_Callbacks callbacks = {dwfl_build_id_find_elf, dwfl_standard_find_debuginfo, nullptr, &debuginfo_path};
  elf_version(EV_CURRENT);
  const int fd = ::open(core.c_str(), O_RDONLY);
  if (fd < 0) return out;
  std::unique_ptr<Elf, int (*)(Elf*)> elf(elf_begin(fd, ELF_C_READ_MMAP, nullptr), elf_end);
  std::unique_ptr<Dwfl, void (*)(Dwfl*)> dwfl(dwfl_begin(&callbacks), dwfl_end);
  if (elf && dwfl && dwfl_core_file_report(dwfl.get(), elf.get(), exe.c_str()) >= 0 &&
      dwfl_report_end(dwfl.get(), nullptr, nullptr) == 0) {
    // The module of the call instruction, which ends just before its return address.
    if (Dwfl_Module* module = dwfl_addrmodule(dwfl.get(), pc - 1)) {
      Dwarf_Addr bias = 0;
      Dwarf_Die* cu = dwfl_module_addrdie(module, pc - 1, &bias);
      if (cu != nullptr) {
        collect(cu, nullptr, pc - bias, out, 0);
      } else {  // no .debug_aranges (clang's units): every unit
        for (cu = dwfl_module_nextcu(module, nullptr, &bias); cu != nullptr; cu = dwfl_module_nextcu(module, cu, &bias)) {
          collect(cu, nullptr, pc - bias, out, 0);
        }
      }
    }
  }
  dwfl.reset();
  elf.reset();
  ::close(fd);
  return out;
}

}  // namespace corelens::testing
