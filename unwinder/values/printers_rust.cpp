// Rust's standard types as a Rust developer reads them: &str and String as strings, Vec as its
// elements ("Vec(size=3)", as rustc's own gdb providers say), and enums (Option, Result and every
// other) as the variant they hold ("core::option::Option<u32>::Some(7)", as gdb's Rust support
// prints them). The layouts differ between rustc releases (RawVec gained an untyped
// RawVecInner in 1.83); every member is found by name, so both the Debian 12 rustc (1.63) and
// newer ones read.
#include "unwinder/values/format_scalar.hpp"
#include "unwinder/values/printers.hpp"

namespace corelens::values {
namespace {

using Result = std::optional<Known<Printed>>;

Result fail(Unavailable u) { return Known<Printed>(unavailable(std::move(u))); }
Result ok(Printed p) { return Known<Printed>(std::move(p)); }

// A count stored as a plain integer or wrapped in a newtype (UsizeNoHighBit(3), Cap(3)).
Known<std::uint64_t> count_of(PrinterContext& ctx, const Value& v) {
  Value cur = v;
  for (int depth = 0; depth < 4; ++depth) {
    const Type& t = ctx.real_type(cur);
    if (!is_aggregate(t.kind)) return ctx.integer(cur);
    if (t.members.empty()) break;
    const Member& m = t.members.front();
    cur = sub_value(cur, m.type, m.bit_offset, m.bit_size, ctx.size_of(m.type));
  }
  return unavailable(value_error("a count that is not an integer"));
}

// The bytes of a UTF-8 string as code units (octal escapes beyond ASCII, as for C strings).
Known<Printed> utf8_string(PrinterContext& ctx, std::uint64_t data, std::uint64_t length) {
  std::uint64_t shown = std::min<std::uint64_t>(length, ctx.options.max_string);
  std::vector<std::uint32_t> units;
  if (shown > 0) {
    auto bytes = ctx.memory.read(data, static_cast<std::size_t>(shown));
    if (!bytes) return unavailable(bytes.error());
    for (std::byte b : *bytes) units.push_back(std::to_integer<std::uint8_t>(b));
  }
  Printed out;
  out.hint = Printed::Hint::string;
  out.summary = format_string(units, ctx.options.repeat_threshold, length > shown);
  return out;
}

Result print_str(const Value& v, PrinterContext& ctx) {
  auto data = ctx.member(v, "data_ptr");
  auto length = ctx.member(v, "length");
  if (!data || !length) return std::nullopt;
  auto p = ctx.integer(*data);
  auto n = ctx.integer(*length);
  if (!p) return fail(p.error());
  if (!n) return fail(n.error());
  return Known<Printed>(utf8_string(ctx, *p, *n));
}

// The first pointer named NAME inside V, through named members too (RawVec -> RawVecInner ->
// Unique -> NonNull -> pointer: the nesting grows between rustc releases).
std::optional<Value> nested_pointer(PrinterContext& ctx, const Value& v, std::string_view name, int depth = 0) {
  if (depth > 8) return std::nullopt;
  const Type& t = ctx.real_type(v);
  if (!is_aggregate(t.kind)) return std::nullopt;
  std::vector<Member> members = t.members;
  for (const Member& m : members) {
    Value mv = sub_value(v, m.type, m.bit_offset, m.bit_size, ctx.size_of(m.type));
    if (m.name == name && ctx.real_type(mv).kind == TypeKind::pointer) return mv;
    if (auto found = nested_pointer(ctx, mv, name, depth + 1)) return found;
  }
  return std::nullopt;
}

// A Vec's buffer and length: (pointer to the first element, length).
std::optional<std::pair<Value, Value>> vec_parts(const Value& v, PrinterContext& ctx) {
  auto buf = ctx.member(v, "buf");
  auto len = ctx.member(v, "len");
  if (!buf || !len) return std::nullopt;
  auto pointer = nested_pointer(ctx, *buf, "pointer");
  if (!pointer) return std::nullopt;
  return std::make_pair(*pointer, *len);
}

Result print_string(const Value& v, PrinterContext& ctx) {
  auto vec = ctx.member(v, "vec");
  if (!vec) return std::nullopt;
  auto parts = vec_parts(*vec, ctx);
  if (!parts) return std::nullopt;
  auto p = ctx.integer(parts->first);
  auto n = count_of(ctx, parts->second);
  if (!p) return fail(p.error());
  if (!n) return fail(n.error());
  return Known<Printed>(utf8_string(ctx, *p, *n));
}

Result print_vec(const Value& v, PrinterContext& ctx) {
  auto parts = vec_parts(v, ctx);
  auto elem = ctx.template_type(v.type, 0);
  if (!parts || !elem) return std::nullopt;
  auto p = ctx.integer(parts->first);
  auto n = count_of(ctx, parts->second);
  if (!p) return fail(p.error());
  if (!n) return fail(n.error());
  auto size = ctx.size_of(*elem);
  if (!size) return fail(value_error("a Vec of elements of unknown size"));
  Printed out;
  out.hint = Printed::Hint::array;
  out.summary = "Vec(size=" + std::to_string(*n) + ")";
  for (std::uint64_t i = 0; i < *n && i < ctx.options.max_elements; ++i) {
    out.children.push_back(Child{"[" + std::to_string(i) + "]", Value::in_memory(*elem, *p + i * *size), std::nullopt});
  }
  out.more = *n > ctx.options.max_elements;
  return ok(std::move(out));
}

// Any Rust enum: the variant its discriminant selects, with that variant's fields as children.
Result print_enum(const Value& v, PrinterContext& ctx) {
  const Type& t = ctx.real_type(v);
  const VariantPart& vp = *t.variant_part;
  const Variant* active = nullptr;
  if (vp.discriminant_member && *vp.discriminant_member < t.members.size()) {
    const Member& d = t.members[*vp.discriminant_member];
    auto dv = ctx.integer(sub_value(v, d.type, d.bit_offset, d.bit_size, ctx.size_of(d.type)));
    if (!dv) return fail(dv.error());
    for (const auto& var : vp.variants) {
      if (var.discriminant && *var.discriminant == *dv) active = &var;
    }
    if (active == nullptr) {
      for (const auto& var : vp.variants) {
        if (!var.discriminant) active = &var;  // the default (niche-filling) variant
      }
    }
  } else if (vp.variants.size() == 1) {
    active = &vp.variants.front();
  }
  if (active == nullptr || active->member >= t.members.size()) {
    return fail(value_error("a " + t.name + " whose discriminant names no variant"));
  }
  const Member& m = t.members[active->member];
  Value payload = sub_value(v, m.type, m.bit_offset, 0, ctx.size_of(m.type));
  const Type& pt = ctx.real_type(payload);
  Printed out;
  out.summary = t.name + "::" + m.name;
  bool tuple = !pt.members.empty() && pt.members.front().name.rfind("__", 0) == 0;
  for (const Member& f : pt.members) {
    std::string name = tuple ? "[" + f.name.substr(2) + "]" : f.name;
    out.children.push_back(Child{name, sub_value(payload, f.type, f.bit_offset, f.bit_size, ctx.size_of(f.type)), std::nullopt});
  }
  out.hint = tuple ? Printed::Hint::tuple : Printed::Hint::record;
  return ok(std::move(out));
}

}  // namespace

std::optional<Known<Printed>> print_rust_language(const Value& v, PrinterContext& ctx) {
  if (v.unavailable) return std::nullopt;
  const Type& t = ctx.real_type(v);
  if (t.language != Language::rust || !is_aggregate(t.kind)) return std::nullopt;
  if (t.variant_part) return print_enum(v, ctx);
  if (t.name == "&str" || t.name == "&mut str") return print_str(v, ctx);
  return std::nullopt;
}

std::optional<Known<Printed>> print_rust(const Value& v, PrinterContext& ctx) {
  if (v.unavailable) return std::nullopt;
  const Type& t = ctx.real_type(v);
  if (t.language != Language::rust || !is_aggregate(t.kind)) return std::nullopt;
  const std::string head = template_head(t.name);
  if (t.name == "alloc::string::String") return print_string(v, ctx);
  if (head == "alloc::vec::Vec") return print_vec(v, ctx);
  return std::nullopt;
}

}  // namespace corelens::values
