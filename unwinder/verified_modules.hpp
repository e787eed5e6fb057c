// A libdwfl session over the modules the analysis verified (the Report's modules whose build-ids
// matched), each reported to libdwfl only when an address inside it is first asked about: what
// the fault explanation's variables (unwinder/variables.cpp) and the values engine
// (unwinder/values/dwarf_session.cpp) both read DWARF through. One frame's question needs that
// frame's module, not the whole process.
//
// libdwfl gets the files the analysis checked and their debug files (by the module's user data),
// and never looks for an ELF file of its own.
//
// Ownership: owns its Dwfl and the file descriptors libdwfl opened; copies the module list.
// Not thread-safe (libdw is not).
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/report.hpp"

namespace corelens {

class VerifiedModules {
 public:
  explicit VerifiedModules(const std::vector<ModuleReport>& modules);
  ~VerifiedModules();
  VerifiedModules(const VerifiedModules&) = delete;
  VerifiedModules& operator=(const VerifiedModules&) = delete;

  // The module containing PC, reported on first use; null without a verified file.
  Dwfl_Module* module_at(std::uint64_t pc);
  const std::vector<ModuleReport>& modules() const { return modules_; }
  // The session (null when libdwfl could not start one); modules in it are only those reported.
  Dwfl* dwfl() const { return dwfl_; }

  // The CFA at PC by its module's CFI (.eh_frame, else .debug_frame), when that CFI says
  // "register + offset"; REG(regno) gives a DWARF register's value or nullopt.
  template <typename RegFn>
  std::optional<std::uint64_t> cfa(std::uint64_t pc, RegFn&& reg);

 private:
  std::vector<ModuleReport> modules_;
  std::vector<Dwfl_Module*> reported_;
  std::vector<std::string> debug_files_;  // referenced by the modules' user data
  std::string debuginfo_path_ = "-:.debug:/usr/lib/debug";
  char* debuginfo_path_ptr_ = nullptr;
  Dwfl_Callbacks callbacks_{};
  Dwfl* dwfl_ = nullptr;
};

template <typename RegFn>
std::optional<std::uint64_t> VerifiedModules::cfa(std::uint64_t pc, RegFn&& reg) {
  Dwfl_Module* mod = module_at(pc);
  if (mod == nullptr) return std::nullopt;
  for (int which = 0; which < 2; ++which) {
    Dwarf_Addr bias = 0;
    Dwarf_CFI* cfi = which == 0 ? dwfl_module_eh_cfi(mod, &bias) : dwfl_module_dwarf_cfi(mod, &bias);
    Dwarf_Frame* frame = nullptr;
    if (cfi == nullptr || dwarf_cfi_addrframe(cfi, pc - bias, &frame) != 0) continue;
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    std::optional<std::uint64_t> out;
    if (dwarf_frame_cfa(frame, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_bregx) {
      if (auto v = reg(static_cast<unsigned>(ops[0].number))) out = *v + ops[0].number2;
    }
    std::free(frame);
    if (out) return out;
  }
  return std::nullopt;
}

// The address of the defined symbol WANTED ("name", or "name@VERSION" in the table) in MOD's
// symbol table; nullopt when MOD does not define it.
std::optional<std::uint64_t> defined_symbol_address(Dwfl_Module* mod, std::string_view wanted);

}  // namespace corelens
