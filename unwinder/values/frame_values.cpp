// A variable's value in a frame: its location evaluated and turned into bytes of its type
// (pieces put together, implicit pointers followed), or its constant; and DW_OP_entry_value
// resolved through the caller's call site, as gdb shows `x@entry`.
#include "core/model/strings.hpp"
#include "unwinder/arch_registers.hpp"
#include "unwinder/values/frame_context.hpp"

namespace corelens::values {
namespace {

constexpr int kMaxEntryDepth = 4;     // entry values whose call value is itself an entry value
constexpr int kMaxImplicitDepth = 4;  // implicit pointers to objects with implicit pointers

std::uint8_t reason_code(const Unavailable& u) {
  switch (u.why) {
    case Unavailable::Why::register_not_recovered: return Value::kRegisterLost;
    case Unavailable::Why::not_in_core: return Value::kNotInCore;
    default: return Value::kOptimizedOut;
  }
}

std::string register_label(Arch arch, unsigned regno) {
  std::string_view name = dwarf_register_name(arch, regno);
  if (!name.empty()) return "register " + std::string(name);
  return "register " + std::to_string(regno);
}

// The single register a location expression names (DW_OP_regN, DW_OP_regx), if it is just that.
std::optional<unsigned> lone_register(std::span<const std::byte> expr, const ExpressionFormat& f) {
  auto ops = decode_expression(expr, f);
  if (!ops || ops->size() != 1) return std::nullopt;
  const DwarfOp& op = ops->front();
  if (op.code >= DW_OP_reg0 && op.code <= DW_OP_reg31) return op.code - DW_OP_reg0;
  if (op.code == DW_OP_regx && op.a <= 0xffffffffu) return static_cast<unsigned>(op.a);
  return std::nullopt;
}

std::span<const std::byte> block_of(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  Dwarf_Block block;
  if (dwarf_attr(die, name, &attr) == nullptr || dwarf_formblock(&attr, &block) != 0) return {};
  return std::span<const std::byte>(reinterpret_cast<const std::byte*>(block.data), block.length);
}

}  // namespace

Value FrameContext::value_at(TypeId type, const Location& loc, int implicit_depth) const {
  auto size = type_size(world_.types, type);
  const Arch arch = world_.session.arch();
  if (loc.pieces.size() == 1 && loc.pieces.front().size_bits == 0) {
    const LocationPiece& p = loc.pieces.front();
    Value v;
    v.type = type;
    v.from_entry_value = loc.used_entry_value;
    switch (p.kind) {
      case LocationPiece::Kind::memory:
        v.address = p.address;
        v.location = "memory";
        return v;
      case LocationPiece::Kind::optimized_out: return Value::missing(type, optimized_out());
      case LocationPiece::Kind::implicit_pointer: {
        v.location = "implicit pointer";
        if (implicit_depth >= kMaxImplicitDepth) return Value::missing(type, value_error("implicit pointers nested too deep"));
        Dwarf_Die target;
        Dwarf* dwarf = dwarf_cu_getdwarf(scopes_.cu.cu);
        if (dwarf_offdie(dwarf, p.die, &target) == nullptr) {
          return Value::missing(type, value_error("an implicit pointer to a DIE at " + hex(p.die) + " that is not there"));
        }
        Value t = variable_value(&target, implicit_depth + 1);
        // What the pointer's type says it points to, P.OFFSET bytes into the object.
        TypeId pointee = world_.types.get(strip_typedefs(world_.types, type)).target;
        if (p.offset < 0) return Value::missing(type, value_error("an implicit pointer before its object"));
        t = sub_value(t, pointee, static_cast<std::uint64_t>(p.offset) * 8, 0, type_size(world_.types, pointee));
        v.implicit_target = std::make_shared<const Value>(std::move(t));
        return v;
      }
      default: break;
    }
    if (!size) return Value::missing(type, value_error("the size of " + type_name(world_.types, type) + " is unknown"));
    if (*size > (1u << 20)) return Value::missing(type, value_error("an object of " + std::to_string(*size) + " bytes"));
    auto bytes = piece_bytes(p, static_cast<std::size_t>(*size));
    if (!bytes) return Value::missing(type, bytes.error());
    v.bytes = std::move(*bytes);
    v.location = p.kind == LocationPiece::Kind::reg ? register_label(arch, p.regno) : "computed";
    return v;
  }
  // Pieces: each fills SIZE_BITS bits of the value, in order.
  std::uint64_t total_bits = 0;
  for (const auto& p : loc.pieces) total_bits += p.size_bits;
  std::uint64_t total = size.value_or((total_bits + 7) / 8);
  if (total > (1u << 20)) return Value::missing(type, value_error("an object of " + std::to_string(total) + " bytes"));
  Value v;
  v.type = type;
  v.location = "pieces";
  v.from_entry_value = loc.used_entry_value;
  v.bytes.assign(static_cast<std::size_t>(total), std::byte{0});
  std::vector<std::uint8_t> bit_known(static_cast<std::size_t>(total) * 8, Value::kOptimizedOut);
  std::optional<Unavailable> first_failure;
  std::uint64_t at = 0;
  for (const auto& p : loc.pieces) {
    std::uint64_t nbits = std::min<std::uint64_t>(p.size_bits, total * 8 > at ? total * 8 - at : 0);
    if (nbits == 0) break;
    std::size_t nbytes = static_cast<std::size_t>((p.place_bit_offset % 8 + nbits + 7) / 8 + p.place_bit_offset / 8);
    LocationPiece shifted = p;
    auto bytes = piece_bytes(shifted, nbytes);
    if (!bytes) {
      if (!first_failure) first_failure = bytes.error();
      std::uint8_t code = reason_code(bytes.error());
      for (std::uint64_t b = 0; b < nbits; ++b) bit_known[at + b] = code;
      at += nbits;
      continue;
    }
    for (std::uint64_t b = 0; b < nbits; ++b) {
      std::uint64_t src = p.place_bit_offset + b;
      bool bit = (std::to_integer<std::uint8_t>((*bytes)[src / 8]) >> (src % 8)) & 1;
      std::uint64_t dst = at + b;
      if (bit) v.bytes[dst / 8] |= static_cast<std::byte>(1u << (dst % 8));
      bit_known[dst] = Value::kKnown;
    }
    at += nbits;
  }
  v.known.assign(static_cast<std::size_t>(total), Value::kKnown);
  bool any = false;
  for (std::size_t i = 0; i < v.known.size(); ++i) {
    for (std::size_t b = 0; b < 8; ++b) {
      if (bit_known[i * 8 + b] != Value::kKnown) {
        v.known[i] = bit_known[i * 8 + b];
        break;
      }
    }
    any = any || v.known[i] == Value::kKnown;
  }
  if (!any) return Value::missing(type, first_failure.value_or(optimized_out()));
  return v;
}

Value FrameContext::const_value(Dwarf_Die* die, TypeId type) const {
  Dwarf_Attribute attr;
  dwarf_attr_integrate(die, DW_AT_const_value, &attr);
  auto size = type_size(world_.types, type);
  Value v;
  v.type = type;
  v.location = "constant";
  switch (attr.form) {
    case DW_FORM_block:
    case DW_FORM_block1:
    case DW_FORM_block2:
    case DW_FORM_block4:
    case DW_FORM_exprloc: {
      Dwarf_Block block;
      if (dwarf_formblock(&attr, &block) != 0) return Value::missing(type, value_error("an unreadable constant"));
      v.bytes.assign(reinterpret_cast<const std::byte*>(block.data), reinterpret_cast<const std::byte*>(block.data) + block.length);
      break;
    }
    case DW_FORM_string:
    case DW_FORM_strp:
    case DW_FORM_line_strp:
    case DW_FORM_strx:
    case DW_FORM_strx1:
    case DW_FORM_strx2:
    case DW_FORM_strx3:
    case DW_FORM_strx4:
    case DW_FORM_GNU_strp_alt: {
      const char* s = dwarf_formstring(&attr);
      if (s == nullptr) return Value::missing(type, value_error("an unreadable string constant"));
      std::string_view sv(s);
      v.bytes.assign(reinterpret_cast<const std::byte*>(sv.data()), reinterpret_cast<const std::byte*>(sv.data()) + sv.size());
      v.bytes.push_back(std::byte{0});
      break;
    }
    default: {
      std::uint64_t bits = 0;
      Dwarf_Sword s = 0;
      Dwarf_Word u = 0;
      if (attr.form == DW_FORM_sdata || attr.form == DW_FORM_implicit_const) {
        if (dwarf_formsdata(&attr, &s) != 0) return Value::missing(type, value_error("an unreadable constant"));
        bits = static_cast<std::uint64_t>(s);
      } else if (dwarf_formudata(&attr, &u) == 0) {
        bits = u;
      } else {
        return Value::missing(type, value_error("a constant in form " + hex(attr.form)));
      }
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size.value_or(8), 8));
      bool big = world_.session.arch() == Arch::s390x;
      v.bytes.resize(n);
      for (std::size_t i = 0; i < n; ++i) v.bytes[big ? n - 1 - i : i] = static_cast<std::byte>(bits >> (8 * i));
      return v;
    }
  }
  if (size && v.bytes.size() < *size) return Value::missing(type, value_error("a constant shorter than its type"));
  return v;
}

