#include "core/pipeline/crash_context.hpp"

#include "unwinder/variables.hpp"

namespace corelens {
namespace {

class BackendSymbols final : public SymbolLookup {
 public:
  explicit BackendSymbols(DwflBackend& backend) : backend_(backend) {}
  std::optional<std::uint64_t> address_of(std::string_view name) const override {
    return backend_.symbol_address(std::string(name));
  }
  std::optional<std::string> name_at(std::uint64_t addr) const override {
    auto hit = backend_.symbol_at(addr);
    if (!hit) return std::nullopt;
    return hit->name;
  }

 private:
  DwflBackend& backend_;  // lookups cache inside libdwfl, hence not const
};

}  // namespace

CrashAnalysis run_crash_analysis(const ProcessDump& dump, const Report& report, const MemorySource& memory,
                                 DwflBackend* backend, const SkipList* skip) {
  std::optional<BackendSymbols> symbols;
  if (backend != nullptr) symbols.emplace(*backend);
  // Variables by DWARF, in a libdwfl session of its own over the module files the analysis
  // verified: the backend keeps its Dwfl private, and this needs one function's DWARF at most.
  DwarfVariables variables(dump.arch, report.modules);
  CrashInputs in{report, dump, memory};
  in.symbols = symbols ? &*symbols : nullptr;
  in.variables = &variables;
  in.skip = skip;
  return analyze_crash(in);
}

}  // namespace corelens
