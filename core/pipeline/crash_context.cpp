#include "core/pipeline/crash_context.hpp"

#include <cctype>

#include "unwinder/values/engine.hpp"
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

// The variable an access expression starts from: "r" for "r->next", "pp" for "(*pp)->x".
std::string root_variable(const std::string& expr) {
  std::size_t i = 0;
  while (i < expr.size() && (expr[i] == '*' || expr[i] == '(' || expr[i] == '&')) ++i;
  std::size_t start = i;
  while (i < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '_')) ++i;
  if (i == start || std::isdigit(static_cast<unsigned char>(expr[start]))) return {};
  return expr.substr(start, i - start);
}

// The values involved, by name (issue 14): ", where r = 0x7ffd5c1e0a90 (const struct record *)"
// after the sentence that names r->next. Read from the dump at the faulting frame; nothing when
// the variable has no value there. The crash signature does not contain it.
void name_the_values(CrashAnalysis& a, const ProcessDump& dump, const Report& report, const MemorySource& memory) {
  if (!a.fault || a.fault->variable.empty()) return;
  std::string root = root_variable(a.fault->variable);
  std::size_t thread = report.threads.size();
  for (std::size_t i = 0; i < report.threads.size(); ++i) {
    if (report.threads[i].crashed) thread = i;
  }
  if (root.empty() || thread == report.threads.size() || report.threads[thread].frames.empty()) return;
  values::ValueEngine engine(report, memory, &dump);
  values::FormatOptions options = engine.default_options();
  options.depth = 0;
  options.compound_summaries = false;
  auto v = engine.evaluate(thread, 0, root, options);
  if (!v || !v->unavailable.empty() || v->value == "..." || v->value.empty()) return;
  std::string value = v->value.size() > 80 ? v->value.substr(0, 77) + "..." : v->value;
  a.why += ", where " + root + " = " + value + " (" + v->type + ")";
}

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
  CrashAnalysis a = analyze_crash(in);
  name_the_values(a, dump, report, memory);
  return a;
}

}  // namespace corelens