Value FrameContext::variable_value(Dwarf_Die* die, int implicit_depth) const {
  // The type and the expression at this pc, from the cache when another thread asked already.
  LocationAt fresh;
  const LocationAt* at = nullptr;
  if (world_.locations != nullptr) {
    auto key = std::make_pair(die_key(die), frame_.lookup_pc);
    if (auto it = world_.locations->find(key); it != world_.locations->end()) at = &it->second;
    if (at == nullptr && world_.locations->size() >= kMaxCachedLocations) world_.locations->clear();
    if (at == nullptr) {
      fresh.type = world_.types.type_of(die);
      fresh.has_location = dwarf_hasattr(die, DW_AT_location);
      if (fresh.has_location) fresh.expression = location_bytes(die);
      at = &world_.locations->emplace(key, std::move(fresh)).first->second;
    }
  } else {
    fresh.type = world_.types.type_of(die);
    fresh.has_location = dwarf_hasattr(die, DW_AT_location);
    if (fresh.has_location) fresh.expression = location_bytes(die);
    at = &fresh;
  }
  TypeId type = at->type;
  if (at->has_location) {
    const auto& expr = at->expression;
    if (!expr) return Value::missing(type, expr.error());
    if (expr->empty()) return Value::missing(type, optimized_out());
    auto loc = evaluate_location(*expr, format_, *this);
    if (!loc) return Value::missing(type, loc.error());
    return value_at(type, *loc, implicit_depth);
  }
  if (dwarf_hasattr_integrate(die, DW_AT_const_value)) return const_value(die, type);
  return Value::missing(type, optimized_out());
}

