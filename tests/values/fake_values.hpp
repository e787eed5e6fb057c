// Test doubles for the values engine: memory made of byte ranges, a frame whose registers and
// frame base the test sets, a scope of named variables for expressions, types built by hand.
// Shared by the unit tests and the fuzz targets.
#pragma once

#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "unwinder/values/dwarf_expression.hpp"
#include "unwinder/values/expression.hpp"
#include "unwinder/values/types.hpp"
#include "unwinder/values/value.hpp"

namespace corelens::values::testing {

// Memory: byte ranges at addresses; everything else is not mapped, and ranges marked "not saved"
// are mappings the core left out.
class FakeMemory final : public ValueMemory {
 public:
  void put(std::uint64_t address, std::vector<std::byte> bytes) { ranges_[address] = std::move(bytes); }
  template <typename T>
  void put_value(std::uint64_t address, const T& v) {
    std::vector<std::byte> b(sizeof(T));
    std::memcpy(b.data(), &v, sizeof(T));
    put(address, std::move(b));
  }
  void put_string(std::uint64_t address, const std::string& s) {
    std::vector<std::byte> b(s.size() + 1);
    std::memcpy(b.data(), s.c_str(), s.size() + 1);
    put(address, std::move(b));
  }
  void not_saved(std::uint64_t start, std::uint64_t end) { holes_.push_back({start, end}); }

  Known<std::vector<std::byte>> read(std::uint64_t address, std::size_t size) const override {
    std::vector<std::byte> out(size);
    for (std::size_t i = 0; i < size; ++i) {
      std::uint64_t a = address + i;
      bool found = false;
      auto it = ranges_.upper_bound(a);
      if (it != ranges_.begin()) {
        --it;
        if (a - it->first < it->second.size()) {
          out[i] = it->second[a - it->first];
          found = true;
        }
      }
      if (!found) {
        Unavailable u;
        u.address = a;
        u.why = Unavailable::Why::not_mapped;
        for (auto [s, e] : holes_) {
          if (a >= s && a < e) u.why = Unavailable::Why::not_in_core;
        }
        return unavailable(u);
      }
    }
    return out;
  }

 private:
  std::map<std::uint64_t, std::vector<std::byte>> ranges_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> holes_;
};

// A frame for DWARF expressions: registers by number, a frame base, a CFA, entry values.
class FakeFrame final : public ExpressionContext {
 public:
  explicit FakeFrame(const ValueMemory& memory) : memory_(memory) {}
  std::map<unsigned, std::uint64_t> registers;
  std::optional<std::uint64_t> base, call_frame_address, entry;
  std::uint64_t load_bias = 0;
  std::vector<std::uint64_t> addresses;  // .debug_addr

  Known<std::uint64_t> reg(unsigned regno) const override {
    auto it = registers.find(regno);
    if (it == registers.end()) return unavailable(register_not_recovered("r" + std::to_string(regno)));
    return it->second;
  }
  Known<std::uint64_t> read(std::uint64_t address, std::size_t size) const override {
    auto b = memory_.read(address, size);
    if (!b) return unavailable(b.error());
    std::uint64_t v = 0;
    for (std::size_t i = size; i-- > 0;) v = (v << 8) | std::to_integer<std::uint8_t>((*b)[i]);
    return v;
  }
  Known<std::uint64_t> frame_base() const override {
    if (!base) return unavailable(value_error("no frame base"));
    return *base;
  }
  Known<std::uint64_t> cfa() const override {
    if (!call_frame_address) return unavailable(value_error("no CFA"));
    return *call_frame_address;
  }
  std::uint64_t relocate(std::uint64_t a) const override { return a + load_bias; }
  Known<std::uint64_t> address_index(std::uint64_t i) const override {
    if (i >= addresses.size()) return unavailable(value_error("no address " + std::to_string(i)));
    return addresses[i];
  }
  Known<std::uint64_t> entry_value(std::span<const std::byte>) const override {
    if (!entry) return unavailable(optimized_out());
    return *entry;
  }
  Known<BaseType> base_type(std::uint64_t) const override { return BaseType{8, false, false}; }

 private:
  const ValueMemory& memory_;
};

// A scope for expressions: variables and types by name, and gdb's words for a name not in it.
class FakeScope final : public ExpressionScope {
 public:
  std::map<std::string, Value> variables;
  std::map<std::string, TypeId> types;
  Known<Value> variable(const std::string& name) override {
    auto it = variables.find(name);
    if (it == variables.end()) return unavailable(value_error("No symbol \"" + name + "\" in current context."));
    return it->second;
  }
  std::optional<TypeId> type_named(const std::string& name) override {
    auto it = types.find(name);
    if (it == types.end()) return std::nullopt;
    return it->second;
  }
};

inline std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

// Types, as a C unit has them.
struct CTypes {
  PlainTypeTable table;
  TypeId int_type, uint_type, char_type, uchar_type, long_type, ulong_type, bool_type, float_type, double_type;
  TypeId short_type, ldouble_type;

  CTypes() {
    auto base = [&](const char* name, Encoding e, std::uint64_t size) {
      Type t;
      t.kind = TypeKind::base;
      t.name = name;
      t.encoding = e;
      t.size = size;
      t.sized = true;
      return table.add(t);
    };
    int_type = base("int", Encoding::signed_int, 4);
    uint_type = base("unsigned int", Encoding::unsigned_int, 4);
    char_type = base("char", Encoding::signed_char, 1);
    uchar_type = base("unsigned char", Encoding::unsigned_char, 1);
    long_type = base("long", Encoding::signed_int, 8);
    ulong_type = base("unsigned long", Encoding::unsigned_int, 8);
    bool_type = base("_Bool", Encoding::boolean, 1);
    float_type = base("float", Encoding::floating, 4);
    double_type = base("double", Encoding::floating, 8);
    short_type = base("short", Encoding::signed_int, 2);
    ldouble_type = base("long double", Encoding::floating, 16);
  }
  TypeId pointer(TypeId to) { return table.derived(TypeKind::pointer, to); }
  TypeId array(TypeId of, std::uint64_t n) { return table.derived(TypeKind::array, of, n); }
  TypeId qualified(TypeId of, std::uint8_t q) {
    Type t;
    t.kind = TypeKind::qualified;
    t.qualifiers = q;
    t.target = of;
    return table.add(t);
  }
  TypeId structure(const std::string& name, std::uint64_t size, std::vector<Member> members,
                   TypeKind kind = TypeKind::structure, Language lang = Language::c) {
    Type t;
    t.kind = kind;
    t.name = name;
    t.size = size;
    t.sized = true;
    t.members = std::move(members);
    t.language = lang;
    return table.add(t);
  }
  TypeId enumeration(const std::string& name, std::vector<Enumerator> values, bool enum_class = false) {
    Type t;
    t.kind = TypeKind::enumeration;
    t.name = name;
    t.size = 4;
    t.sized = true;
    t.enumerators = std::move(values);
    t.enum_class = enum_class;
    t.language = enum_class ? Language::cxx : Language::c;
    return table.add(t);
  }
};

inline Member member(const std::string& name, TypeId type, std::uint64_t byte_offset, std::uint32_t bit_size = 0,
                     std::uint64_t bit_in_byte = 0) {
  Member m;
  m.name = name;
  m.type = type;
  m.bit_offset = byte_offset * 8 + bit_in_byte;
  m.bit_size = bit_size;
  return m;
}

}  // namespace corelens::values::testing
