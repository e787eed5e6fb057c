// The engine's state, shared by engine.cpp (frames, variables, expressions) and
// address_names.cpp (which variable holds an address).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "unwinder/values/dwarf_session.hpp"
#include "unwinder/values/dwarf_types.hpp"
#include "unwinder/values/engine.hpp"
#include "unwinder/values/frame_context.hpp"
#include "unwinder/values/frame_scope.hpp"
#include "unwinder/values/scoped_names.hpp"

namespace corelens::values {

// A thread's frames as the engine walks them: physical frames, and where each report frame is.
struct ThreadFrames {
  std::vector<PhysicalFrame> physical;
  std::vector<std::size_t> physical_of;  // report frame -> physical frame
  std::vector<std::size_t> level;        // report frame -> inlined calls out from the innermost at its pc
  std::vector<std::size_t> count;        // report frame -> frames at its pc (inlined ones and the real one)
};

// Symbols by the ELF symbol tables; a C++ function without a mangled name (main, extern "C")
// gets its parameter list from DWARF, as gdb names it ("main(int, char**)").
class SessionSymbols final : public SymbolNamer {
 public:
  SessionSymbols(DwarfSession& session, DwarfTypeTable& types) : session_(session), types_(types) {}
  std::optional<std::string> symbol_at(std::uint64_t address) const override;

 private:
  DwarfSession& session_;
  DwarfTypeTable& types_;
};

// One frame, resolved: its context and the DWARF scopes it stands for.
struct ResolvedFrame {
  const ThreadFrames* thread = nullptr;
  std::size_t physical = 0;
  const ScopesAt* scopes = nullptr;
  std::vector<Dwarf_Die> dies;  // the frame's own scopes, outermost first
};

struct ValueEngine::Impl {
  Impl(const Report& r, const MemorySource& m, const ProcessDump* d)
      : report(r), dump(d), memory(m), session(arch_of(r), r.modules), symbols(session, types) {
    types.set_static_resolver([this](Dwarf_Die declaration) { return scoped_value(declaration); });
  }
  static Arch arch_of(const Report& r);

  const ThreadFrames& frames_of(std::size_t thread);
  // Thread THREAD's frame FRAME with its DWARF scopes; without NEED_DWARF a frame that has none
  // is resolved too, with null scopes.
  Result<ResolvedFrame> resolve(std::size_t thread, std::size_t frame, bool need_dwarf = true);
  FrameWorld world(const ThreadFrames& t) { return FrameWorld{session, types, memory, t.physical, &locations}; }

  // A variable of a class or a namespace (a static member, `ns::x`) by its declaration or
  // definition DIE: the definition's value (in the declaration's unit, else by its linkage name
  // in any module, as gdb falls back to the ELF symbol), its DWARF constant, or optimized out.
  Value scoped_value(Dwarf_Die die);
  // NAME with "::" in it ("geo::detail::scale", "Registry::instances"), looked up in OWN's unit
  // (null: none), its module, then every module; or gdb's error for it.
  Known<Value> scoped_variable(const std::string& name, const ScopesAt* own);

  const Report& report;
  const ProcessDump* dump;
  ProcessMemory memory;
  DwarfSession session;
  DwarfTypeTable types;
  SessionSymbols symbols;
  std::map<std::size_t, ThreadFrames> threads;
  TypeNameCache names;
  LocationCache locations;
  ScopedDefinitions definitions;
  // The variables of each (pc, inline level, frame count): the same in every thread at that pc.
  std::map<std::tuple<std::uint64_t, std::size_t, std::size_t, bool>, std::vector<ScopeVariable>> variables;
  const std::vector<ScopeVariable>& variables_of(const ResolvedFrame& frame, std::size_t report_frame, bool locals);
  // The DWARF scopes of each (pc, inline level, frame count), likewise shared by every thread.
  std::map<std::tuple<std::uint64_t, std::size_t, std::size_t>, std::optional<std::vector<Dwarf_Die>>> scope_dies;
};

}  // namespace corelens::values
