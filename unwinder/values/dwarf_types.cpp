#include "unwinder/values/dwarf_types.hpp"

#include <elfutils/libdwelf.h>
#include <gelf.h>

#include <cstring>

namespace corelens::values {
namespace {

constexpr int kMaxReadDepth = 48;              // nested type DIEs read in one go
constexpr std::size_t kMaxParentWalk = 1u << 21;  // DIEs visited to map one unit's parents
// Members and enumerators kept of one type: hostile DWARF could give a type millions (bounded
// memory); no real type has this many.
constexpr std::size_t kMaxTypeEntries = 65536;
constexpr std::size_t kMaxIndexWalk = 1u << 22;   // DIEs visited to index one module's names
constexpr int kMaxScopeNesting = 64;

bool is_scope_tag(int tag) {
  return tag == DW_TAG_namespace || tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
         tag == DW_TAG_union_type || tag == DW_TAG_enumeration_type;
}

bool is_named_type_tag(int tag) {
  return tag == DW_TAG_structure_type || tag == DW_TAG_class_type || tag == DW_TAG_union_type ||
         tag == DW_TAG_enumeration_type || tag == DW_TAG_typedef || tag == DW_TAG_base_type;
}

Encoding encoding_of(std::uint64_t ate, std::uint64_t size, const std::string& name) {
  switch (ate) {
    case DW_ATE_signed: return name == "char" ? Encoding::signed_char : Encoding::signed_int;
    case DW_ATE_unsigned: return Encoding::unsigned_int;
    case DW_ATE_boolean: return Encoding::boolean;
    case DW_ATE_signed_char: return size == 1 ? Encoding::signed_char : Encoding::signed_int;
    case DW_ATE_unsigned_char: return size == 1 ? Encoding::unsigned_char : Encoding::unsigned_int;
    case DW_ATE_UTF: return Encoding::utf_char;
    case DW_ATE_float: return Encoding::floating;
    case DW_ATE_complex_float: return Encoding::complex_float;
    default: return Encoding::other;
  }
}

// A member's offset in bits: DW_AT_data_bit_offset, DW_AT_data_member_location (a constant or
// DWARF 2's DW_OP_plus_uconst), with DWARF 2-4's DW_AT_bit_offset counted from the storage
// unit's most significant bit on little-endian targets.
std::optional<std::uint64_t> member_bit_offset(Dwarf_Die* m, std::uint32_t bit_size) {
  Dwarf_Attribute attr;
  if (auto v = die_udata(m, DW_AT_data_bit_offset)) return *v;
  std::uint64_t byte = 0;
  if (dwarf_attr(m, DW_AT_data_member_location, &attr) != nullptr) {
    Dwarf_Word value = 0;
    if (dwarf_formudata(&attr, &value) == 0) {
      byte = value;
    } else {
      Dwarf_Op* ops = nullptr;
      size_t n = 0;
      if (dwarf_getlocation(&attr, &ops, &n) != 0 || n != 1 || ops[0].atom != DW_OP_plus_uconst) return std::nullopt;
      byte = ops[0].number;
    }
  }
  std::uint64_t bits = byte * 8;
  if (bit_size > 0) {
    if (auto old = die_udata(m, DW_AT_bit_offset)) {
      std::uint64_t storage = die_udata(m, DW_AT_byte_size).value_or(0);
      if (storage == 0) {
        if (auto t = die_type(m)) storage = static_cast<std::uint64_t>(std::max(0, dwarf_bytesize(&*t)));
      }
      if (storage * 8 < *old + bit_size) return std::nullopt;
      bits += storage * 8 - *old - bit_size;
    }
  }
  return bits;
}

// A bound as DWARF encodes it: DW_FORM_sdata signed, the fixed-size data forms unsigned (libdw's
// dwarf_formsdata would sign-extend a DW_FORM_data2 of 0xffff to -1).
std::optional<std::int64_t> bound(Dwarf_Die* sub, unsigned name) {
  Dwarf_Attribute attr;
  if (dwarf_attr(sub, name, &attr) == nullptr) return std::nullopt;
  if (attr.form == DW_FORM_sdata || attr.form == DW_FORM_implicit_const) {
    Dwarf_Sword s = 0;
    if (dwarf_formsdata(&attr, &s) != 0) return std::nullopt;
    return s;
  }
  Dwarf_Word u = 0;
  if (dwarf_formudata(&attr, &u) != 0 || u > (Dwarf_Word{1} << 62)) return std::nullopt;  // a VLA's bound is an expression
  return static_cast<std::int64_t>(u);
}

std::optional<std::uint64_t> subrange_count(Dwarf_Die* sub) {
  if (auto c = bound(sub, DW_AT_count)) {
    if (*c < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*c);
  }
  auto upper = bound(sub, DW_AT_upper_bound);
  if (!upper) return std::nullopt;
  std::int64_t lower = 0;
  if (dwarf_hasattr(sub, DW_AT_lower_bound)) {
    auto l = bound(sub, DW_AT_lower_bound);
    if (!l) return std::nullopt;
    lower = *l;
  }
  if (*upper == -1 && lower == 0) return 0;  // gcc's zero-length array
  if (*upper < lower || *upper - lower >= (std::int64_t{1} << 40)) return std::nullopt;
  return static_cast<std::uint64_t>(*upper - lower + 1);
}

}  // namespace

Language language_of(int lang) {
  switch (lang) {
    case DW_LANG_C89: case DW_LANG_C: case DW_LANG_C99: case DW_LANG_C11: return Language::c;
    case DW_LANG_C_plus_plus: case DW_LANG_C_plus_plus_03: case DW_LANG_C_plus_plus_11:
    case DW_LANG_C_plus_plus_14: return Language::cxx;
    case DW_LANG_Rust: return Language::rust;
    default: return lang >= 0x8000 ? Language::other : Language::c;
  }
}

UnitFacts unit_facts(Dwarf_Die* die) {
  UnitFacts f;
  Dwarf_Die cudie;
  std::uint8_t address_size = 8, offset_size = 4;
  if (dwarf_diecu(die, &cudie, &address_size, &offset_size) == nullptr) return f;
  f.address_size = address_size;
  f.offset_size = offset_size;
  Dwarf_Half version = 4;
  std::uint8_t unit_type = 0;
  if (dwarf_cu_info(die->cu, &version, &unit_type, nullptr, nullptr, nullptr, nullptr, nullptr) == 0) f.version = version;
  Dwarf_Addr low = 0;
  if (dwarf_lowpc(&cudie, &low) == 0) f.base_address = low;
  if (auto v = die_udata(&cudie, DW_AT_addr_base)) f.addr_base = *v;
  else if (auto g = die_udata(&cudie, DW_AT_GNU_addr_base)) f.addr_base = *g;
  if (auto v = die_udata(&cudie, DW_AT_loclists_base)) f.loclists_base = *v;
  f.language = dwarf_srclang(&cudie);
  return f;
}

std::span<const std::byte> dwarf_section(Dwarf* dwarf, const char* name) {
  Elf* elf = dwarf != nullptr ? dwarf_getelf(dwarf) : nullptr;
  size_t shstrndx = 0;
  if (elf == nullptr || elf_getshdrstrndx(elf, &shstrndx) != 0) return {};
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    const char* n = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (n == nullptr || std::strcmp(n, name) != 0 || shdr.sh_type == SHT_NOBITS) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr) return {};
    return std::span<const std::byte>(static_cast<const std::byte*>(data->d_buf), data->d_size);
  }
  return {};
}

