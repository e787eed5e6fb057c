#include "unwinder/values/value.hpp"

#include "core/model/strings.hpp"

namespace corelens::values {

std::string Unavailable::describe() const {
  switch (why) {
    case Why::optimized_out: return "optimized out";
    case Why::not_in_core: return "not saved in the core" + (address ? " (" + hex(*address) + ")" : std::string());
    case Why::not_mapped: return "cannot access memory at " + (address ? hex(*address) : std::string("?"));
    case Why::register_not_recovered:
      return "register not recovered" + (detail.empty() ? std::string() : " (" + detail + ")");
    case Why::error: return "<error: " + detail + ">";
  }
  return "<error>";
}

PlainTypeTable::PlainTypeTable() { types_.push_back(Type{}); }

const Type& PlainTypeTable::get(TypeId id) { return id < types_.size() ? types_[id] : types_[0]; }

TypeId PlainTypeTable::add(Type type) {
  types_.push_back(std::move(type));
  return static_cast<TypeId>(types_.size() - 1);
}

TypeId PlainTypeTable::derived(TypeKind kind, TypeId target, std::uint64_t count) {
  Type t;
  t.kind = kind;
  t.target = target;
  t.language = get(target).language;
  if (kind == TypeKind::pointer) {
    t.size = 8;
    t.sized = true;
  }
  if (kind == TypeKind::array) t.count = count;
  return add(std::move(t));
}

TypeId PlainTypeTable::basic(Encoding encoding, std::uint64_t size, const std::string& name) {
  Type t;
  t.kind = TypeKind::base;
  t.encoding = encoding;
  t.size = size;
  t.sized = true;
  t.name = name;
  return add(std::move(t));
}

Known<std::vector<std::byte>> value_bytes(TypeTable& types, const ValueMemory& memory, const Value& v,
                                          const FormatOptions& options) {
  if (v.unavailable) return unavailable(*v.unavailable);
  std::uint64_t size = 0;
  if (v.bit_size > 0) {
    size = (v.bit_offset % 8 + v.bit_size + 7) / 8;
  } else {
    auto s = type_size(types, v.type);
    if (!s) return unavailable(value_error("the size of " + type_name(types, v.type) + " is unknown"));
    size = *s;
  }
  if (size > options.max_object_size) {
    return unavailable(value_error("an object of " + std::to_string(size) + " bytes is larger than the " +
                                   std::to_string(options.max_object_size) + "-byte cap"));
  }
  std::vector<std::byte> raw;
  std::uint64_t first_byte = v.bit_size > 0 ? v.bit_offset / 8 : 0;
  if (v.address) {
    auto r = memory.read(*v.address + first_byte, static_cast<std::size_t>(size));
    if (!r) return unavailable(r.error());
    raw = std::move(*r);
  } else {
    if (first_byte > v.bytes.size() || v.bytes.size() - first_byte < size) {
      return unavailable(value_error("a value of " + std::to_string(v.bytes.size()) + " bytes where " +
                                     std::to_string(first_byte + size) + " are needed"));
    }
    for (std::uint64_t i = first_byte; i < first_byte + size && !v.known.empty(); ++i) {
      std::uint8_t k = i < v.known.size() ? v.known[i] : Value::kOptimizedOut;
      if (k == Value::kKnown) continue;
      if (k == Value::kRegisterLost) return unavailable(register_not_recovered(""));
      if (k == Value::kNotInCore) return unavailable(Unavailable{Unavailable::Why::not_in_core, {}, std::nullopt});
      return unavailable(optimized_out());
    }
    raw.assign(v.bytes.begin() + static_cast<std::ptrdiff_t>(first_byte),
               v.bytes.begin() + static_cast<std::ptrdiff_t>(first_byte + size));
  }
  if (v.bit_size == 0) return raw;
  // A bit-field: its bits, shifted down to bit 0 and masked, as an integer of 8 bytes at most.
  if (v.bit_size > 64) return unavailable(value_error("a bit-field of " + std::to_string(v.bit_size) + " bits"));
  const bool big = options.byte_order == std::endian::big;
  // Bit I of the field is bit (start + I) of the bytes, counting from the least significant bit
  // of the first byte (little-endian) or from the most significant of the first (big-endian).
  const std::uint64_t start = big ? raw.size() * 8 - v.bit_offset % 8 - v.bit_size : v.bit_offset % 8;
  std::uint64_t bits = 0;
  for (std::uint32_t i = 0; i < v.bit_size; ++i) {
    std::uint64_t b = start + i;  // in little-endian numbering of the whole span
    std::size_t byte = big ? raw.size() - 1 - b / 8 : b / 8;
    if ((std::to_integer<std::uint8_t>(raw[byte]) >> (b % 8)) & 1) bits |= std::uint64_t{1} << i;
  }
  std::vector<std::byte> out(8);
  for (int i = 0; i < 8; ++i) out[big ? 7 - i : i] = static_cast<std::byte>(bits >> (8 * i));
  return out;
}

Known<std::uint64_t> value_unsigned(TypeTable& types, const ValueMemory& memory, const Value& v,
                                    const FormatOptions& options) {
  const bool big = options.byte_order == std::endian::big;
  // Most scalars are members or elements of an object already read: their bytes are at hand and
  // whole, so they need no copy (value_bytes() would give these very bytes).
  if (!v.unavailable && !v.address && v.bit_size == 0 && v.known.empty()) {
    auto size = type_size(types, v.type);
    if (size && *size <= 8 && *size <= options.max_object_size && v.bytes.size() >= *size) {
      std::uint64_t out = 0;
      for (std::size_t i = 0; i < *size; ++i) {
        std::size_t k = big ? i : static_cast<std::size_t>(*size) - 1 - i;
        out = (out << 8) | std::to_integer<std::uint8_t>(v.bytes[k]);
      }
      return out;
    }
  }
  auto bytes = value_bytes(types, memory, v, options);
  if (!bytes) return unavailable(bytes.error());
  if (bytes->size() > 8) return unavailable(value_error("a scalar of " + std::to_string(bytes->size()) + " bytes"));
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < bytes->size(); ++i) {
    std::size_t k = big ? i : bytes->size() - 1 - i;
    out = (out << 8) | std::to_integer<std::uint8_t>((*bytes)[k]);
  }
  return out;
}

