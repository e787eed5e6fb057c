#include "unwinder/values/engine.hpp"

#include "core/model/strings.hpp"
#include "unwinder/values/engine_impl.hpp"
#include "unwinder/values/expression.hpp"

namespace corelens::values {
namespace {

// The variables-by-pc and scopes-by-pc caches are emptied when they hold this many lists: every
// thread stopped at a pc shares one, so a real dump has far fewer; a hostile one could name unboundedly many.
constexpr std::size_t kMaxCachedVariableLists = 100000;

bool is_cxx_unit(Dwarf_Die cu) { return language_of(dwarf_srclang(&cu)) == Language::cxx; }

// Names in an expression, looked up as gdb does: the frame's variables innermost first, then
// in a C++ member function the object's members (`id` is this->id, a static `kLimit` too), then
// the unit's globals, then the module's, then every other module's (a frame in libc still sees
// the program's globals). A frame without DWARF sees the globals of every module. An ELF symbol
// without DWARF is not a value: gdb gives it no type either.
class FrameScope final : public ExpressionScope {
 public:
  // FRAME's scopes are null for a frame without DWARF.
  FrameScope(ValueEngine::Impl& impl, const ResolvedFrame& frame, FrameWorld& world, const FormatOptions& options)
      : impl_(impl), frame_(frame), world_(world), options_(options) {}

  Known<Value> variable(const std::string& name) override {
    if (name.find("::") != std::string::npos) return impl_.scoped_variable(name, frame_.scopes);
    Dwfl_Module* own = nullptr;
    if (frame_.scopes != nullptr) {
      own = frame_.scopes->module;
      FrameContext context(world_, frame_.physical, *frame_.scopes);
      if (auto v = find_variable(frame_.dies, name)) return context.variable_value(&v->die);
      if (name != "this" && is_cxx_unit(frame_.scopes->cu) && find_variable(frame_.dies, "this")) {
        // `this` is a C++ keyword, never a user's name; a member it lacks falls through to globals.
        std::string through_this = "this->" + name;
        if (auto member = evaluate_expression(through_this, *this, impl_.types, impl_.memory, options_)) return member;
      }
      if (auto g = find_global(frame_.scopes->cu, name, true)) return context.variable_value(&*g);
    }
    if (auto g = find_global_in_modules(impl_.session, name, own)) {
      // Its location is an address in its own module: evaluated with that module's load bias.
      FrameContext context(world_, frame_.physical, g->unit);
      return context.variable_value(&g->die);
    }
    return unavailable(value_error("No symbol \"" + name + "\" in current context."));
  }

  std::optional<TypeId> type_named(const std::string& name) override {
    Dwarf* own = frame_.scopes != nullptr ? dwarf_cu_getdwarf(frame_.scopes->cu.cu) : nullptr;
    if (own != nullptr) {
      if (auto t = named_in(own, name)) return t;
    }
    for (Dwfl_Module* module : impl_.session.all_modules()) {
      Dwarf_Addr bias = 0;
      Dwarf* dwarf = dwfl_module_getdwarf(module, &bias);
      if (dwarf == nullptr || dwarf == own) continue;
      if (auto t = named_in(dwarf, name)) return t;
    }
    return std::nullopt;
  }

 private:
  std::optional<TypeId> named_in(Dwarf* dwarf, const std::string& name) {
    if (auto t = impl_.types.find_named(dwarf, name)) return t;
    if (Dwarf* alt = dwarf_getalt(dwarf)) return impl_.types.find_named(alt, name);
    return std::nullopt;
  }

