// The type model the value formatter and the printers work on: a C/C++/Rust type as DWARF
// describes it, read once into plain values (dwarf_types.cpp), so the formatting code never
// touches libdw and can be tested on types built by hand.
//
// Types refer to each other by TypeId, an index into a TypeTable. A struct's members are
// loaded when first asked for, so a variable of a type that reaches half of libstdc++ costs only
// the types that are looked at; cyclic types (a list node pointing to itself) are fine, as each
// DIE becomes one id before anything it refers to is read.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace corelens::values {

struct Value;  // value.hpp

using TypeId = std::uint32_t;
inline constexpr TypeId kVoid = 0;  // id 0 is always `void`

enum class TypeKind : std::uint8_t {
  void_type,
  base,              // integers, characters, bool, floats
  pointer,
  reference,
  rvalue_reference,
  member_pointer,    // int Class::*
  structure,
  class_type,
  union_type,
  enumeration,
  array,
  function,          // a function type (what a function pointer points to)
  typedef_type,
  qualified,         // const / volatile / restrict / atomic of TARGET
  unspecified,       // decltype(nullptr), and DWARF's DW_TAG_unspecified_type
};

enum class Encoding : std::uint8_t {
  signed_int,
  unsigned_int,
  boolean,
  signed_char,
  unsigned_char,
  utf_char,  // char16_t, char32_t, char8_t, Rust's char
  floating,
  complex_float,
  other,
};

enum Qualifier : std::uint8_t { kConst = 1, kVolatile = 2, kRestrict = 4, kAtomic = 8 };

enum class Language : std::uint8_t { c, cxx, rust, other };

struct Member {
  std::string name;              // empty: an anonymous struct or union member
  TypeId type = kVoid;
  std::uint64_t bit_offset = 0;  // from the start of the enclosing object
  std::uint32_t bit_size = 0;    // bit-fields only
  bool is_base = false;          // a base class (DW_TAG_inheritance)
  bool is_virtual_base = false;  // its offset depends on the object: not followed
  bool artificial = false;       // compiler-made (the vtable pointer _vptr.X)
  // A C++ static data member: not inside the object (BIT_OFFSET means nothing); its value is
  // TypeTable::static_value's. Kept among the fields, in declaration order, as gdb prints them.
  bool is_static = false;
};

struct Enumerator {
  std::string name;
  std::uint64_t value = 0;  // two's complement when the enumeration is signed
};

struct TemplateArgument {
  std::string name;
  std::optional<TypeId> type;         // a type parameter
  std::optional<std::int64_t> value;  // a value parameter
};

// Rust enums (DW_TAG_variant_part): which member is present depends on a discriminant.
struct Variant {
  std::optional<std::uint64_t> discriminant;  // nullopt: the default variant
  std::size_t member = 0;                     // index into Type::members
};
struct VariantPart {
  std::optional<std::size_t> discriminant_member;  // index into Type::members; nullopt: niche layout
  std::vector<Variant> variants;
};

struct Type {
  TypeKind kind = TypeKind::void_type;
  std::string name;       // qualified by its namespaces and classes ("std::vector<int, ...>"), or empty
  std::uint64_t size = 0;
  bool sized = false;     // SIZE is known (not for void, functions, incomplete types, arrays of unknown bound)
  Encoding encoding = Encoding::other;
  std::uint8_t qualifiers = 0;           // qualified: a set of Qualifier bits
  TypeId target = kVoid;                 // pointee, element, aliased, qualified, return or underlying type
  TypeId member_class = kVoid;           // member_pointer: the class
  std::optional<std::uint64_t> count;    // array: element count (nullopt: unknown bound)
  std::uint64_t alignment = 0;           // DW_AT_alignment, 0 when DWARF does not say
  bool declaration = false;              // an incomplete struct/class/union/enum
  bool prototyped = false;               // function: a C prototype (prints "(void)" when it has no parameters)
  bool varargs = false;
  Language language = Language::c;
  std::vector<TypeId> parameters;        // function
  std::vector<Enumerator> enumerators;   // enumeration
  bool enum_signed = false;
  bool enum_class = false;               // C++ `enum class`: gdb qualifies its enumerators ("Mode::busy")
  // Loaded on first use (TypeTable::members): structs, classes, unions.
  std::vector<Member> members;
  std::vector<TemplateArgument> template_arguments;
  std::optional<VariantPart> variant_part;
  bool members_loaded = true;
};