Value sub_value(const Value& v, TypeId type, std::uint64_t bit_offset, std::uint32_t bit_size,
                std::optional<std::uint64_t> byte_size) {
  Value out;
  out.type = type;
  out.location = v.location;
  out.from_entry_value = v.from_entry_value;
  out.unavailable = v.unavailable;
  if (v.unavailable) return out;
  if (v.bit_size > 0) {  // a member of a bit-field cannot be; damaged DWARF
    out.unavailable = value_error("a member inside a bit-field");
    return out;
  }
  if (bit_size > 0) {
    out.bit_size = bit_size;
    out.bit_offset = bit_offset % 8;
    bit_offset -= bit_offset % 8;
  } else if (bit_offset % 8 != 0) {
    out.unavailable = value_error("a member at bit " + std::to_string(bit_offset) + " that is not a bit-field");
    return out;
  }
  std::uint64_t byte = bit_offset / 8;
  if (v.address) {
    out.address = *v.address + byte;
    return out;
  }
  std::uint64_t len = bit_size > 0 ? (out.bit_offset + bit_size + 7) / 8 : byte_size.value_or(0);
  if (byte > v.bytes.size() || len > v.bytes.size() - byte) {
    out.unavailable = value_error("a member past the end of its " + std::to_string(v.bytes.size()) + "-byte object");
    return out;
  }
  out.bytes.assign(v.bytes.begin() + static_cast<std::ptrdiff_t>(byte),
                   v.bytes.begin() + static_cast<std::ptrdiff_t>(byte + len));
  if (!v.known.empty()) {
    out.known.assign(v.known.begin() + static_cast<std::ptrdiff_t>(byte),
                     v.known.begin() + static_cast<std::ptrdiff_t>(byte + len));
  }
  return out;
}

Known<Value> dereference(TypeTable& types, const ValueMemory& memory, const Value& pointer,
                         const FormatOptions& options) {
  TypeId pt = strip_typedefs(types, pointer.type);
  const Type& p = types.get(pt);
  if (p.kind != TypeKind::pointer && !is_reference(p.kind)) {
    return unavailable(value_error("not a pointer: " + type_name(types, pointer.type)));
  }
  if (pointer.implicit_target) return *pointer.implicit_target;
  auto address = value_unsigned(types, memory, pointer, options);
  if (!address) return unavailable(address.error());
  return Value::in_memory(p.target, *address);
}

}  // namespace corelens::values
