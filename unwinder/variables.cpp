#include "unwinder/variables.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <cstdlib>

#include "core/analysis/explain.hpp"
#include "core/analysis/pointer_origin.hpp"
#include "unwinder/arch_registers.hpp"
#include "unwinder/dwarf_units.hpp"
#include "unwinder/verified_modules.hpp"

namespace corelens {
namespace {

constexpr int kMaxScopeDepth = 64;   // nesting of namespaces, functions, blocks and inlined calls
constexpr int kMaxTypeDepth = 16;    // typedefs, members and array elements followed for one offset

std::optional<Dwarf_Die> type_of(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  Dwarf_Die type;
  if (dwarf_attr_integrate(die, DW_AT_type, &attr) == nullptr || dwarf_formref_die(&attr, &type) == nullptr) {
    return std::nullopt;
  }
  return type;
}

// Without typedefs and const/volatile/restrict/atomic qualifiers.
std::optional<Dwarf_Die> peeled(Dwarf_Die die) {
  Dwarf_Die out;
  if (dwarf_peel_type(&die, &out) != 0) return std::nullopt;
  return out;
}

bool is_pointer(int tag) {
  return tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type || tag == DW_TAG_rvalue_reference_type;
}

bool is_aggregate(int tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type;
}

std::string name_of(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  const char* n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
  return n != nullptr ? std::string(n) : std::string();
}

std::optional<std::uint64_t> size_of(Dwarf_Die type) {
  Dwarf_Word size = 0;
  if (dwarf_aggregate_size(&type, &size) != 0) return std::nullopt;
  return size;
}

// Byte offset of a member (or base class) in its struct: a constant, or DWARF 2's
// DW_OP_plus_uconst expression; bit-fields by DW_AT_data_bit_offset.
std::optional<std::uint64_t> member_offset(Dwarf_Die* member) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_attr(member, DW_AT_data_member_location, &attr) != nullptr) {
    if (dwarf_formudata(&attr, &value) == 0) return value;
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    if (dwarf_getlocation(&attr, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst) return ops[0].number;
    return std::nullopt;
  }
  if (dwarf_attr(member, DW_AT_data_bit_offset, &attr) != nullptr && dwarf_formudata(&attr, &value) == 0) {
    return value / 8;
  }
  return 0;  // union members
}

// Where OFFSET lands inside an object of TYPE: the path of member names and array indexes
// ("inner.len", "items[2].x", "[3]"), the type found there and how far into it OFFSET is.
struct Landing {
  std::string path;
  Dwarf_Die type;
  std::uint64_t rest = 0;
};

std::optional<Landing> land(Dwarf_Die type, std::uint64_t offset) {
  Landing l;
  for (int depth = 0; depth < kMaxTypeDepth; ++depth) {
    auto t = peeled(type);
    if (!t) return std::nullopt;
    l.type = *t;
    l.rest = offset;
    int tag = dwarf_tag(&*t);
    if (is_aggregate(tag)) {
      Dwarf_Die child;
      bool found = false;
      if (dwarf_child(&*t, &child) == 0) {
        do {
          int ctag = dwarf_tag(&child);
          if (ctag != DW_TAG_member && ctag != DW_TAG_inheritance) continue;
          auto at = member_offset(&child);
          auto mtype = type_of(&child);
          if (!at || !mtype) continue;
          auto size = size_of(*mtype);
          if (dwarf_hasattr(&child, DW_AT_bit_size)) {
            Dwarf_Attribute a;
            Dwarf_Word bits = 0, bit_offset = 0;
            dwarf_formudata(dwarf_attr(&child, DW_AT_bit_size, &a), &bits);
            dwarf_formudata(dwarf_attr(&child, DW_AT_data_bit_offset, &a), &bit_offset);
            size = (bit_offset % 8 + bits + 7) / 8;
          }
          if (!size || offset < *at || offset >= *at + *size) continue;
          // Base classes and anonymous unions are entered without a name of their own.
          std::string name = ctag == DW_TAG_member ? name_of(&child) : std::string();
          if (!name.empty()) l.path += (l.path.empty() ? "" : ".") + name;
          offset -= *at;
          type = *mtype;
          found = true;
          break;
        } while (dwarf_siblingof(&child, &child) == 0);
      }
      if (!found) return l;  // padding, or a struct without members here (a declaration)
      continue;
    }
    if (tag == DW_TAG_array_type) {
      auto elem = type_of(&*t);
      auto esize = elem ? size_of(*elem) : std::nullopt;
      if (!esize || *esize == 0) return l;
      l.path += "[" + std::to_string(offset / *esize) + "]";
      offset %= *esize;
      type = *elem;
      continue;
    }
    return l;  // a scalar: OFFSET is inside it
  }
  return std::nullopt;
}

// What lies at OFFSET in the object POINTER points to, as the member path NamedAccess wants.
std::optional<Landing> land_in_pointee(Dwarf_Die pointer_type, std::int64_t offset) {
  auto p = peeled(pointer_type);
  if (!p || !is_pointer(dwarf_tag(&*p)) || offset < 0) return std::nullopt;
  auto pointee = type_of(&*p);
  if (!pointee) return std::nullopt;  // void *
  auto t = peeled(*pointee);
  if (!t) return std::nullopt;
  if (!is_aggregate(dwarf_tag(&*t)) && dwarf_tag(&*t) != DW_TAG_array_type) {
    // A pointer to a scalar used as an array: p[offset / size].
    auto size = size_of(*t);
    Landing l;
    l.type = *t;
    if (offset == 0) return l;
    if (!size || *size == 0 || offset % *size != 0) return std::nullopt;
    l.path = "[" + std::to_string(static_cast<std::uint64_t>(offset) / *size) + "]";
    return l;
  }
  return land(*pointee, static_cast<std::uint64_t>(offset));
}

// Where a variable is at one pc, from its location description there.
struct Place {
  enum Kind { nowhere, in_register, register_plus, in_memory } kind = nowhere;
  unsigned regno = 0;
  std::int64_t add = 0;      // register_plus: the variable's value is the register plus ADD
  std::uint64_t address = 0; // in_memory
};

}  // namespace

