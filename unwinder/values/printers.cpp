// What every printer family shares: finding members and template arguments by name.
#include "unwinder/values/printers.hpp"

#include <algorithm>
#include <bit>

namespace corelens::values {
namespace {

constexpr int kMaxMemberSearchDepth = 8;  // base classes and anonymous members searched through

std::optional<Value> find_member(PrinterContext& ctx, const Value& v, std::string_view name,
                                 std::optional<TypeKind> kind, int depth) {
  if (depth > kMaxMemberSearchDepth) return std::nullopt;
  const Type& t = ctx.real_type(v);
  if (!is_aggregate(t.kind)) return std::nullopt;
  // Copied: searching a base class may load types and grow the table under a reference.
  std::vector<Member> members = t.members;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    if (m.name == name && !m.is_base &&
        (!kind || ctx.types.get(strip_typedefs(ctx.types, m.type)).kind == *kind)) {
      if (m.is_static) {  // `obj.count` of a static member: the class's one (gdb's value_struct_elt)
        auto value = ctx.types.static_value(strip_typedefs(ctx.types, v.type), i);
        return value ? *value : Value::missing(m.type, optimized_out());
      }
      return sub_value(v, m.type, m.bit_offset, m.bit_size, ctx.size_of(m.type));
    }
  }
  for (const Member& m : members) {
    if ((m.is_base || m.name.empty()) && !m.is_virtual_base) {
      Value inner = sub_value(v, m.type, m.bit_offset, 0, ctx.size_of(m.type));
      if (auto found = find_member(ctx, inner, name, kind, depth + 1)) return found;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Value> PrinterContext::member(const Value& v, std::string_view name) {
  return find_member(*this, v, name, std::nullopt, 0);
}

std::optional<Value> PrinterContext::member_of_kind(const Value& v, std::string_view name, TypeKind kind) {
  return find_member(*this, v, name, kind, 0);
}

Known<std::uint64_t> PrinterContext::word(std::uint64_t address) {
  auto bytes = memory.read(address, options.pointer_size);
  if (!bytes) return unavailable(bytes.error());
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes->size(); ++i) {
    std::size_t k = options.byte_order == std::endian::big ? i : bytes->size() - 1 - i;
    v = (v << 8) | std::to_integer<std::uint8_t>((*bytes)[k]);
  }
  return v;
}

std::uint64_t PrinterContext::alignment(TypeId type, int depth) {
  if (depth > 16) return 1;
  TypeId real = strip_typedefs(types, type);
  const Type& t = types.complete(real);
  if (t.alignment) return t.alignment;
  if (t.kind == TypeKind::array) return alignment(t.target, depth + 1);
  if (is_aggregate(t.kind)) {
    std::uint64_t a = 1;
    std::vector<TypeId> member_types;
    for (const auto& m : t.members) {
      if (!m.is_static) member_types.push_back(m.type);
    }
    for (TypeId m : member_types) a = std::max(a, alignment(m, depth + 1));
    return a;
  }
  auto size = type_size(types, real);
  if (!size || *size == 0) return 1;
  return std::min<std::uint64_t>(std::bit_floor(*size), 16);
}

std::optional<Value> PrinterContext::path(const Value& v, std::initializer_list<std::string_view> names) {
  std::optional<Value> cur = v;
  for (auto n : names) {
    cur = member(*cur, n);
    if (!cur) return std::nullopt;
  }
  return cur;
}

std::optional<TypeId> PrinterContext::template_type(TypeId type, std::size_t n) {
  const Type& t = types.complete(strip_typedefs(types, type));
  std::size_t seen = 0;
  for (const auto& arg : t.template_arguments) {
    if (!arg.type) continue;
    if (seen++ == n) return arg.type;
  }
  return std::nullopt;
}

std::string template_head(const std::string& type_name) {
  std::string s = type_name.substr(0, type_name.find('<'));
  for (std::string_view ns : {"std::__cxx11::", "std::__1::", "std::__debug::"}) {
    if (s.rfind(ns, 0) == 0) s = "std::" + s.substr(ns.size());
  }
  return s;
}

}  // namespace corelens::values