  ValueEngine::Impl& impl_;
  const ResolvedFrame& frame_;
  FrameWorld& world_;
  const FormatOptions& options_;
};

}  // namespace

Arch ValueEngine::Impl::arch_of(const Report& r) { return arch_from_string(r.arch); }

Value ValueEngine::Impl::scoped_value(Dwarf_Die die) {
  TypeId type = types.type_of(&die);
  Dwarf_Die target = die;
  if (!dwarf_hasattr(&die, DW_AT_location) && !dwarf_hasattr(&die, DW_AT_const_value)) {
    if (auto definition = definitions.of(die)) target = *definition;
  }
  if (dwarf_hasattr(&target, DW_AT_location) || dwarf_hasattr(&target, DW_AT_const_value)) {
    auto module = session.module_of(dwarf_cu_getdwarf(target.cu));
    ScopesAt unit;
    if (module && dwarf_diecu(&target, &unit.cu, nullptr, nullptr) != nullptr) {
      unit.module = module->module;
      unit.bias = module->bias;
      // Static storage needs no frame: a context with no registers (a thread-local one, whose
      // address needs the thread's, says so).
      static const std::vector<PhysicalFrame> kNoFrames;
      static const PhysicalFrame kNoFrame;
      FrameWorld world{session, types, memory, kNoFrames, nullptr};
      FrameContext context(world, kNoFrame, 0, unit, 0, std::nullopt);
      return context.variable_value(&target);
    }
  }
  // Defined in a unit or module without its declaration's DWARF: the ELF symbol of its linkage name.
  Dwarf_Attribute attr;
  const char* linkage = dwarf_formstring(dwarf_attr_integrate(&die, DW_AT_linkage_name, &attr));
  if (linkage != nullptr) {
    if (auto address = session.symbol_address(linkage, 0)) return Value::in_memory(type, *address);
  } else if (auto address = session.object_address(types.qualified_name(&die))) {
    return Value::in_memory(type, *address);  // DWARF 4 declares no linkage name: by the demangled one
  }
  return Value::missing(type, optimized_out());
}

Known<Value> ValueEngine::Impl::scoped_variable(const std::string& name, const ScopesAt* own) {
  std::vector<std::string> path = split_scoped_name(name);
  if (path.empty()) return unavailable(value_error("No symbol \"" + name + "\" in current context."));
  ScopedLookup best;
  auto consider = [&](Dwarf_Die cu) -> bool {
    ScopedLookup found = lookup_scoped(cu, path);
    if (found.variable) {
      best = found;
      return true;
    }
    if (found.scopes_matched > best.scopes_matched) best = found;
    return false;
  };
  auto every_unit = [&](Dwarf* dwarf) -> bool {
    Dwarf_CU* unit = nullptr;
    Dwarf_Die cudie, subdie;
    std::uint8_t unit_type = 0;
    while (dwarf_get_units(dwarf, unit, &unit, nullptr, &unit_type, &cudie, &subdie) == 0) {
      if (consider(cudie)) return true;
    }
    return false;
  };
  // As gdb: the frame's unit, its module, then every module (the program's first).
  Dwarf* own_dwarf = own != nullptr ? dwarf_cu_getdwarf(own->cu.cu) : nullptr;
  bool found = own != nullptr && (consider(own->cu) || every_unit(own_dwarf));
  for (Dwfl_Module* module : found ? std::vector<Dwfl_Module*>{} : session.all_modules()) {
    Dwarf_Addr bias = 0;
    Dwarf* dwarf = dwfl_module_getdwarf(module, &bias);
    if (dwarf == nullptr || dwarf == own_dwarf) continue;
    if ((found = every_unit(dwarf))) break;
  }
  if (best.variable) return scoped_value(*best.variable);
  // gdb's words: a class has no such field, a namespace no such symbol, or the first name is unknown.
  std::size_t k = best.scopes_matched;
  if (k == 0) return unavailable(value_error("No symbol \"" + path.front() + "\" in current context."));
  std::string scope = path.front();
  for (std::size_t i = 1; i < k; ++i) scope += "::" + path[i];
  if (k + 1 < path.size()) {  // a scope inside it is missing
    return unavailable(value_error("No type \"" + path[k] + "\" within class or namespace \"" + scope + "\"."));
  }
  if (best.deepest_is_class) return unavailable(value_error("There is no field named " + path[k]));
  return unavailable(value_error("No symbol \"" + path[k] + "\" in namespace \"" + scope + "\"."));
}

std::optional<std::string> SessionSymbols::symbol_at(std::uint64_t address) const {
  auto name = session_.symbol_at(address);
  if (!name || name->find('(') != std::string::npos || name->find('+') != std::string::npos) return name;
  const ScopesAt* s = session_.scopes_at(address);
  if (s == nullptr || s->scopes.empty()) return name;
  Dwarf_Die fn = s->scopes.front();
  Dwarf_Die cu = s->cu;
  Dwarf_Addr entry = 0;
  if (!is_cxx_unit(cu) || dwarf_tag(&fn) != DW_TAG_subprogram) return name;
  // The function's entry: DW_AT_entry_pc or low_pc, else the first of its ranges (hot/cold split).
  if (dwarf_entrypc(&fn, &entry) != 0) {
    Dwarf_Addr base = 0, start = 0, end = 0;
    if (dwarf_ranges(&fn, 0, &base, &start, &end) <= 0) return name;
    entry = start;
  }
  if (entry + s->bias != address) return name;
  std::string params;
  Dwarf_Die child;
  if (dwarf_child(&fn, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_formal_parameter || die_flag(&child, DW_AT_artificial)) continue;
      params += (params.empty() ? "" : ", ") + demangler_type_name(types_, types_.type_of(&child));
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return *name + "(" + params + ")";
}

const ThreadFrames& ValueEngine::Impl::frames_of(std::size_t thread) {
  if (auto it = threads.find(thread); it != threads.end()) return it->second;
  ThreadFrames& t = threads[thread];
  const ThreadReport& tr = report.threads[thread];
  const std::vector<WideRegister>* wide = nullptr;
  if (dump != nullptr) {
    for (const auto& th : dump->threads) {
      if (th.tid == tr.tid) wide = &th.registers.wide;
    }
  }
  std::size_t i = 0;
  while (i < tr.frames.size()) {
    // Inlined calls come before the real frame they are inlined into, innermost first.
    std::size_t j = i;
    while (j + 1 < tr.frames.size() && tr.frames[j].inlined) ++j;
    const Frame& real = tr.frames[j];
    PhysicalFrame p;
    p.pc = real.pc;
    p.lookup_pc = real.lookup_pc;
    p.sp = real.sp;
    if (t.physical.empty()) {
      p.registers = tr.registers;  // frame 0: the thread's registers
      p.wide = wide;
    } else {
      p.registers = real.registers;
    }
    for (std::size_t k = i; k <= j; ++k) {
      t.physical_of.push_back(t.physical.size());
      t.level.push_back(k - i);
      t.count.push_back(j - i + 1);
    }
    t.physical.push_back(std::move(p));
    i = j + 1;
  }
  return t;
}

Result<ResolvedFrame> ValueEngine::Impl::resolve(std::size_t thread, std::size_t frame, bool need_dwarf) {
  if (thread >= report.threads.size()) return fail(ErrorCode::not_found, "no thread #" + std::to_string(thread));
  const ThreadFrames& t = frames_of(thread);
  if (frame >= t.physical_of.size()) {
    return fail(ErrorCode::not_found, "thread " + std::to_string(report.threads[thread].tid) + " has no frame #" +
                                          std::to_string(frame));
  }
  ResolvedFrame r;
  r.thread = &t;
  r.physical = t.physical_of[frame];
  const PhysicalFrame& p = t.physical[r.physical];
  r.scopes = session.scopes_at(p.lookup_pc);
  // The frame's name, for an error only (every frame of a 1,000-thread core comes through here).
  auto who = [&] {
    const Frame& f = report.threads[thread].frames[frame];
    return f.function.empty() ? hex(f.pc) : f.function;
  };
  if (r.scopes == nullptr) {
    if (!need_dwarf) return r;
    return fail(ErrorCode::not_found, who() + ": no DWARF debug information for this frame");
  }
  auto key = std::make_tuple(p.lookup_pc, t.level[frame], t.count[frame]);
  auto dies = scope_dies.find(key);
  if (dies == scope_dies.end()) {
    if (scope_dies.size() >= kMaxCachedVariableLists) scope_dies.clear();
    dies = scope_dies.emplace(key, frame_scope_dies(*r.scopes, t.level[frame], t.count[frame])).first;
  }
  if (!dies->second) return fail(ErrorCode::not_found, who() + ": no DWARF scope for this inlined frame");
  r.dies = *dies->second;
  return r;
}

const std::vector<ScopeVariable>& ValueEngine::Impl::variables_of(const ResolvedFrame& frame, std::size_t report_frame,
                                                                    bool locals) {
  const ThreadFrames& t = *frame.thread;
  auto key = std::make_tuple(t.physical[frame.physical].lookup_pc, t.level[report_frame], t.count[report_frame], locals);
  if (auto it = variables.find(key); it != variables.end()) return it->second;
  if (variables.size() >= kMaxCachedVariableLists) variables.clear();
  return variables.emplace(key, scope_variables(frame.dies, locals)).first->second;
}

ValueEngine::ValueEngine(const Report& report, const MemorySource& memory, const ProcessDump* dump)
    : impl_(std::make_unique<Impl>(report, memory, dump)) {}

ValueEngine::~ValueEngine() = default;

FormatOptions ValueEngine::default_options() const {
  FormatOptions o;
  Arch arch = Impl::arch_of(impl_->report);
  o.byte_order = byte_order(arch);
  o.pointer_size = static_cast<std::uint8_t>(pointer_size(arch) == 0 ? 8 : pointer_size(arch));
  return o;
}

Result<FrameVariables> ValueEngine::frame_variables(std::size_t thread, std::size_t frame, const FormatOptions& options,
                                                    bool locals) {
  std::lock_guard lock(mutex_);
  auto r = impl_->resolve(thread, frame);
  if (!r) return unexpected(r.error());
  FrameWorld world = impl_->world(*r->thread);
  FrameContext context(world, r->physical, *r->scopes);
  Formatter formatter(impl_->types, impl_->memory, &impl_->symbols, options, &impl_->names);
  FrameVariables out;
  for (const auto& v : impl_->variables_of(*r, frame, locals)) {
    Dwarf_Die die = v.die;
    Value value = context.variable_value(&die);
    // A parameter whose value is gone here may still be known as it was on entry (gdb prints
    // `x@entry=5` then): from the caller's call site.
    if (v.argument && value.unavailable && value.unavailable->why != Unavailable::Why::error) {
      Value at_entry = context.entry_value_of(&die);
      if (!at_entry.unavailable) value = std::move(at_entry);
    }
    ValueNode node = formatter.node(v.name, value);
    (v.argument ? out.arguments : out.locals).push_back(std::move(node));
  }
  return out;
}

Result<ValueNode> ValueEngine::evaluate(std::size_t thread, std::size_t frame, std::string_view expression,
                                        const FormatOptions& options) {
  std::lock_guard lock(mutex_);
  // A frame without DWARF still sees the globals of the modules that have it, as in gdb.
  auto r = impl_->resolve(thread, frame, false);
  if (!r) return unexpected(r.error());
  FrameWorld world = impl_->world(*r->thread);
  FrameScope scope(*impl_, *r, world, options);
  auto v = evaluate_expression(expression, scope, impl_->types, impl_->memory, options);
  if (!v) {
    if (v.error().why == Unavailable::Why::error) return fail(ErrorCode::not_found, v.error().detail);
    // A name that exists but has no value: a node that says why.
    Formatter formatter(impl_->types, impl_->memory, &impl_->symbols, options, &impl_->names);
    return formatter.node(std::string(expression), Value::missing(kVoid, v.error()));
  }
  Formatter formatter(impl_->types, impl_->memory, &impl_->symbols, options, &impl_->names);
  return formatter.node(std::string(expression), *v);
}

std::vector<ValueNode> ValueEngine::children(const ValueHandle& handle, const std::string& parent_name,
                                             const FormatOptions& options) {
  if (!handle) return {};
  std::lock_guard lock(mutex_);
  Formatter formatter(impl_->types, impl_->memory, &impl_->symbols, options, &impl_->names);
  return formatter.children(*handle, parent_name, std::max(1, options.depth));
}

}  // namespace corelens::values
