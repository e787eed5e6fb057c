// VariableResolver on libdw: the source variables visible at a pc (parameters and locals of the
// function and of every inlined call at that pc, and the unit's globals), where their DWARF
// location lists put them at that pc, and the members of the types they point to.
//
// It opens its own libdwfl session over the files the analysis already verified (the Report's
// modules: matching build-ids only; unwinder/verified_modules.hpp), reporting a module only when a
// pc inside it is asked about: the fault explanation needs the DWARF of one function, not of the
// whole process.
//
// Ownership: owns its Dwfl session and the file descriptors libdwfl opened; copies what it needs
// from the Report, which need not outlive it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/analysis/crash_analysis.hpp"
#include "core/model/arch.hpp"

namespace corelens {

class DwarfVariables final : public VariableResolver {
 public:
  DwarfVariables(Arch arch, const std::vector<ModuleReport>& modules);
  ~DwarfVariables() override;
  DwarfVariables(const DwarfVariables&) = delete;
  DwarfVariables& operator=(const DwarfVariables&) = delete;

  std::optional<std::pair<std::uint64_t, std::uint64_t>> function_range(std::uint64_t pc) const override;
  std::optional<NamedAccess> name_access(const PointerOrigin& origin, std::optional<std::int64_t> offset) const override;

 private:
  struct Session;
  std::unique_ptr<Session> session_;
};

}  // namespace corelens