bool FrameContext::calls_this_function(Dwarf_Die site, const FrameContext& caller) const {
  Dwarf_Die callee = scopes_.scopes.front();
  auto origin = die_ref(&site, DW_AT_call_origin);
  if (!origin) origin = die_ref(&site, DW_AT_abstract_origin);
  if (origin) {
    // A declaration, an abstract instance or the definition itself: the same function has the
    // same linkage name (C++), or the same name (C, whose external names are unique).
    auto linkage = [](Dwarf_Die* d) {
      Dwarf_Attribute attr;
      const char* n = dwarf_formstring(dwarf_attr_integrate(d, DW_AT_linkage_name, &attr));
      return n != nullptr ? std::string(n) : std::string();
    };
    std::string a = linkage(&*origin), b = linkage(&callee);
    if (!a.empty() || !b.empty()) return a == b;
    return !die_name(&*origin).empty() && die_name(&*origin) == die_name(&callee);
  }
  auto target = block_of(&site, DW_AT_call_target);
  if (target.empty()) target = block_of(&site, DW_AT_GNU_call_site_target);
  if (target.empty()) return false;
  Dwarf_Addr entry = 0;
  if (dwarf_entrypc(&callee, &entry) != 0) return false;
  auto address = evaluate_value(target, caller.format(), caller);
  return address && *address == entry + scopes_.bias;
}

Value FrameContext::entry_value_of(Dwarf_Die* parameter) const {
  TypeId type = world_.types.type_of(parameter);
  Dwarf_Die fn = scopes_.scopes.front();
  Dwarf_Addr entry = 0;
  if (dwarf_tag(&fn) != DW_TAG_subprogram || dwarf_entrypc(&fn, &entry) != 0) return Value::missing(type, optimized_out());
  auto expr = location_bytes_at(parameter, entry + scopes_.bias);
  if (!expr || expr->empty()) return Value::missing(type, optimized_out());
  auto regno = lone_register(*expr, format_);
  auto size = type_size(world_.types, type);
  if (!regno || !size || *size > 8) return Value::missing(type, optimized_out());
  auto v = entry_value(*expr);
  if (!v) return Value::missing(type, v.error());
  Value out;
  out.type = type;
  out.location = "entry value";
  out.from_entry_value = true;
  bool big = world_.session.arch() == Arch::s390x;
  out.bytes.resize(static_cast<std::size_t>(*size));
  for (std::size_t i = 0; i < out.bytes.size(); ++i) {
    out.bytes[big ? out.bytes.size() - 1 - i : i] = static_cast<std::byte>(*v >> (8 * i));
  }
  return out;
}

Known<std::uint64_t> FrameContext::parameter_value(Dwarf_Die site, unsigned regno, const FrameContext& caller) const {
  Dwarf_Die param;
  if (dwarf_child(&site, &param) != 0) return unavailable(optimized_out());
  do {
    int tag = dwarf_tag(&param);
    if (tag != DW_TAG_call_site_parameter && tag != DW_TAG_GNU_call_site_parameter) continue;
    auto where = lone_register(block_of(&param, DW_AT_location), caller.format());
    if (!where || *where != regno) continue;
    auto value = block_of(&param, DW_AT_call_value);
    if (value.empty()) value = block_of(&param, DW_AT_GNU_call_site_value);
    if (value.empty()) return unavailable(optimized_out());
    auto v = evaluate_value(value, caller.format(), caller);
    if (!v && v.error().why == Unavailable::Why::error) return unavailable(optimized_out());
    return v;
  } while (dwarf_siblingof(&param, &param) == 0);
  return unavailable(optimized_out());
}