struct DwarfVariables::Session {
  Session(Arch a, const std::vector<ModuleReport>& verified) : arch(a), modules(verified) {}

  Arch arch;
  VerifiedModules modules;
  DwarfUnitFinder units;  // units of modules without .debug_aranges (clang's)

  Dwfl_Module* module_at(std::uint64_t pc) { return modules.module_at(pc); }

  std::optional<std::uint64_t> reg(const std::vector<Register>& regs, unsigned regno) const {
    std::string_view name = dwarf_register_name(arch, regno);
    if (name.empty()) return std::nullopt;
    return register_value(regs, name);
  }

  std::optional<unsigned> regno_of(std::string_view name) const {
    for (unsigned r = 0; r < dwarf_register_count(arch); ++r) {
      if (dwarf_register_name(arch, r) == name) return r;
    }
    return std::nullopt;
  }

  // The concrete scopes containing the module-relative PC, outermost first: the function, its
  // lexical blocks and inlined calls (their parameters carry locations; abstract ones do not).
  void scopes_at(Dwarf_Die* parent, Dwarf_Addr pc, std::vector<Dwarf_Die>& chain, int depth) const {
    Dwarf_Die child;
    if (depth > kMaxScopeDepth || dwarf_child(parent, &child) != 0) return;
    do {
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) {
        if (dwarf_haspc(&child, pc) == 1) {
          chain.push_back(child);
          scopes_at(&child, pc, chain, depth + 1);
          return;
        }
      } else if (chain.empty() && (tag == DW_TAG_namespace || tag == DW_TAG_module || is_aggregate(tag))) {
        std::size_t before = chain.size();
        scopes_at(&child, pc, chain, depth + 1);
        if (chain.size() > before) return;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }

  struct At {
    Dwfl_Module* mod = nullptr;
    Dwarf_Addr bias = 0;
    Dwarf_Die cu;
    std::vector<Dwarf_Die> scopes;  // outermost first
  };
  std::optional<At> at(std::uint64_t pc) {
    At a;
    a.mod = module_at(pc);
    if (a.mod == nullptr) return std::nullopt;
    if (units.unit_at(a.mod, pc, &a.bias, &a.cu) == nullptr) return std::nullopt;
    scopes_at(&a.cu, pc - a.bias, a.scopes, 0);
    if (a.scopes.empty()) return std::nullopt;
    return a;
  }

  Place place_of(Dwarf_Die* var, const At& a, std::uint64_t pc, const std::optional<std::uint64_t>& frame_base,
                 const std::vector<Register>& regs) const {
    Place p;
    Dwarf_Attribute attr;
    if (dwarf_attr(var, DW_AT_location, &attr) == nullptr) return p;
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    if (dwarf_getlocation_addr(&attr, pc - a.bias, &ops, &n, 1) != 1 || n == 0) return p;
    const Dwarf_Op& op = ops[0];
    bool value = n == 2 && ops[1].atom == DW_OP_stack_value;
    if (n != 1 && !value) return p;  // pieces, entry values, computations: not a plain place
    auto breg = [&](unsigned regno, std::int64_t off) {
      if (value) {
        p.kind = Place::register_plus;
        p.regno = regno;
        p.add = off;
      } else if (auto v = reg(regs, regno)) {
        p.kind = Place::in_memory;
        p.address = *v + static_cast<std::uint64_t>(off);
      }
    };
    if (op.atom >= DW_OP_reg0 && op.atom <= DW_OP_reg31 && !value) {
      p.kind = Place::in_register;
      p.regno = op.atom - DW_OP_reg0;
    } else if (op.atom == DW_OP_regx && !value) {
      p.kind = Place::in_register;
      p.regno = static_cast<unsigned>(op.number);
    } else if (op.atom >= DW_OP_breg0 && op.atom <= DW_OP_breg31) {
      breg(op.atom - DW_OP_breg0, static_cast<std::int64_t>(op.number));
    } else if (op.atom == DW_OP_bregx) {
      breg(static_cast<unsigned>(op.number), static_cast<std::int64_t>(op.number2));
    } else if (op.atom == DW_OP_fbreg && frame_base && !value) {
      p.kind = Place::in_memory;
      p.address = *frame_base + op.number;
    } else if (op.atom == DW_OP_addr && !value) {
      p.kind = Place::in_memory;
      p.address = op.number + a.bias;
    }
    return p;
  }

  // DW_AT_frame_base of the concrete function: the CFA (gcc), or a register (clang, old gcc).
  std::optional<std::uint64_t> frame_base(const At& a, std::uint64_t pc, const std::vector<Register>& regs) {
    Dwarf_Die fn = a.scopes.front();
    Dwarf_Attribute attr;
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    if (dwarf_attr(&fn, DW_AT_frame_base, &attr) == nullptr || dwarf_getlocation_addr(&attr, pc - a.bias, &ops, &n, 1) != 1 ||
        n != 1) {
      return std::nullopt;
    }
    if (ops[0].atom == DW_OP_call_frame_cfa) {
      return modules.cfa(pc, [&](unsigned regno) { return reg(regs, regno); });
    }
    if (ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31) return reg(regs, ops[0].atom - DW_OP_reg0);
    if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
      if (auto v = reg(regs, ops[0].atom - DW_OP_breg0)) return *v + ops[0].number;
    }
    return std::nullopt;
  }
};