DwarfTypeTable::DwarfTypeTable() {
  types_.push_back(Type{});  // 0: void
  dies_.push_back(Dwarf_Die{});
  has_die_.push_back(0);
}

const Type& DwarfTypeTable::get(TypeId id) { return id < types_.size() ? types_[id] : types_[0]; }

const Type& DwarfTypeTable::complete(TypeId id) {
  if (id < types_.size() && !types_[id].members_loaded) read_members(id);
  return get(id);
}

TypeId DwarfTypeTable::derived(TypeKind kind, TypeId target, std::uint64_t count) {
  auto key = std::make_pair(target, (static_cast<std::uint64_t>(kind) << 56) | (count & ((1ull << 56) - 1)));
  if (auto it = derived_.find(key); it != derived_.end()) return it->second;
  if (types_.size() >= kMaxTypes) return kVoid;
  Type t;
  t.kind = kind;
  t.target = target;
  t.language = get(target).language;
  if (kind == TypeKind::pointer) {
    t.size = 8;
    t.sized = true;
  }
  if (kind == TypeKind::array) t.count = count;
  types_.push_back(std::move(t));
  dies_.push_back(Dwarf_Die{});
  has_die_.push_back(0);
  TypeId id = static_cast<TypeId>(types_.size() - 1);
  derived_[key] = id;
  return id;
}

