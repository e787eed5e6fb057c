// A value of a program: its type, and where its bytes are (the dump's memory, or bytes gathered
// from registers, DWARF constants and pieces). Bytes in memory are read when they are shown,
// so a value costs nothing until then.
//
// Ownership: a Value is a plain copy. It names its type by TypeId: the TypeTable it came from
// must outlive every use of it.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "unwinder/values/types.hpp"
#include "unwinder/values/unavailable.hpp"

namespace corelens::values {

struct Value {
  TypeId type = kVoid;
  std::optional<std::uint64_t> address;  // in memory at ADDRESS; else BYTES hold it
  std::vector<std::byte> bytes;
  // BYTES only: per byte, kKnown, or why it is not (a piece optimized out, in a register not
  // recovered, in memory not saved); empty: all known.
  std::vector<std::uint8_t> known;
  static constexpr std::uint8_t kKnown = 1, kOptimizedOut = 0, kRegisterLost = 2, kNotInCore = 3;
  // A bit-field: BIT_SIZE bits starting BIT_OFFSET bits into the bytes (little-endian bit order
  // on little-endian targets).
  std::uint32_t bit_size = 0;
  std::uint64_t bit_offset = 0;
  std::string location;  // in words: "memory", "register rdi", "computed", "pieces", "DWARF constant"
  std::optional<Unavailable> unavailable;  // set: there is no value
  bool from_entry_value = false;           // computed through DW_OP_entry_value (gdb's x@entry)
  // A pointer DWARF describes as DW_OP_implicit_pointer: it has no address of its own to show,
  // but what it points to is known (gdb's <synthetic pointer>).
  std::shared_ptr<const Value> implicit_target;

  static Value in_memory(TypeId type, std::uint64_t address) {
    Value v;
    v.type = type;
    v.address = address;
    v.location = "memory";
    return v;
  }
  static Value missing(TypeId type, Unavailable why) {
    Value v;
    v.type = type;
    v.unavailable = std::move(why);
    return v;
  }
};

// The memory of the process, as values read it.
class ValueMemory {
 public:
  virtual ~ValueMemory() = default;
  // SIZE bytes at ADDRESS, or why not (not_in_core, not_mapped).
  virtual Known<std::vector<std::byte>> read(std::uint64_t address, std::size_t size) const = 0;
};

// Names addresses for pointers, as gdb does: "triple", "vtable for Catalog+16", "global_counter".
class SymbolNamer {
 public:
  virtual ~SymbolNamer() = default;
  // The symbol at or before ADDRESS in a module's mapped image ("name" or "name+16"); nullopt
  // for memory no module maps (heap, stacks).
  virtual std::optional<std::string> symbol_at(std::uint64_t address) const = 0;
};

struct FormatOptions {
  int depth = 1;                        // levels of members and pointees expanded as children
  std::size_t max_string = 200;         // characters of a string (gdb's `print elements`)
  std::size_t max_elements = 200;       // elements of an array or a container
  std::size_t repeat_threshold = 10;    // runs longer than this print as "x <repeats N times>"
  std::size_t max_summary = 4096;       // characters of the one-line value of an aggregate
  std::size_t max_object_size = 1 << 20;  // bytes read for one object
  std::endian byte_order = std::endian::little;
  std::uint8_t pointer_size = 8;
  bool raw = false;  // no printers: every value as DWARF lays it out
  // False: structs, arrays and containers are "..." (gdb's frame-line arguments), never read.
  bool compound_summaries = true;
};

// Reads the bytes of V (at most LIMIT): from memory or from its own bytes; a bit-field's bits
// come back shifted down into the low bits.
Known<std::vector<std::byte>> value_bytes(TypeTable& types, const ValueMemory& memory, const Value& v,
                                          const FormatOptions& options);

// V's bytes as an unsigned integer (up to 8 bytes), honouring bit-fields and byte order.
Known<std::uint64_t> value_unsigned(TypeTable& types, const ValueMemory& memory, const Value& v,
                                    const FormatOptions& options);

// The part of V at BIT_OFFSET of type TYPE (a member or an element): an address in memory when
// V is in memory, else a slice of its bytes.
Value sub_value(const Value& v, TypeId type, std::uint64_t bit_offset, std::uint32_t bit_size,
                std::optional<std::uint64_t> byte_size);

// The object a pointer value points to: V's target type at the address V holds.
Known<Value> dereference(TypeTable& types, const ValueMemory& memory, const Value& pointer,
                         const FormatOptions& options);

}  // namespace corelens::values