class TypeTable {
 public:
  virtual ~TypeTable() = default;
  // The type with id ID; id 0 and any unknown id are `void`.
  virtual const Type& get(TypeId id) = 0;
  // The type with its members, template arguments and variants loaded.
  virtual const Type& complete(TypeId id) = 0;
  // A type made here (the pointer to an element type, an array of N elements): for printers and
  // expressions, which need types DWARF does not spell out.
  virtual TypeId derived(TypeKind kind, TypeId target, std::uint64_t count = 0) = 0;
  // A base type made here (the `int` of a literal, the `unsigned long` of a cast), named NAME.
  virtual TypeId basic(Encoding encoding, std::uint64_t size, const std::string& name) = 0;
  // The definition of a struct/class/union/enum that KIND-less declaration ID only declares
  // (another unit has it), or ID itself when there is none.
  virtual TypeId definition(TypeId id) { return id; }
  // The struct/class/union/enum/typedef named NAME (qualified) in the DWARF that NEAR came from:
  // a type a printer knows by name only (a container's node type), as gdb's printers look them up.
  virtual std::optional<TypeId> named_near(TypeId near, const std::string& name) {
    (void)near;
    (void)name;
    return std::nullopt;
  }
  // The value of static member MEMBER (an index into complete(OWNER).members): in memory where
  // the program defines it, its DWARF constant, or missing with the reason (optimized out: no
  // definition anywhere, as gdb says). Null when this table cannot tell (types built by hand).
  virtual std::shared_ptr<const Value> static_value(TypeId owner, std::size_t member) {
    (void)owner;
    (void)member;
    return nullptr;
  }
};

// A type table made by hand, for tests and for types that come from nowhere else.
class PlainTypeTable final : public TypeTable {
 public:
  PlainTypeTable();
  const Type& get(TypeId id) override;
  const Type& complete(TypeId id) override { return get(id); }
  TypeId derived(TypeKind kind, TypeId target, std::uint64_t count = 0) override;
  TypeId basic(Encoding encoding, std::uint64_t size, const std::string& name) override;
  TypeId add(Type type);
  // Static member MEMBER of OWNER has VALUE (unset ones: nullptr, "cannot tell").
  void set_static(TypeId owner, std::size_t member, std::shared_ptr<const Value> value) {
    statics_[{owner, member}] = std::move(value);
  }
  std::shared_ptr<const Value> static_value(TypeId owner, std::size_t member) override {
    auto it = statics_.find({owner, member});
    return it == statics_.end() ? nullptr : it->second;
  }

 private:
  std::deque<Type> types_;  // a deque: references to types stay valid as the table grows
  std::map<std::pair<TypeId, std::size_t>, std::shared_ptr<const Value>> statics_;
};

// Without typedefs and qualifiers: the type a value really has.
TypeId strip_typedefs(TypeTable& types, TypeId id);
// Kinds that name an aggregate with members.
bool is_aggregate(TypeKind kind);
bool is_reference(TypeKind kind);
// The size of values of ID, through typedefs and qualifiers; nullopt when unknown.
std::optional<std::uint64_t> type_size(TypeTable& types, TypeId id, int depth = 0);

// The name as gdb prints it: "struct record *", "const char *", "int (*)(int)", "char [8]",
// "std::vector<int, std::allocator<int> >".
std::string type_name(TypeTable& types, TypeId id);
// The name in the C++ demangler's spelling, as gdb prints a function's parameters
// ("char**", "Point const&", "unsigned long").
std::string demangler_type_name(TypeTable& types, TypeId id);
// The name as people write it (style.md, point 15): "std::string", "std::vector<int>",
// "std::map<std::string, int>": std::__cxx11:: dropped, default template arguments left out.
std::string readable_type_name(const std::string& exact);

}  // namespace corelens::values