TypeId DwarfTypeTable::basic(Encoding encoding, std::uint64_t size, const std::string& name) {
  if (auto it = basic_.find(name); it != basic_.end()) return it->second;
  if (types_.size() >= kMaxTypes) return kVoid;
  Type t;
  t.kind = TypeKind::base;
  t.encoding = encoding;
  t.size = size;
  t.sized = true;
  t.name = name;
  types_.push_back(std::move(t));
  dies_.push_back(Dwarf_Die{});
  has_die_.push_back(0);
  TypeId id = static_cast<TypeId>(types_.size() - 1);
  basic_[name] = id;
  return id;
}

TypeId DwarfTypeTable::type_of(Dwarf_Die* die) {
  auto t = die_type(die);
  return t ? of(*t) : kVoid;
}

TypeId DwarfTypeTable::of(Dwarf_Die die) {
  DieKey key = die_key(&die);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  if (types_.size() >= kMaxTypes || depth_ > kMaxReadDepth) return kVoid;
  TypeId id = static_cast<TypeId>(types_.size());
  types_.push_back(Type{});
  dies_.push_back(die);
  has_die_.push_back(1);
  ids_[key] = id;  // before reading: a type that refers to itself finds this id
  ++depth_;
  read(id, die);
  --depth_;
  return id;
}