DwarfVariables::DwarfVariables(Arch arch, const std::vector<ModuleReport>& modules)
    : session_(std::make_unique<Session>(arch, modules)) {}

DwarfVariables::~DwarfVariables() = default;

std::optional<std::pair<std::uint64_t, std::uint64_t>> DwarfVariables::function_range(std::uint64_t pc) const {
  auto a = session_->at(pc);
  if (!a) return std::nullopt;
  Dwarf_Addr base = 0, start = 0, end = 0;
  ptrdiff_t off = 0;
  while ((off = dwarf_ranges(&a->scopes.front(), off, &base, &start, &end)) > 0) {
    if (pc - a->bias >= start && pc - a->bias < end) return std::make_pair(start + a->bias, end + a->bias);
  }
  return std::nullopt;
}

std::optional<NamedAccess> DwarfVariables::name_access(const PointerOrigin& o, std::optional<std::int64_t> offset) const {
  Session& s = *session_;
  auto a = s.at(o.pc);
  if (!a) return std::nullopt;
  std::optional<unsigned> root_regno;
  if (!o.reg.empty()) {
    root_regno = s.regno_of(o.reg);
    if (!root_regno) return std::nullopt;
  } else if (!o.address) {
    return std::nullopt;
  }
  auto fb = s.frame_base(*a, o.pc, o.registers);

  // Names the access through variable VAR whose value is the root plus SHIFT.
  auto through = [&](Dwarf_Die* var, std::int64_t shift) -> std::optional<NamedAccess> {
    auto type = type_of(var);
    std::string name = name_of(var);
    if (!type || name.empty()) return std::nullopt;
    std::string expr = name;
    std::vector<std::int64_t> derefs = o.derefs;
    std::optional<std::int64_t> last = offset;
    // The root register holds the variable plus SHIFT: offsets from the variable grow by it.
    if (!derefs.empty()) derefs.front() -= shift;
    else if (last) *last -= shift;
    auto is_reference = [](Dwarf_Die t) {
      auto p = peeled(t);
      return p && (dwarf_tag(&*p) == DW_TAG_reference_type || dwarf_tag(&*p) == DW_TAG_rvalue_reference_type);
    };
    for (std::int64_t d : derefs) {
      auto l = land_in_pointee(*type, d);
      if (!l || l->rest != 0 || !is_pointer(dwarf_tag(&l->type))) return std::nullopt;
      expr = member_expression(expr, l->path, is_reference(*type));
      type = l->type;
    }
    NamedAccess out;
    out.pointer = expr;
    out.reference = is_reference(*type);
    // Any pointer at all: the access is through it, even where no member can be named.
    auto p = peeled(*type);
    if (!p || !is_pointer(dwarf_tag(&*p))) return std::nullopt;
    if (last) {
      if (auto l = land_in_pointee(*type, *last)) out.member = l->path;
    }
    return out;
  };

  // Innermost scope first: a block's variable shadows the function's.
  for (std::size_t k = a->scopes.size(); k-- > 0;) {
    Dwarf_Die child;
    if (dwarf_child(&a->scopes[k], &child) != 0) continue;
    do {
      int tag = dwarf_tag(&child);
      if (tag != DW_TAG_variable && tag != DW_TAG_formal_parameter) continue;
      Place p = s.place_of(&child, *a, o.pc, fb, o.registers);
      std::optional<std::int64_t> shift;
      if (root_regno && p.kind == Place::in_register && p.regno == *root_regno) shift = 0;
      if (root_regno && p.kind == Place::register_plus && p.regno == *root_regno) shift = p.add;
      if (o.address && p.kind == Place::in_memory && p.address == *o.address) shift = 0;
      if (!shift) continue;
      if (auto n = through(&child, *shift)) return n;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  if (!o.address) return std::nullopt;
  // A global of this unit (DW_OP_addr), or, declared here and defined elsewhere, found by the
  // ELF symbol at the address.
  std::string symbol;
  if (Dwfl_Module* m = dwfl_addrmodule(s.modules.dwfl(), *o.address)) {
    GElf_Off off = 0;
    GElf_Sym sym;
    const char* n = dwfl_module_addrinfo(m, *o.address, &off, &sym, nullptr, nullptr, nullptr);
    if (n != nullptr && off == 0 && GELF_ST_TYPE(sym.st_info) == STT_OBJECT) symbol = n;
  }
  Dwarf_Die child;
  if (dwarf_child(&a->cu, &child) != 0) return std::nullopt;
  do {
    if (dwarf_tag(&child) != DW_TAG_variable) continue;
    Place p = s.place_of(&child, *a, o.pc, fb, o.registers);
    bool here = p.kind == Place::in_memory && p.address == *o.address;
    if (!here && (symbol.empty() || name_of(&child) != symbol)) continue;
    if (auto n = through(&child, 0)) return n;
  } while (dwarf_siblingof(&child, &child) == 0);
  return std::nullopt;
}

}  // namespace corelens
