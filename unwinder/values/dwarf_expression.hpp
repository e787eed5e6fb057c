// DWARF location expressions (DWARF 2 to 5 and the GNU extensions gcc 12 and clang 14 emit):
// decoded from their bytes and evaluated into a Location, the place or the value of a variable
// at one pc of one frame.
//
// Pure code over bytes: it knows nothing of libdw. What an expression needs from its frame (a
// register, the frame base, the CFA, memory, the caller's call site for DW_OP_entry_value) comes
// in through ExpressionContext, so the evaluator is tested and fuzzed alone.
//
// Every input is hostile: operands are bounds-checked, branches are counted, the stack and the
// nesting of entry values are capped; a damaged expression is an error, never a crash or a hang.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "unwinder/values/unavailable.hpp"

namespace corelens::values {

// How the unit that holds the expression encodes addresses and section offsets.
struct ExpressionFormat {
  std::uint8_t address_size = 8;  // DW_OP_addr
  std::uint8_t offset_size = 4;   // DW_OP_call_ref, DW_OP_implicit_pointer (DWARF 3 and later)
  std::uint16_t version = 5;      // DWARF 2 encodes DW_OP_implicit_pointer's reference as an address
};

struct DwarfOp {
  std::uint8_t code = 0;
  std::uint64_t a = 0, b = 0;        // operands, as the operation defines them
  std::span<const std::byte> block;  // DW_OP_implicit_value's bytes, DW_OP_entry_value's expression,
                                     // DW_OP_const_type's constant
  std::size_t offset = 0;            // of the operation in the expression: branch targets
  std::size_t next = 0;              // of the operation after it
};

// Decodes every operation; fails on an unknown opcode or an operand past the end.
expected<std::vector<DwarfOp>, std::string> decode_expression(std::span<const std::byte> bytes,
                                                                   const ExpressionFormat& format);

// Where (part of) a value is, as the expression describes it.
struct LocationPiece {
  enum class Kind {
    memory,            // at ADDRESS
    reg,               // in register REGNO
    value,             // a computed value (DW_OP_stack_value): VALUE
    implicit,          // its bytes (DW_OP_implicit_value): BYTES
    implicit_pointer,  // a pointer to the object of DIE (DW_OP_implicit_pointer), plus OFFSET
    optimized_out,     // a piece without a location
  };
  Kind kind = Kind::optimized_out;
  std::uint64_t address = 0;
  unsigned regno = 0;
  std::uint64_t value = 0;
  std::uint8_t value_size = 0;  // value: its size in bytes when typed (DW_OP_const_type ...), 0: generic
  std::vector<std::byte> bytes;
  std::uint64_t die = 0;      // implicit_pointer: a DIE offset in .debug_info
  std::int64_t offset = 0;    // implicit_pointer: bytes into that object
  // Pieces: how many bits of the value this piece provides (0: the whole value, no DW_OP_piece),
  // and at which bit of its place they start (DW_OP_bit_piece's offset).
  std::uint64_t size_bits = 0;
  std::uint64_t place_bit_offset = 0;
};

struct Location {
  std::vector<LocationPiece> pieces;  // in value order; one piece of size 0 for a whole value
  bool used_entry_value = false;      // the value depends on the caller's call site (gdb's x@entry)
};

// What the evaluator asks of the frame it evaluates in. Every answer may be "unavailable", with
// the reason that then becomes the variable's.
class ExpressionContext {
 public:
  virtual ~ExpressionContext() = default;
  // A register of this frame; register_not_recovered when the unwinder did not recover it.
  virtual Known<std::uint64_t> reg(unsigned regno) const = 0;
  virtual Known<std::uint64_t> read(std::uint64_t address, std::size_t size) const = 0;
  // DW_AT_frame_base of the function, evaluated (DW_OP_fbreg adds to it).
  virtual Known<std::uint64_t> frame_base() const = 0;
  // The canonical frame address by the module's CFI (DW_OP_call_frame_cfa).
  virtual Known<std::uint64_t> cfa() const = 0;
  // DW_OP_addr's link-time address, relocated to where the module was loaded.
  virtual std::uint64_t relocate(std::uint64_t address) const = 0;
  // DW_OP_addrx / DW_OP_constx: entry INDEX of the unit's .debug_addr table (link-time address).
  virtual Known<std::uint64_t> address_index(std::uint64_t index) const = 0;
  // DW_OP_entry_value: the value EXPRESSION (a register, or a register's deref) had on entry
  // to the function, from the caller's call site (DW_TAG_call_site_parameter's
  // DW_AT_call_value, evaluated in the caller's frame).
  virtual Known<std::uint64_t> entry_value(std::span<const std::byte> expression) const = 0;
  // DW_OP_GNU_parameter_ref: the value of the parameter (DIE offset) on entry, from the call site.
  // DW_OP_regval_type and friends: the size of the base type at DIE offset CU_OFFSET (relative
  // to the unit) and whether it is a signed integer or a float.
  struct BaseType {
    std::uint8_t size = 0;
    bool is_signed = false;
    bool is_float = false;
  };
  virtual Known<BaseType> base_type(std::uint64_t cu_offset) const {
    (void)cu_offset;
    return unavailable(value_error("typed DWARF operations need the unit's base types"));
  }
  virtual Known<std::uint64_t> parameter_ref(std::uint64_t die) const {
    (void)die;
    return unavailable(value_error("DW_OP_GNU_parameter_ref is not supported"));
  }
};

struct EvaluationLimits {
  std::size_t max_steps = 10000;  // operations executed (branches can loop)
  std::size_t max_stack = 256;
};

// Evaluates EXPRESSION. An empty expression is a value optimized out (a single piece of kind
// optimized_out). OBJECT_ADDRESS serves DW_OP_push_object_address.
Known<Location> evaluate_location(std::span<const std::byte> expression,
                                                       const ExpressionFormat& format,
                                                       const ExpressionContext& context,
                                                       std::optional<std::uint64_t> object_address = std::nullopt,
                                                       const EvaluationLimits& limits = {});

// Evaluates EXPRESSION as a computation whose result is the top of the stack (DW_AT_frame_base,
// DW_AT_call_value, DW_OP_entry_value's operand): a lone DW_OP_regN gives the register's value.
Known<std::uint64_t> evaluate_value(std::span<const std::byte> expression,
                                                         const ExpressionFormat& format,
                                                         const ExpressionContext& context,
                                                         const EvaluationLimits& limits = {});

// The name of an opcode ("DW_OP_breg7"), for errors.
std::string opcode_name(std::uint8_t code);

}  // namespace corelens::values
