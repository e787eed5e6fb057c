// Which variable holds an address: "acc[1].lock" for a lock word the hang analysis found a
// thread waiting on, "*head" for the object a pointer argument points to. Seen from one frame:
// its variables in memory, the objects its pointer variables point to, and the globals.
#include "core/model/strings.hpp"
#include "unwinder/values/engine_impl.hpp"
#include "unwinder/values/heap_chunks.hpp"

namespace corelens::values {
namespace {

constexpr int kMaxPathDepth = 24;  // members and elements followed into one object

// The member of aggregate T that holds byte OFFSET; null in padding.
const Member* member_at(TypeTable& types, const Type& t, std::uint64_t offset) {
  for (const Member& m : t.members) {
    if (m.is_virtual_base || m.is_static) continue;  // a static member is not inside the object
    auto size = m.bit_size ? std::optional<std::uint64_t>((m.bit_offset % 8 + m.bit_size + 7) / 8) : type_size(types, m.type);
    std::uint64_t start = m.bit_offset / 8;
    if (size && offset >= start && offset < start + *size) return &m;
  }
  return nullptr;
}

// The member path to OFFSET inside an object of TYPE: ".lock", "[1].lock", "" (the object itself).
// *REST gets how far into the innermost thing found OFFSET is.
std::string path_into(TypeTable& types, TypeId type, std::uint64_t offset, std::uint64_t* rest) {
  std::string path;
  for (int depth = 0; depth < kMaxPathDepth; ++depth) {
    TypeId real = types.definition(strip_typedefs(types, type));
    const Type& t = types.complete(real);
    if (is_aggregate(t.kind)) {
      const Member* found = member_at(types, t, offset);
      if (found == nullptr) break;  // padding
      offset -= found->bit_offset / 8;
      if (!found->is_base && !found->name.empty()) path += "." + found->name;
      type = found->type;
      continue;
    }
    if (t.kind == TypeKind::array) {
      auto esize = type_size(types, t.target);
      if (!esize || *esize == 0) break;
      path += "[" + std::to_string(offset / *esize) + "]";
      offset %= *esize;
      type = t.target;
      continue;
    }
    break;
  }
  *rest = offset;
  return path;
}

// Where the innermost array of ELEMENT_SIZE-byte elements inside an object of TYPE (at BASE)
// ends, when ADDRESS is on one of its elements: what DWARF says about how far a pointer to
// ADDRESS may be indexed.
std::optional<std::uint64_t> array_end_in(TypeTable& types, TypeId type, std::uint64_t base, std::uint64_t address,
                                          std::uint64_t element_size) {
  std::optional<std::uint64_t> end;
  std::uint64_t at = base, offset = address - base;
  for (int depth = 0; depth < kMaxPathDepth; ++depth) {
    const Type& t = types.complete(types.definition(strip_typedefs(types, type)));
    if (is_aggregate(t.kind)) {
      const Member* found = member_at(types, t, offset);
      if (found == nullptr) break;
      at += found->bit_offset / 8;
      offset -= found->bit_offset / 8;
      type = found->type;
      continue;
    }
    if (t.kind != TypeKind::array) break;
    auto esize = type_size(types, t.target);
    if (!esize || *esize == 0) break;
    if (*esize == element_size && offset % element_size == 0 && t.count) end = at + *t.count * element_size;
    at += offset / *esize * *esize;
    offset %= *esize;
    type = t.target;
  }
  return end;
}

// "p" + ".x" -> "p->x"; "p" + "" -> "*p"; a pointer to an array: "p" + "[2]" -> "(*p)[2]".
std::string through_pointer(const std::string& name, const std::string& path) {
  if (path.empty()) return "*" + name;
  if (path.front() == '.') return name + "->" + path.substr(1);
  return "(*" + name + ")" + path;
}

}  // namespace

std::optional<AddressName> ValueEngine::name_address(std::size_t thread, std::size_t frame, std::uint64_t address) {
  std::lock_guard lock(mutex_);
  auto r = impl_->resolve(thread, frame);
  if (!r) return std::nullopt;
  FrameWorld world = impl_->world(*r->thread);
  FrameContext context(world, r->physical, *r->scopes);
  TypeTable& types = impl_->types;
  FormatOptions options = default_options();
  auto name_in = [&](const std::string& expr, TypeId type, std::uint64_t offset) {
    AddressName out;
    std::string path = path_into(types, type, offset, &out.offset);
    out.expression = expr + path;
    out.type = readable_type_name(type_name(types, type));
    return out;
  };
  auto variables = scope_variables(r->dies, true);
  // The frame's own objects first: an address inside a local beats a pointer to it.
  std::vector<std::pair<std::string, Value>> values;
  for (auto& v : variables) values.emplace_back(v.name, context.variable_value(&v.die));
  for (auto& [name, v] : values) {
    auto size = type_size(types, v.type);
    if (v.unavailable || !v.address || !size || *size == 0) continue;
    if (address >= *v.address && address - *v.address < *size) {
      AddressName out;
      std::string path = path_into(types, v.type, address - *v.address, &out.offset);
      out.expression = name + path;
      out.type = readable_type_name(type_name(types, v.type));
      return out;
    }
  }
  // Where the array that holds the object at START ends, if the facts say START is on an element
  // of one (of ELEMENT_SIZE bytes): an array the frame or a global holds, by DWARF, or the heap
  // allocation that starts at START, by its malloc chunk header.
  auto array_end = [&](std::uint64_t start, std::uint64_t element_size, std::size_t word) -> std::optional<std::uint64_t> {
    for (auto& [name, v] : values) {
      auto size = type_size(types, v.type);
      if (v.unavailable || !v.address || !size || start < *v.address || start - *v.address >= *size) continue;
      return array_end_in(types, v.type, *v.address, start, element_size);
    }
    if (auto symbol = impl_->session.symbol_at(start)) {
      auto g = find_global(r->scopes->cu, symbol->substr(0, symbol->find('+')), true);
      if (!g) return std::nullopt;
      Value gv = context.variable_value(&*g);
      auto size = type_size(types, gv.type);
      if (gv.unavailable || !gv.address || !size || start < *gv.address || start - *gv.address >= *size) return std::nullopt;
      return array_end_in(types, gv.type, *gv.address, start, element_size);
    }
    auto usable = malloc_usable_size(impl_->memory, start, word, options.byte_order);
    if (!usable) return std::nullopt;
    return start + *usable;
  };
  // Then what pointer variables point to: the pointee itself, or, where p points into an array,
  // an element past it (p[i]). A pointer to one object is never indexed into its neighbours.
  for (auto& [name, v] : values) {
    if (v.unavailable) continue;
    TypeId real = strip_typedefs(types, v.type);
    const Type& t = types.get(real);
    if (t.kind != TypeKind::pointer && !is_reference(t.kind)) continue;
    auto target = dereference(types, impl_->memory, v, options);
    if (!target || !target->address || address < *target->address) continue;
    auto size = type_size(types, t.target);
    if (!size || *size == 0) continue;
    std::uint64_t offset = address - *target->address;
    std::uint64_t index = offset / *size;
    if (index > 0) {
      if (is_reference(t.kind)) continue;
      auto end = array_end(*target->address, *size, static_cast<std::size_t>(type_size(types, real).value_or(8)));
      if (!end || *end < *target->address || index >= (*end - *target->address) / *size) continue;
    }
    std::uint64_t rest = 0;
    std::string path = path_into(types, t.target, offset % *size, &rest);
    AddressName out;
    out.offset = rest;
    out.type = readable_type_name(type_name(types, t.target));
    if (is_reference(t.kind)) out.expression = name + path;
    else if (index == 0) out.expression = through_pointer(name, path);
    else out.expression = name + "[" + std::to_string(index) + "]" + path;
    return out;
  }
  // A global: the ELF symbol that covers the address names the DWARF variable.
  auto symbol = impl_->session.symbol_at(address);
  if (!symbol) return std::nullopt;
  std::string name = symbol->substr(0, symbol->find('+'));
  Dwarf_Die cu = r->scopes->cu;
  auto g = find_global(cu, name, true);
  if (!g) return std::nullopt;
  Value gv = context.variable_value(&*g);
  auto size = type_size(types, gv.type);
  if (gv.unavailable || !gv.address || !size || address < *gv.address || address - *gv.address >= *size) {
    return std::nullopt;
  }
  return name_in(name, gv.type, address - *gv.address);
}

}  // namespace corelens::values