void DwarfTypeTable::read(TypeId id, Dwarf_Die die) {
  Type t;
  Dwarf_Die cudie;
  std::uint8_t address_size = 8;
  if (dwarf_diecu(&die, &cudie, &address_size, nullptr) != nullptr) t.language = language_of(dwarf_srclang(&cudie));
  const int tag = dwarf_tag(&die);
  auto sized = [&](std::optional<std::uint64_t> s) {
    if (s) {
      t.size = *s;
      t.sized = true;
    }
  };
  sized(die_udata(&die, DW_AT_byte_size));
  if (auto a = die_udata(&die, DW_AT_alignment)) t.alignment = *a;
  switch (tag) {
    case DW_TAG_base_type:
      t.kind = TypeKind::base;
      t.name = die_name(&die);
      t.encoding = encoding_of(die_udata(&die, DW_AT_encoding).value_or(0), t.size, t.name);
      break;
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type:
      t.kind = tag == DW_TAG_pointer_type ? TypeKind::pointer
               : tag == DW_TAG_reference_type ? TypeKind::reference : TypeKind::rvalue_reference;
      if (!t.sized) sized(address_size);
      t.target = type_of(&die);
      if (t.language == Language::rust) t.name = die_name(&die);  // "&str", "&[u8]"
      break;
    case DW_TAG_ptr_to_member_type:
      t.kind = TypeKind::member_pointer;
      t.target = type_of(&die);
      if (auto c = die_ref(&die, DW_AT_containing_type)) t.member_class = of(*c);
      break;
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type:
      t.kind = tag == DW_TAG_union_type ? TypeKind::union_type
               : tag == DW_TAG_class_type ? TypeKind::class_type : TypeKind::structure;
      t.name = qualified_name(&die);
      t.declaration = die_flag(&die, DW_AT_declaration);
      t.members_loaded = false;
      break;
    case DW_TAG_enumeration_type: {
      t.kind = TypeKind::enumeration;
      t.name = qualified_name(&die);
      t.declaration = die_flag(&die, DW_AT_declaration);
      t.enum_class = die_flag(&die, DW_AT_enum_class);
      t.target = type_of(&die);
      if (t.target != kVoid) {
        Encoding e = get(strip_typedefs(*this, t.target)).encoding;
        t.enum_signed = e == Encoding::signed_int || e == Encoding::signed_char;
      }
      Dwarf_Die child;
      if (dwarf_child(&die, &child) == 0) {
        do {
          if (dwarf_tag(&child) != DW_TAG_enumerator) continue;
          Dwarf_Attribute attr;
          if (dwarf_attr(&child, DW_AT_const_value, &attr) == nullptr) continue;
          Enumerator en{die_name(&child), 0};
          Dwarf_Sword s = 0;
          Dwarf_Word u = 0;
          if (attr.form == DW_FORM_sdata || attr.form == DW_FORM_implicit_const) {
            if (dwarf_formsdata(&attr, &s) != 0) continue;
            en.value = static_cast<std::uint64_t>(s);
            if (s < 0 && t.target == kVoid) t.enum_signed = true;
          } else if (dwarf_formudata(&attr, &u) == 0) {
            en.value = u;
            // A data form narrower than 8 bytes holds a signed enumerator sign-extended.
            if (t.enum_signed && t.size > 0 && t.size < 8 && ((u >> (8 * t.size - 1)) & 1)) {
              en.value |= ~std::uint64_t{0} << (8 * t.size);
            }
          } else {
            continue;
          }
          if (t.enumerators.size() < kMaxTypeEntries) t.enumerators.push_back(std::move(en));
        } while (dwarf_siblingof(&child, &child) == 0);
      }
      break;
    }
    case DW_TAG_array_type: {
      t.kind = TypeKind::array;
      TypeId element = type_of(&die);
      // int a[2][3]: subranges outermost first; the inner ones become arrays of their own.
      std::vector<std::optional<std::uint64_t>> counts;
      Dwarf_Die child;
      if (dwarf_child(&die, &child) == 0) {
        do {
          int ctag = dwarf_tag(&child);
          if (ctag == DW_TAG_subrange_type || ctag == DW_TAG_enumeration_type) counts.push_back(subrange_count(&child));
        } while (dwarf_siblingof(&child, &child) == 0 && counts.size() < 16);
      }
      if (counts.empty()) counts.push_back(std::nullopt);
      for (std::size_t i = counts.size(); i-- > 1;) {
        Type inner;
        inner.kind = TypeKind::array;
        inner.language = t.language;
        inner.target = element;
        inner.count = counts[i];
        types_.push_back(std::move(inner));
        dies_.push_back(Dwarf_Die{});
        has_die_.push_back(0);
        element = static_cast<TypeId>(types_.size() - 1);
      }
      t.target = element;
      t.count = counts.front();
      t.sized = false;  // computed from the elements (DW_AT_byte_size is rare and may disagree)
      break;
    }
    case DW_TAG_subroutine_type:
    case DW_TAG_subprogram: {
      t.kind = TypeKind::function;
      t.target = type_of(&die);
      t.prototyped = die_flag(&die, DW_AT_prototyped);
      t.sized = false;
      Dwarf_Die child;
      if (dwarf_child(&die, &child) == 0) {
        do {
          int ctag = dwarf_tag(&child);
          if (ctag == DW_TAG_formal_parameter && !die_flag(&child, DW_AT_artificial)) t.parameters.push_back(type_of(&child));
          if (ctag == DW_TAG_unspecified_parameters) t.varargs = true;
        } while (dwarf_siblingof(&child, &child) == 0 && t.parameters.size() < 256);
      }
      break;
    }
    case DW_TAG_typedef:
      t.kind = TypeKind::typedef_type;
      t.name = qualified_name(&die);
      t.target = type_of(&die);
      break;
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
      t.kind = TypeKind::qualified;
      t.qualifiers = tag == DW_TAG_const_type ? kConst : tag == DW_TAG_volatile_type ? kVolatile
                     : tag == DW_TAG_restrict_type ? kRestrict : kAtomic;
      t.target = type_of(&die);
      break;
    case DW_TAG_unspecified_type:
      t.kind = TypeKind::unspecified;
      t.name = die_name(&die);
      if (!t.sized) sized(address_size);
      break;
    default:  // DWARF we do not model (Fortran strings, sets ...) is void to us
      t.kind = TypeKind::void_type;
      break;
  }
  types_[id] = std::move(t);
}

