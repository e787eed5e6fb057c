#include "unwinder/pipeline/crash_context.hpp"

#include <cctype>

#include "core/analysis/deadlocks.hpp"
#include "core/analysis/syscalls.hpp"
#include "core/analysis/waits.hpp"
#include "core/model/strings.hpp"
#include "unwinder/glibc_dwarf_layout.hpp"
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

// Objects by the symbol tables: a global's name, "acc+0x28" inside one (DwarfThenSymbolNames
// asks the program's DWARF first).
class SymbolNames final : public ObjectNamer {
 public:
  explicit SymbolNames(DwflBackend& backend) : backend_(backend) {}
  std::string name_object(std::size_t, std::size_t, std::uint64_t address) const override {
    auto hit = backend_.symbol_at(address);
    if (!hit || hit->name.empty() || address < hit->address) return {};
    std::uint64_t offset = address - hit->address;
    if (offset == 0) return hit->name;
    if (hit->size == 0 || offset >= hit->size) return {};
    return hit->name + "+" + hex(offset);
  }

 private:
  DwflBackend& backend_;
};

// EXPRESSION up to its first member with a reserved name: "jobs_available.__data.__wseq" is the
// condition variable "jobs_available", "ring[1]._M_mutex.__data" the std::mutex "ring[1]". Names
// that start with "__" or "_" and a capital letter belong to the C and C++ libraries' insides.
std::string without_library_internals(const std::string& expression) {
  for (std::size_t i = 0; i < expression.size(); ++i) {
    std::size_t name = std::string::npos;
    if (expression[i] == '.') name = i + 1;
    else if (expression.compare(i, 2, "->") == 0) name = i + 2;
    if (name == std::string::npos || name + 1 >= expression.size()) continue;
    bool reserved = expression[name] == '_' &&
                    (expression[name + 1] == '_' || std::isupper(static_cast<unsigned char>(expression[name + 1])) != 0);
    if (reserved && i > 0) return expression.substr(0, i);
  }
  return expression;
}

// Objects by the program's DWARF first ("ring[1]", "acc[1].lock", a local seen from the waiting
// frame), by the symbol tables where DWARF names nothing. The values engine (its own libdwfl
// session) is opened on the first object asked about: most dumps have no waits.
class DwarfThenSymbolNames final : public ObjectNamer {
 public:
  DwarfThenSymbolNames(const Report& report, const MemorySource& memory, const ProcessDump& dump,
                       const SymbolNames* symbols)
      : report_(report), memory_(memory), dump_(dump), symbols_(symbols) {}
  std::string name_object(std::size_t thread, std::size_t frame, std::uint64_t address) const override {
    std::string global = symbols_ != nullptr ? symbols_->name_object(thread, frame, address) : std::string();
    if (!values_) values_.emplace(report_, memory_, &dump_);
    auto named = values_->name_address(thread, frame, address);
    if (!named || named->expression.empty()) return global;
    std::string object = without_library_internals(named->expression);
    if (object == named->expression && named->offset != 0) object += "+" + hex(named->offset);
    // A global that covers the address says which object holds it; DWARF then refines the path
    // into it ("acc+0x28" -> "acc[1].lock"). A name through a local pointer that disagrees
    // ("o[5]" for a pointer to one object) is a guess, and the global wins.
    std::string global_object = global.substr(0, global.find('+'));
    auto refines = [&] {
      if (!object.starts_with(global_object)) return false;
      std::string_view rest = std::string_view(object).substr(global_object.size());
      return rest.empty() || rest.starts_with('[') || rest.starts_with('.') || rest.starts_with('+');
    };
    if (global.empty() || refines()) return object;
    return global;
  }

 private:
  const Report& report_;
  const MemorySource& memory_;
  const ProcessDump& dump_;
  const SymbolNames* symbols_;
  mutable std::optional<values::ValueEngine> values_;  // opened on first use
};

bool any_futex_wait(const ProcessDump& dump, const Report& report, const MemorySource& memory) {
  for (const auto& t : report.threads) {
    auto s = blocking_syscall(dump.arch, t.registers, &memory);
    if (s && (s->name == "futex" || s->name == "futex_wait")) return true;
  }
  return false;
}

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
  // A fault a signal handler caught and raised again (crash_analysis.cpp, analyze_raised) happened
  // in the frame below the signal trampoline; the sentence about the handler comes after the value.
  const auto& frames = report.threads[thread].frames;
  std::size_t frame = 0;
  std::size_t tail = a.why.find("; caught by ");
  if (tail != std::string::npos) {
    while (frame < frames.size() && !frames[frame].signal_frame) ++frame;
    if (++frame >= frames.size()) return;
  } else {
    tail = a.why.find("; the signal itself is ");
  }
  if (tail == std::string::npos) tail = a.why.size();
  values::ValueEngine engine(report, memory, &dump);
  values::FormatOptions options = engine.default_options();
  options.depth = 0;
  options.compound_summaries = false;
  auto v = engine.evaluate(thread, frame, root, options);
  if (!v || !v->unavailable.empty() || v->value == "..." || v->value.empty()) return;
  std::string value = v->value.size() > 80 ? v->value.substr(0, 77) + "..." : v->value;
  a.why.insert(tail, ", where " + root + " = " + value + " (" + v->type + ")");
}

}  // namespace

void run_wait_analysis(CrashAnalysis& analysis, const ProcessDump& dump, const Report& report,
                       const MemorySource& memory, DwflBackend* backend) {
  std::optional<SymbolNames> symbols;
  if (backend != nullptr) symbols.emplace(*backend);
  DwarfThenSymbolNames names(report, memory, dump, symbols ? &*symbols : nullptr);
  // glibc's layouts are looked up (DWARF, symbol versions) only when a thread sleeps on a futex.
  std::string layout_words;
  std::optional<GlibcLayout> layout;
  if (any_futex_wait(dump, report, memory)) layout = glibc_layout_for(dump.arch, report.modules, &layout_words);
  WaitInputs in{report, dump, memory};
  in.layout = layout ? &*layout : nullptr;
  in.names = &names;
  explain_hang(analysis, report, analyze_waits(in), std::move(layout_words));
}

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
  CrashAnalysis analysis = analyze_crash(in);
  name_the_values(analysis, dump, report, memory);
  run_wait_analysis(analysis, dump, report, memory, backend);
  return analysis;
}

}  // namespace corelens