Known<std::uint64_t> FrameContext::through_tail_call(Dwarf_Die site, unsigned regno, const FrameContext& caller) const {
  // Where the call site went: its target, or the entry of the function it names.
  std::optional<std::uint64_t> target;
  auto target_expr = block_of(&site, DW_AT_call_target);
  if (target_expr.empty()) target_expr = block_of(&site, DW_AT_GNU_call_site_target);
  if (!target_expr.empty()) {
    if (auto t = evaluate_value(target_expr, caller.format(), caller)) target = *t;
  } else {
    auto origin = die_ref(&site, DW_AT_call_origin);
    if (!origin) origin = die_ref(&site, DW_AT_abstract_origin);
    Dwarf_Addr entry = 0;
    if (origin && dwarf_entrypc(&*origin, &entry) == 0) {
      target = entry + caller.scopes().bias;
    } else if (origin) {
      Dwarf_Attribute attr;
      const char* linkage = dwarf_formstring(dwarf_attr_integrate(&*origin, DW_AT_linkage_name, &attr));
      std::string name = linkage != nullptr ? linkage : die_name(&*origin);
      if (!name.empty()) target = world_.session.symbol_address(name, caller.frame_.pc);
    }
  }
  if (!target) return unavailable(optimized_out());
  const ScopesAt* fs = world_.session.scopes_at(*target);
  if (fs == nullptr) return unavailable(optimized_out());
  // The one tail call in that function that reaches this one (gdb, too, gives up when there are
  // several ways).
  std::optional<Dwarf_Die> found;
  std::optional<PhysicalFrame> jump;
  std::optional<ScopesAt> jump_scopes;
  for (const Dwarf_Die& t : world_.session.tail_calls(*fs)) {
    Dwarf_Attribute attr;
    Dwarf_Addr after = 0;
    Dwarf_Die tail = t;
    if (!((dwarf_attr(&tail, DW_AT_call_return_pc, &attr) != nullptr && dwarf_formaddr(&attr, &after) == 0) ||
          (dwarf_attr(&tail, DW_AT_low_pc, &attr) != nullptr && dwarf_formaddr(&attr, &after) == 0))) {
      continue;
    }
    PhysicalFrame f;
    f.pc = after + fs->bias;
    f.lookup_pc = f.pc - 1;
    f.registers = caller.frame_.registers;
    f.sp = caller.frame_.sp;
    const ScopesAt* ts = world_.session.scopes_at(f.lookup_pc);
    if (ts == nullptr) continue;
    auto cfa_here = cfa();
    FrameContext probe(world_, f, caller_, *ts, entry_depth_ + 1, cfa_here ? std::optional(*cfa_here) : std::nullopt);
    if (!calls_this_function(tail, probe)) continue;
    if (found) return unavailable(optimized_out());  // two candidates: ambiguous
    found = tail;
    jump = std::move(f);
    jump_scopes = *ts;
  }
  if (!found) return unavailable(optimized_out());
  auto cfa_here = cfa();
  FrameContext jumper(world_, *jump, caller_, *jump_scopes, entry_depth_ + 1,
                      cfa_here ? std::optional(*cfa_here) : std::nullopt);
  return parameter_value(*found, regno, jumper);
}

Known<std::uint64_t> FrameContext::entry_value(std::span<const std::byte> expression) const {
  // The value a register had when the function was entered: what the caller put there for the
  // call, by the call site's DW_AT_call_value in the caller's frame (gdb's `x@entry`).
  if (entry_depth_ >= kMaxEntryDepth) return unavailable(optimized_out());
  auto regno = lone_register(expression, format_);
  if (!regno) return unavailable(value_error("an entry value of something other than a register"));
  if (caller_ >= world_.frames.size()) return unavailable(optimized_out());
  const PhysicalFrame& cf = world_.frames[caller_];
  const ScopesAt* cs = world_.session.scopes_at(cf.lookup_pc);
  if (cs == nullptr) return unavailable(optimized_out());
  auto site = world_.session.call_site(*cs, cf.pc);
  if (!site) return unavailable(optimized_out());
  FrameContext caller_context(world_, caller_, *cs, entry_depth_ + 1);
  // The call site must be the call of this very function: one that tail-called onwards would
  // hand us another function's arguments (gdb checks the same), unless that tail call is found.
  if (calls_this_function(*site, caller_context)) return parameter_value(*site, *regno, caller_context);
  return through_tail_call(*site, *regno, caller_context);
}

}  // namespace corelens::values