void DwarfTypeTable::read_members(TypeId id) {
  types_[id].members_loaded = true;
  if (!has_die_[id]) return;
  Dwarf_Die die = dies_[id];
  std::vector<Member> members;
  std::vector<TemplateArgument> args;
  std::optional<VariantPart> variant_part;
  Dwarf_Die child;
  ++depth_;
  if (dwarf_child(&die, &child) == 0) {
    do {
      const int tag = dwarf_tag(&child);
      if (tag == DW_TAG_member || tag == DW_TAG_inheritance) {
        // Static members: DWARF 4 members that are declared, not placed (DWARF 5: variables).
        if (tag == DW_TAG_member && (die_flag(&child, DW_AT_external) || die_flag(&child, DW_AT_declaration))) {
          add_static_member(id, members, child);
          continue;
        }
        Member m;
        m.name = die_name(&child);
        m.type = type_of(&child);
        m.bit_size = static_cast<std::uint32_t>(die_udata(&child, DW_AT_bit_size).value_or(0));
        m.is_base = tag == DW_TAG_inheritance;
        m.artificial = die_flag(&child, DW_AT_artificial);
        Dwarf_Attribute attr;
        if (m.is_base && dwarf_attr(&child, DW_AT_virtuality, &attr) != nullptr) {
          Dwarf_Word v = 0;
          m.is_virtual_base = dwarf_formudata(&attr, &v) == 0 && v != DW_VIRTUALITY_none;
        }
        auto at = member_bit_offset(&child, m.bit_size);
        if (!at) {
          if (!m.is_virtual_base) continue;
          at = 0;
        }
        m.bit_offset = *at;
        if (members.size() < kMaxTypeEntries) members.push_back(std::move(m));
      } else if (tag == DW_TAG_variable) {
        add_static_member(id, members, child);
      } else if (tag == DW_TAG_template_type_parameter || tag == DW_TAG_template_value_parameter) {
        TemplateArgument a;
        a.name = die_name(&child);
        if (tag == DW_TAG_template_type_parameter) {
          a.type = type_of(&child);
        } else {
          Dwarf_Attribute attr;
          Dwarf_Sword s = 0;
          if (dwarf_attr(&child, DW_AT_const_value, &attr) != nullptr && dwarf_formsdata(&attr, &s) == 0) a.value = s;
        }
        if (args.size() < 256) args.push_back(std::move(a));
      } else if (tag == DW_TAG_variant_part && !variant_part) {
        // Rust enums: the discriminant member, then one variant per alternative.
        VariantPart vp;
        std::optional<Dwarf_Die> discr = die_ref(&child, DW_AT_discr);
        Dwarf_Die v;
        if (dwarf_child(&child, &v) == 0) {
          do {
            int vtag = dwarf_tag(&v);
            if (vtag == DW_TAG_member && discr && dwarf_dieoffset(&v) == dwarf_dieoffset(&*discr)) {
              Member m;
              m.name = die_name(&v);
              m.type = type_of(&v);
              m.artificial = true;
              m.bit_offset = member_bit_offset(&v, 0).value_or(0);
              vp.discriminant_member = members.size();
              members.push_back(std::move(m));
            } else if (vtag == DW_TAG_variant) {
              Variant variant;
              variant.discriminant = die_udata(&v, DW_AT_discr_value);
              Dwarf_Die vm;
              if (dwarf_child(&v, &vm) != 0) continue;
              do {
                if (dwarf_tag(&vm) != DW_TAG_member) continue;
                Member m;
                m.name = die_name(&vm);
                m.type = type_of(&vm);
                m.bit_offset = member_bit_offset(&vm, 0).value_or(0);
                variant.member = members.size();
                members.push_back(std::move(m));
                break;
              } while (dwarf_siblingof(&vm, &vm) == 0);
              if (vp.variants.size() < 4096) vp.variants.push_back(variant);
            }
          } while (dwarf_siblingof(&v, &v) == 0);
        }
        variant_part = std::move(vp);
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  --depth_;
  Type& t = types_[id];
  t.members = std::move(members);
  t.template_arguments = std::move(args);
  t.variant_part = std::move(variant_part);
}

std::optional<Dwarf_Die> DwarfTypeTable::unit_die(Dwarf_Die* any, std::uint64_t cu_offset) {
  Dwarf_Die cudie;
  if (dwarf_diecu(any, &cudie, nullptr, nullptr) == nullptr) return std::nullopt;
  Dwarf_Die out;
  Dwarf* dwarf = dwarf_cu_getdwarf(any->cu);
  Dwarf_Off unit_start = dwarf_dieoffset(&cudie) - dwarf_cuoffset(&cudie);
  if (dwarf_offdie(dwarf, unit_start + cu_offset, &out) == nullptr) return std::nullopt;
  return out;
}

const DwarfTypeTable::Parents& DwarfTypeTable::parents_of(Dwarf_Die* die) {
  Dwarf_Die cudie;
  dwarf_diecu(die, &cudie, nullptr, nullptr);
  auto key = std::make_pair(static_cast<const void*>(dwarf_cu_getdwarf(die->cu)), dwarf_dieoffset(&cudie));
  auto [it, inserted] = parents_.try_emplace(key);
  if (!inserted) return it->second;
  Parents& p = it->second;
  std::size_t visited = 0;
  // Only named scopes are walked: functions' bodies hold no namespace-qualified types.
  auto walk = [&](auto& self, Dwarf_Die* scope, int depth) -> void {
    Dwarf_Die child;
    if (depth > kMaxScopeNesting || dwarf_child(scope, &child) != 0) return;
    Dwarf_Off parent = dwarf_dieoffset(scope);
    bool top = dwarf_tag(scope) == DW_TAG_compile_unit || dwarf_tag(scope) == DW_TAG_partial_unit;
    do {
      if (++visited > kMaxParentWalk) return;
      if (!top) p.of[dwarf_dieoffset(&child)] = parent;
      if (is_scope_tag(dwarf_tag(&child))) self(self, &child, depth + 1);
    } while (dwarf_siblingof(&child, &child) == 0);
  };
  walk(walk, &cudie, 0);
  return p;
}

std::string DwarfTypeTable::qualified_name(Dwarf_Die* die) {
  std::string name = die_name(die);
  Dwarf_Die cudie;
  if (dwarf_diecu(die, &cudie, nullptr, nullptr) == nullptr) return name;
  Language lang = language_of(dwarf_srclang(&cudie));
  if (lang == Language::c) return name;
  // A definition outside its namespace names its declaration (DW_AT_specification).
  Dwarf_Die at = *die;
  if (auto spec = die_ref(die, DW_AT_specification)) at = *spec;
  const Parents& parents = parents_of(&at);
  Dwarf* dwarf = dwarf_cu_getdwarf(at.cu);
  Dwarf_Off off = dwarf_dieoffset(&at);
  for (int depth = 0; depth < kMaxScopeNesting; ++depth) {
    auto it = parents.of.find(off);
    if (it == parents.of.end()) break;
    Dwarf_Die parent;
    if (dwarf_offdie(dwarf, it->second, &parent) == nullptr) break;
    std::string pname = die_name(&parent);
    if (pname.empty()) pname = dwarf_tag(&parent) == DW_TAG_namespace ? "(anonymous namespace)" : "{...}";
    name = pname + "::" + name;
    off = it->second;
  }
  return name;
}

void DwarfTypeTable::index_module(Dwarf* dwarf) {
  auto& index = named_[dwarf];
  std::size_t visited = 0;
  auto walk = [&](auto& self, Dwarf_Die* scope, const std::string& prefix, int depth) -> void {
    Dwarf_Die child;
    if (depth > kMaxScopeNesting || dwarf_child(scope, &child) != 0) return;
    do {
      if (++visited > kMaxIndexWalk) return;
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_namespace) {
        std::string n = die_name(&child);
        self(self, &child, prefix + (n.empty() ? "(anonymous namespace)" : n) + "::", depth + 1);
      } else if (is_named_type_tag(tag) && !die_flag(&child, DW_AT_declaration)) {
        std::string n = die_name(&child);
        if (!n.empty()) index.try_emplace(prefix + n, child);
        if (tag != DW_TAG_typedef && tag != DW_TAG_base_type) self(self, &child, prefix + n + "::", depth + 1);
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  };
  Dwarf_CU* cu = nullptr;
  Dwarf_Die cudie, subdie;
  std::uint8_t unit_type = 0;
  while (dwarf_get_units(dwarf, cu, &cu, nullptr, &unit_type, &cudie, &subdie) == 0 && visited <= kMaxIndexWalk) {
    walk(walk, &cudie, "", 0);
  }
}

std::optional<TypeId> DwarfTypeTable::find_named(Dwarf* dwarf, const std::string& name) {
  if (dwarf == nullptr) return std::nullopt;
  if (!named_.contains(dwarf)) index_module(dwarf);
  auto& index = named_[dwarf];
  auto it = index.find(name);
  if (it == index.end()) return std::nullopt;
  return of(it->second);
}

std::optional<TypeId> DwarfTypeTable::named_near(TypeId near, const std::string& name) {
  if (near >= has_die_.size() || !has_die_[near]) return std::nullopt;
  return find_named(dwarf_cu_getdwarf(dies_[near].cu), name);
}

TypeId DwarfTypeTable::definition(TypeId id) {
  const Type& t = get(id);
  if (!t.declaration || !has_die_[id] || t.name.empty()) return id;
  Dwarf_Die die = dies_[id];
  Dwarf* dwarf = dwarf_cu_getdwarf(die.cu);
  std::string name = t.name;
  TypeKind kind = t.kind;
  auto found = find_named(dwarf, name);
  if (!found || get(*found).kind != kind || get(*found).declaration) return id;
  return *found;
}

}  // namespace corelens::values
