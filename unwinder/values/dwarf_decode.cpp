// Decoding DWARF expressions: each operation and its operands, bounds-checked (the evaluator is
// dwarf_expression.cpp).
#include <dwarf.h>

#include "core/model/strings.hpp"
#include "unwinder/values/dwarf_expression.hpp"

namespace corelens::values {
namespace {

// A bounds-checked cursor over an expression: every read says whether it fit.
class Cursor {
 public:
  explicit Cursor(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::size_t pos() const { return pos_; }
  bool done() const { return pos_ >= bytes_.size(); }

  bool u8(std::uint64_t& out) { return fixed(1, out); }
  bool fixed(std::size_t size, std::uint64_t& out) {
    if (size > 8 || bytes_.size() - pos_ < size) return false;
    out = 0;
    for (std::size_t i = 0; i < size; ++i) out |= std::uint64_t(std::to_integer<std::uint8_t>(bytes_[pos_ + i])) << (8 * i);
    pos_ += size;
    return true;
  }
  bool fixed_signed(std::size_t size, std::uint64_t& out) {
    if (!fixed(size, out)) return false;
    if (size < 8 && (out >> (size * 8 - 1)) & 1) out |= ~std::uint64_t{0} << (size * 8);
    return true;
  }
  bool uleb(std::uint64_t& out) {
    out = 0;
    for (unsigned shift = 0; pos_ < bytes_.size(); shift += 7) {
      auto b = std::to_integer<std::uint8_t>(bytes_[pos_++]);
      if (shift < 64) out |= std::uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
      if (shift > 70) return false;  // no real value needs more than ten bytes
    }
    return false;
  }
  bool sleb(std::uint64_t& out) {
    out = 0;
    unsigned shift = 0;
    for (; pos_ < bytes_.size(); shift += 7) {
      auto b = std::to_integer<std::uint8_t>(bytes_[pos_++]);
      if (shift < 64) out |= std::uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (shift + 7 < 64 && (b & 0x40)) out |= ~std::uint64_t{0} << (shift + 7);
        return true;
      }
      if (shift > 70) return false;
    }
    return false;
  }
  bool block(std::uint64_t size, std::span<const std::byte>& out) {
    if (size > bytes_.size() - pos_) return false;
    out = bytes_.subspan(pos_, size);
    pos_ += size;
    return true;
  }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
};

// Reads the operands of CODE into OP; false when they do not fit or the opcode is unknown.
bool decode_operands(std::uint8_t code, Cursor& c, const ExpressionFormat& f, DwarfOp& op) {
  std::uint64_t n = 0;
  if ((code >= DW_OP_lit0 && code <= DW_OP_lit31) || (code >= DW_OP_reg0 && code <= DW_OP_reg31)) return true;
  if (code >= DW_OP_breg0 && code <= DW_OP_breg31) return c.sleb(op.a);
  switch (code) {
    case DW_OP_addr: return c.fixed(f.address_size, op.a);
    case DW_OP_const1u: return c.fixed(1, op.a);
    case DW_OP_const1s: return c.fixed_signed(1, op.a);
    case DW_OP_const2u: return c.fixed(2, op.a);
    case DW_OP_const2s: return c.fixed_signed(2, op.a);
    case DW_OP_const4u: return c.fixed(4, op.a);
    case DW_OP_const4s: return c.fixed_signed(4, op.a);
    case DW_OP_const8u:
    case DW_OP_const8s: return c.fixed(8, op.a);
    case DW_OP_constu:
    case DW_OP_plus_uconst:
    case DW_OP_regx:
    case DW_OP_piece:
    case DW_OP_addrx:
    case DW_OP_constx:
    case DW_OP_GNU_addr_index:
    case DW_OP_GNU_const_index:
    case DW_OP_convert:
    case DW_OP_GNU_convert:
    case DW_OP_reinterpret:
    case DW_OP_GNU_reinterpret: return c.uleb(op.a);
    case DW_OP_consts:
    case DW_OP_fbreg: return c.sleb(op.a);
    case DW_OP_bregx: return c.uleb(op.a) && c.sleb(op.b);
    case DW_OP_pick:
    case DW_OP_deref_size:
    case DW_OP_xderef_size: return c.u8(op.a);
    case DW_OP_skip:
    case DW_OP_bra: return c.fixed_signed(2, op.a);
    case DW_OP_call2: return c.fixed(2, op.a);
    case DW_OP_call4:
    case DW_OP_GNU_parameter_ref: return c.fixed(4, op.a);
    case DW_OP_call_ref:
    case DW_OP_GNU_variable_value: return c.fixed(f.offset_size, op.a);
    case DW_OP_bit_piece: return c.uleb(op.a) && c.uleb(op.b);
    case DW_OP_implicit_value: return c.uleb(n) && c.block(n, op.block);
    case DW_OP_implicit_pointer:
    case DW_OP_GNU_implicit_pointer:
      return c.fixed(f.version <= 2 ? f.address_size : f.offset_size, op.a) && c.sleb(op.b);
    case DW_OP_entry_value:
    case DW_OP_GNU_entry_value: return c.uleb(n) && c.block(n, op.block);
    case DW_OP_const_type:
    case DW_OP_GNU_const_type: return c.uleb(op.a) && c.u8(n) && c.block(n, op.block);
    case DW_OP_regval_type:
    case DW_OP_GNU_regval_type: return c.uleb(op.a) && c.uleb(op.b);
    case DW_OP_deref_type:
    case DW_OP_GNU_deref_type:
    case DW_OP_xderef_type: return c.u8(op.a) && c.uleb(op.b);
    case DW_OP_deref:
    case DW_OP_dup:
    case DW_OP_drop:
    case DW_OP_over:
    case DW_OP_swap:
    case DW_OP_rot:
    case DW_OP_xderef:
    case DW_OP_abs:
    case DW_OP_and:
    case DW_OP_div:
    case DW_OP_minus:
    case DW_OP_mod:
    case DW_OP_mul:
    case DW_OP_neg:
    case DW_OP_not:
    case DW_OP_or:
    case DW_OP_plus:
    case DW_OP_shl:
    case DW_OP_shr:
    case DW_OP_shra:
    case DW_OP_xor:
    case DW_OP_eq:
    case DW_OP_ge:
    case DW_OP_gt:
    case DW_OP_le:
    case DW_OP_lt:
    case DW_OP_ne:
    case DW_OP_nop:
    case DW_OP_push_object_address:
    case DW_OP_form_tls_address:
    case DW_OP_GNU_push_tls_address:
    case DW_OP_call_frame_cfa:
    case DW_OP_stack_value:
    case DW_OP_GNU_uninit: return true;
    default: return false;  // DW_OP_GNU_encoded_addr and vendor operations we do not know
  }
}

}  // namespace

expected<std::vector<DwarfOp>, std::string> decode_expression(std::span<const std::byte> bytes,
                                                              const ExpressionFormat& format) {
  if (format.address_size != 4 && format.address_size != 8) {
    return unexpected<std::string>("address size " + std::to_string(format.address_size));
  }
  if (format.offset_size != 4 && format.offset_size != 8) {
    return unexpected<std::string>("offset size " + std::to_string(format.offset_size));
  }
  std::vector<DwarfOp> ops;
  Cursor c(bytes);
  while (!c.done()) {
    DwarfOp op;
    op.offset = c.pos();
    std::uint64_t code = 0;
    c.u8(code);
    op.code = static_cast<std::uint8_t>(code);
    if (!decode_operands(op.code, c, format, op)) {
      return unexpected<std::string>(opcode_name(op.code) + " at offset " + std::to_string(op.offset) +
                                     " is unknown or runs past the end of the expression");
    }
    op.next = c.pos();
    ops.push_back(op);
  }
  return ops;
}

std::string opcode_name(std::uint8_t code) {
  if (code >= DW_OP_lit0 && code <= DW_OP_lit31) return "DW_OP_lit" + std::to_string(code - DW_OP_lit0);
  if (code >= DW_OP_reg0 && code <= DW_OP_reg31) return "DW_OP_reg" + std::to_string(code - DW_OP_reg0);
  if (code >= DW_OP_breg0 && code <= DW_OP_breg31) return "DW_OP_breg" + std::to_string(code - DW_OP_breg0);
  switch (code) {
    case DW_OP_addr: return "DW_OP_addr";
    case DW_OP_deref: return "DW_OP_deref";
    case DW_OP_deref_size: return "DW_OP_deref_size";
    case DW_OP_deref_type: return "DW_OP_deref_type";
    case DW_OP_GNU_deref_type: return "DW_OP_GNU_deref_type";
    case DW_OP_xderef: return "DW_OP_xderef";
    case DW_OP_xderef_size: return "DW_OP_xderef_size";
    case DW_OP_xderef_type: return "DW_OP_xderef_type";
    case DW_OP_fbreg: return "DW_OP_fbreg";
    case DW_OP_regx: return "DW_OP_regx";
    case DW_OP_bregx: return "DW_OP_bregx";
    case DW_OP_piece: return "DW_OP_piece";
    case DW_OP_bit_piece: return "DW_OP_bit_piece";
    case DW_OP_call2: return "DW_OP_call2";
    case DW_OP_call4: return "DW_OP_call4";
    case DW_OP_call_ref: return "DW_OP_call_ref";
    case DW_OP_call_frame_cfa: return "DW_OP_call_frame_cfa";
    case DW_OP_stack_value: return "DW_OP_stack_value";
    case DW_OP_implicit_value: return "DW_OP_implicit_value";
    case DW_OP_implicit_pointer: return "DW_OP_implicit_pointer";
    case DW_OP_GNU_implicit_pointer: return "DW_OP_GNU_implicit_pointer";
    case DW_OP_entry_value: return "DW_OP_entry_value";
    case DW_OP_GNU_entry_value: return "DW_OP_GNU_entry_value";
    case DW_OP_form_tls_address: return "DW_OP_form_tls_address";
    case DW_OP_GNU_push_tls_address: return "DW_OP_GNU_push_tls_address";
    case DW_OP_GNU_encoded_addr: return "DW_OP_GNU_encoded_addr";
    case DW_OP_GNU_variable_value: return "DW_OP_GNU_variable_value";
    case DW_OP_bra: return "DW_OP_bra";
    case DW_OP_skip: return "DW_OP_skip";
    case DW_OP_div: return "DW_OP_div";
    case DW_OP_mod: return "DW_OP_mod";
    case DW_OP_pick: return "DW_OP_pick";
    default: return "DW_OP_" + hex(code);
  }
}

}  // namespace corelens::values
