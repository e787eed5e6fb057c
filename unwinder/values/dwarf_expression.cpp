#include "unwinder/values/dwarf_expression.hpp"

#include <dwarf.h>

#include <algorithm>
#include <cstring>

#include "core/model/strings.hpp"

namespace corelens::values {
namespace {

// One entry of the evaluation stack: a generic (address-sized) value, or a typed one.
struct Entry {
  std::uint64_t bits = 0;
  std::uint8_t size = 0;  // 0: generic
  bool is_signed = false;
  bool is_float = false;
};

// One operation that locates most variables and frame bases by far (DW_OP_fbreg N, DW_OP_bregN N,
// DW_OP_regN, DW_OP_call_frame_cfa) and nothing after it: such an expression is evaluated without
// decoding it into a vector and without a stack (measured: ~600 instructions an expression, 91,519
// variables and ~28,000 frame bases on the 1,000-thread benchmark core). Anything else, a longer
// operand included, goes through the decoder: nullopt.
struct LoneOperation {
  std::uint8_t code;
  std::uint64_t operand;
};
std::optional<LoneOperation> lone_operation(std::span<const std::byte> bytes) {
  auto code = std::to_integer<std::uint8_t>(bytes[0]);
  if ((code >= DW_OP_reg0 && code <= DW_OP_reg31) || code == DW_OP_call_frame_cfa) {
    if (bytes.size() != 1) return std::nullopt;
    return LoneOperation{code, 0};
  }
  if (code != DW_OP_fbreg && !(code >= DW_OP_breg0 && code <= DW_OP_breg31)) return std::nullopt;
  // The SLEB128 operand, nine bytes at most (63 bits: no shift reaches 64).
  std::uint64_t v = 0;
  for (std::size_t i = 1, shift = 0; i < bytes.size() && i <= 9; ++i, shift += 7) {
    auto b = std::to_integer<std::uint8_t>(bytes[i]);
    v |= std::uint64_t(b & 0x7f) << shift;
    if ((b & 0x80) != 0) continue;
    if (i + 1 != bytes.size()) return std::nullopt;
    if (b & 0x40) v |= ~std::uint64_t{0} << (shift + 7);
    return LoneOperation{code, v};
  }
  return std::nullopt;
}

class Machine {
 public:
  Machine(const ExpressionFormat& f, const ExpressionContext& ctx, std::optional<std::uint64_t> object,
          const EvaluationLimits& limits)
      : f_(f), ctx_(ctx), object_(object), limits_(limits) {
    mask_ = f.address_size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * f.address_size)) - 1;
  }

  Known<Location> run(std::span<const std::byte> bytes);
  Known<std::uint64_t> run_value(std::span<const std::byte> bytes);

 private:
  // LocationPiece of ONE, evaluated as step() would (the same values, the same errors).
  Known<LocationPiece> run_lone(LoneOperation one);
  Known<bool> step(const std::vector<DwarfOp>& ops, std::size_t& i);
  Unavailable bad(const std::string& what) const { return value_error(what); }
  bool push(std::uint64_t v) {
    if (stack_.size() >= limits_.max_stack) return false;
    stack_.push_back(Entry{v & mask_, 0, false, false});
    return true;
  }
  bool pop(Entry& out) {
    if (stack_.empty()) return false;
    out = stack_.back();
    stack_.pop_back();
    return true;
  }
  Known<Location> finish_pieces(std::vector<LocationPiece> pieces);
  Known<LocationPiece> take_simple();  // the simple location before a DW_OP_piece or the end

  const ExpressionFormat& f_;
  const ExpressionContext& ctx_;
  std::optional<std::uint64_t> object_;
  EvaluationLimits limits_;
  std::uint64_t mask_ = ~std::uint64_t{0};
  std::vector<Entry> stack_;
  std::optional<LocationPiece> pending_;  // a register, stack value or implicit location
  std::vector<LocationPiece> pieces_;
  bool entry_value_used_ = false;
  std::size_t steps_ = 0;
};

Known<LocationPiece> Machine::take_simple() {
  if (pending_) {
    LocationPiece p = std::move(*pending_);
    pending_.reset();
    stack_.clear();
    return p;
  }
  LocationPiece p;
  if (stack_.empty()) return p;  // an empty piece: optimized out
  p.kind = LocationPiece::Kind::memory;
  p.address = stack_.back().bits;
  stack_.clear();
  return p;
}

Known<bool> Machine::step(const std::vector<DwarfOp>& ops, std::size_t& i) {
  const DwarfOp& op = ops[i];
  const std::uint8_t code = op.code;
  ++i;
  auto need = [&](std::size_t n) { return stack_.size() >= n; };
  auto underflow = [&]() { return unavailable(bad(opcode_name(code) + " on a stack too small for it")); };
  auto overflow = [&]() { return unavailable(bad("DWARF expression stack over " + std::to_string(limits_.max_stack))); };
  if (pending_ && code != DW_OP_piece && code != DW_OP_bit_piece) {
    return unavailable(bad(opcode_name(code) + " after a register or value location that must end it"));
  }
  auto binary = [&](auto fn) -> Known<bool> {
    if (!need(2)) return underflow();
    Entry b = stack_.back();
    stack_.pop_back();
    Entry& a = stack_.back();
    if (a.is_float || b.is_float) return unavailable(bad("floating-point DWARF arithmetic is not supported"));
    auto r = fn(a.bits, b.bits);
    if (!r) return unavailable(bad(opcode_name(code) + " by zero"));
    a.bits = *r & (a.size ? (a.size >= 8 ? ~0ull : (1ull << (8 * a.size)) - 1) : mask_);
    return true;
  };
  auto to_signed = [&](std::uint64_t v) {
    // Generic values are address-sized: sign-extend from that width.
    unsigned bits = 8u * f_.address_size;
    if (bits < 64 && (v >> (bits - 1)) & 1) v |= ~std::uint64_t{0} << bits;
    return static_cast<std::int64_t>(v);
  };
  auto compare = [&](auto cmp) {
    return binary([&](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> {
      return cmp(to_signed(a), to_signed(b)) ? 1 : 0;
    });
  };
  auto known_push = [&](const Known<std::uint64_t>& v) -> Known<bool> {
    if (!v) return unavailable(v.error());
    if (!push(*v)) return overflow();
    return true;
  };
  auto jump = [&](std::int64_t delta) -> Known<bool> {
    std::int64_t target = static_cast<std::int64_t>(op.next) + delta;
    auto it = std::lower_bound(ops.begin(), ops.end(), target,
                               [](const DwarfOp& o, std::int64_t t) { return static_cast<std::int64_t>(o.offset) < t; });
    if (target == static_cast<std::int64_t>(ops.empty() ? 0 : ops.back().next)) {
      i = ops.size();
      return true;
    }
    if (it == ops.end() || static_cast<std::int64_t>(it->offset) != target) {
      return unavailable(bad(opcode_name(code) + " to an offset inside an operation"));
    }
    i = static_cast<std::size_t>(it - ops.begin());
    return true;
  };

  if (code >= DW_OP_lit0 && code <= DW_OP_lit31) return known_push(static_cast<std::uint64_t>(code - DW_OP_lit0));
  if (code >= DW_OP_reg0 && code <= DW_OP_reg31) {
    pending_ = LocationPiece{};
    pending_->kind = LocationPiece::Kind::reg;
    pending_->regno = code - DW_OP_reg0;
    return true;
  }
  if (code >= DW_OP_breg0 && code <= DW_OP_breg31) {
    auto r = ctx_.reg(code - DW_OP_breg0);
    if (!r) return unavailable(r.error());
    return known_push(*r + op.a);
  }
  switch (code) {
    case DW_OP_addr: return known_push(ctx_.relocate(op.a));
    case DW_OP_addrx:
    case DW_OP_GNU_addr_index: {
      auto a = ctx_.address_index(op.a);
      if (!a) return unavailable(a.error());
      return known_push(ctx_.relocate(*a));
    }
    case DW_OP_constx:
    case DW_OP_GNU_const_index: return known_push(ctx_.address_index(op.a));
    case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u: case DW_OP_const2s:
    case DW_OP_const4u: case DW_OP_const4s: case DW_OP_const8u: case DW_OP_const8s:
    case DW_OP_constu: case DW_OP_consts: return known_push(op.a);
    case DW_OP_regx:
      pending_ = LocationPiece{};
      pending_->kind = LocationPiece::Kind::reg;
      pending_->regno = static_cast<unsigned>(std::min<std::uint64_t>(op.a, 0xffffffffu));
      return true;
    case DW_OP_bregx: {
      if (op.a > 0xffffffffu) return unavailable(bad("DW_OP_bregx of register " + std::to_string(op.a)));
      auto r = ctx_.reg(static_cast<unsigned>(op.a));
      if (!r) return unavailable(r.error());
      return known_push(*r + op.b);
    }
    case DW_OP_fbreg: {
      auto fb = ctx_.frame_base();
      if (!fb) return unavailable(fb.error());
      return known_push(*fb + op.a);
    }
    case DW_OP_call_frame_cfa: return known_push(ctx_.cfa());
    case DW_OP_push_object_address:
      if (!object_) return unavailable(bad("DW_OP_push_object_address without an object"));
      return known_push(*object_);
    case DW_OP_dup:
      if (!need(1)) return underflow();
      if (stack_.size() >= limits_.max_stack) return overflow();
      stack_.push_back(stack_.back());
      return true;
    case DW_OP_drop:
      if (!need(1)) return underflow();
      stack_.pop_back();
      return true;
    case DW_OP_over:
      if (!need(2)) return underflow();
      if (stack_.size() >= limits_.max_stack) return overflow();
      stack_.push_back(stack_[stack_.size() - 2]);
      return true;
    case DW_OP_pick:
      if (op.a >= stack_.size()) return underflow();
      if (stack_.size() >= limits_.max_stack) return overflow();
      stack_.push_back(stack_[stack_.size() - 1 - op.a]);
      return true;
    case DW_OP_swap:
      if (!need(2)) return underflow();
      std::swap(stack_[stack_.size() - 1], stack_[stack_.size() - 2]);
      return true;
    case DW_OP_rot:
      if (!need(3)) return underflow();
      std::rotate(stack_.end() - 3, stack_.end() - 1, stack_.end());
      return true;
    case DW_OP_deref:
    case DW_OP_deref_size:
    case DW_OP_deref_type:
    case DW_OP_GNU_deref_type: {
      Entry addr;
      if (!pop(addr)) return underflow();
      std::size_t size = code == DW_OP_deref ? f_.address_size : static_cast<std::size_t>(op.a);
      if (size == 0 || size > 8) return unavailable(bad(opcode_name(code) + " of " + std::to_string(size) + " bytes"));
      auto v = ctx_.read(addr.bits, size);
      if (!v) return unavailable(v.error());
      Entry e{*v, 0, false, false};
      if (code == DW_OP_deref_type || code == DW_OP_GNU_deref_type) {
        auto t = ctx_.base_type(op.b);
        if (!t) return unavailable(t.error());
        e.size = static_cast<std::uint8_t>(size);
        e.is_signed = t->is_signed;
        e.is_float = t->is_float;
      }
      stack_.push_back(e);
      return true;
    }
    case DW_OP_abs:
      if (!need(1)) return underflow();
      if (to_signed(stack_.back().bits) < 0) stack_.back().bits = (0 - stack_.back().bits) & mask_;
      return true;
    case DW_OP_neg:
      if (!need(1)) return underflow();
      stack_.back().bits = (0 - stack_.back().bits) & mask_;
      return true;
    case DW_OP_not:
      if (!need(1)) return underflow();
      stack_.back().bits = ~stack_.back().bits & mask_;
      return true;
    case DW_OP_plus_uconst:
      if (!need(1)) return underflow();
      stack_.back().bits = (stack_.back().bits + op.a) & mask_;
      return true;
    case DW_OP_and: return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> { return a & b; });
    case DW_OP_or: return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> { return a | b; });
    case DW_OP_xor: return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> { return a ^ b; });
    case DW_OP_plus: return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> { return a + b; });
    case DW_OP_minus: return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> { return a - b; });
    case DW_OP_mul: return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> { return a * b; });
    case DW_OP_div:
      return binary([&](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> {
        std::int64_t sa = to_signed(a), sb = to_signed(b);
        if (sb == 0) return std::nullopt;
        if (sa == INT64_MIN && sb == -1) return a;  // overflows: wraps, as two's complement does
        return static_cast<std::uint64_t>(sa / sb);
      });
    case DW_OP_mod:
      return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> {
        if (b == 0) return std::nullopt;
        return a % b;
      });
    case DW_OP_shl:
      return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> { return b >= 64 ? 0 : a << b; });
    case DW_OP_shr:
      return binary([](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> { return b >= 64 ? 0 : a >> b; });
    case DW_OP_shra:
      return binary([&](std::uint64_t a, std::uint64_t b) -> std::optional<std::uint64_t> {
        std::int64_t s = to_signed(a);
        return static_cast<std::uint64_t>(b >= 63 ? (s < 0 ? -1 : 0) : s >> b);
      });
    case DW_OP_eq: return compare([](std::int64_t a, std::int64_t b) { return a == b; });
    case DW_OP_ne: return compare([](std::int64_t a, std::int64_t b) { return a != b; });
    case DW_OP_lt: return compare([](std::int64_t a, std::int64_t b) { return a < b; });
    case DW_OP_le: return compare([](std::int64_t a, std::int64_t b) { return a <= b; });
    case DW_OP_gt: return compare([](std::int64_t a, std::int64_t b) { return a > b; });
    case DW_OP_ge: return compare([](std::int64_t a, std::int64_t b) { return a >= b; });
    case DW_OP_skip: return jump(static_cast<std::int64_t>(op.a));
    case DW_OP_bra: {
      Entry cond;
      if (!pop(cond)) return underflow();
      if (cond.bits != 0) return jump(static_cast<std::int64_t>(op.a));
      return true;
    }
    case DW_OP_nop:
    case DW_OP_GNU_uninit: return true;
    case DW_OP_stack_value: {
      if (!need(1)) return underflow();
      LocationPiece p;
      p.kind = LocationPiece::Kind::value;
      p.value = stack_.back().bits;
      p.value_size = stack_.back().size;
      pending_ = std::move(p);
      return true;
    }
    case DW_OP_implicit_value: {
      LocationPiece p;
      p.kind = LocationPiece::Kind::implicit;
      p.bytes.assign(op.block.begin(), op.block.end());
      pending_ = std::move(p);
      return true;
    }
    case DW_OP_implicit_pointer:
    case DW_OP_GNU_implicit_pointer: {
      LocationPiece p;
      p.kind = LocationPiece::Kind::implicit_pointer;
      p.die = op.a;
      p.offset = static_cast<std::int64_t>(op.b);
      pending_ = std::move(p);
      return true;
    }
    case DW_OP_entry_value:
    case DW_OP_GNU_entry_value: {
      entry_value_used_ = true;
      return known_push(ctx_.entry_value(op.block));
    }
    case DW_OP_GNU_parameter_ref:
      entry_value_used_ = true;
      return known_push(ctx_.parameter_ref(op.a));
    case DW_OP_const_type:
    case DW_OP_GNU_const_type: {
      auto t = ctx_.base_type(op.a);
      if (!t) return unavailable(t.error());
      if (op.block.size() > 8) return unavailable(bad("a typed constant of " + std::to_string(op.block.size()) + " bytes"));
      Entry e{0, static_cast<std::uint8_t>(op.block.size()), t->is_signed, t->is_float};
      for (std::size_t k = 0; k < op.block.size(); ++k) e.bits |= std::uint64_t(std::to_integer<std::uint8_t>(op.block[k])) << (8 * k);
      if (stack_.size() >= limits_.max_stack) return overflow();
      stack_.push_back(e);
      return true;
    }
    case DW_OP_regval_type:
    case DW_OP_GNU_regval_type: {
      if (op.a > 0xffffffffu) return unavailable(bad("register " + std::to_string(op.a)));
      auto t = ctx_.base_type(op.b);
      if (!t) return unavailable(t.error());
      auto r = ctx_.reg(static_cast<unsigned>(op.a));
      if (!r) return unavailable(r.error());
      if (stack_.size() >= limits_.max_stack) return overflow();
      std::uint64_t bits = *r;
      if (t->size > 0 && t->size < 8) bits &= (std::uint64_t{1} << (8 * t->size)) - 1;
      stack_.push_back(Entry{bits, t->size, t->is_signed, t->is_float});
      return true;
    }
    case DW_OP_convert:
    case DW_OP_GNU_convert:
    case DW_OP_reinterpret:
    case DW_OP_GNU_reinterpret: {
      if (!need(1)) return underflow();
      Entry& e = stack_.back();
      if (op.a == 0) {  // to the generic type
        if (e.is_float && code != DW_OP_reinterpret && code != DW_OP_GNU_reinterpret) {
          return unavailable(bad("a floating-point DW_OP_convert is not supported"));
        }
        e = Entry{e.bits & mask_, 0, false, false};
        return true;
      }
      auto t = ctx_.base_type(op.a);
      if (!t) return unavailable(t.error());
      bool reinterpret = code == DW_OP_reinterpret || code == DW_OP_GNU_reinterpret;
      if (!reinterpret && (t->is_float != e.is_float)) {
        return unavailable(bad("a DW_OP_convert between integers and floats is not supported"));
      }
      if (!reinterpret && e.is_signed && e.size > 0 && e.size < 8 && ((e.bits >> (8 * e.size - 1)) & 1)) {
        e.bits |= ~std::uint64_t{0} << (8 * e.size);  // widen a signed value
      }
      if (t->size > 0 && t->size < 8) e.bits &= (std::uint64_t{1} << (8 * t->size)) - 1;
      e.size = t->size;
      e.is_signed = t->is_signed;
      e.is_float = t->is_float;
      return true;
    }
    case DW_OP_piece:
    case DW_OP_bit_piece: {
      auto simple = take_simple();
      if (!simple) return unavailable(simple.error());
      LocationPiece p = std::move(*simple);
      p.size_bits = code == DW_OP_piece ? op.a * 8 : op.a;
      if (code == DW_OP_piece && op.a > (std::uint64_t{1} << 32)) return unavailable(bad("a DW_OP_piece of " + hex(op.a) + " bytes"));
      p.place_bit_offset = code == DW_OP_bit_piece ? op.b : 0;
      if (p.size_bits == 0) return unavailable(bad("a piece of zero bits"));
      if (pieces_.size() >= 4096) return unavailable(bad("more than 4096 pieces"));
      pieces_.push_back(std::move(p));
      return true;
    }
    case DW_OP_form_tls_address:
    case DW_OP_GNU_push_tls_address:
      return unavailable(bad("thread-local variables are not supported"));
    default:
      return unavailable(bad(opcode_name(code) + " is not supported"));
  }
}

Known<LocationPiece> Machine::run_lone(LoneOperation one) {
  LocationPiece p;
  if (one.code >= DW_OP_reg0 && one.code <= DW_OP_reg31) {
    p.kind = LocationPiece::Kind::reg;
    p.regno = one.code - DW_OP_reg0;
    return p;
  }
  Known<std::uint64_t> base = one.code == DW_OP_fbreg           ? ctx_.frame_base()
                              : one.code == DW_OP_call_frame_cfa ? ctx_.cfa()
                                                                 : ctx_.reg(one.code - DW_OP_breg0);
  if (!base) return unavailable(base.error());
  p.kind = LocationPiece::Kind::memory;
  p.address = (*base + one.operand) & mask_;
  return p;
}

Known<Location> Machine::run(std::span<const std::byte> bytes) {
  Location out;
  if (bytes.empty()) {
    out.pieces.push_back(LocationPiece{});
    return out;
  }
  if (auto one = lone_operation(bytes); one && limits_.max_steps >= 1 && limits_.max_stack >= 1) {
    ++steps_;
    auto piece = run_lone(*one);
    if (!piece) return unavailable(piece.error());
    out.pieces.push_back(std::move(*piece));
    return out;
  }
  auto ops = decode_expression(bytes, f_);
  if (!ops) return unavailable(bad(ops.error()));
  for (std::size_t i = 0; i < ops->size();) {
    if (++steps_ > limits_.max_steps) return unavailable(bad("DWARF expression runs past " + std::to_string(limits_.max_steps) + " steps"));
    auto r = step(*ops, i);
    if (!r) return unavailable(r.error());
  }
  if (!pieces_.empty()) {
    // Anything after the last piece is malformed; gdb ignores it, and so do we.
    out.pieces = std::move(pieces_);
  } else {
    if (!pending_ && stack_.empty()) return unavailable(bad("the DWARF expression leaves nothing on its stack"));
    auto simple = take_simple();
    if (!simple) return unavailable(simple.error());
    out.pieces.push_back(std::move(*simple));
  }
  out.used_entry_value = entry_value_used_;
  return out;
}

Known<std::uint64_t> Machine::run_value(std::span<const std::byte> bytes) {
  auto loc = run(bytes);
  if (!loc) return unavailable(loc.error());
  if (loc->pieces.size() != 1) return unavailable(bad("a value made of pieces where one value is needed"));
  const LocationPiece& p = loc->pieces.front();
  switch (p.kind) {
    case LocationPiece::Kind::memory: return p.address;  // a computation's result
    case LocationPiece::Kind::value: return p.value;
    case LocationPiece::Kind::reg: return ctx_.reg(p.regno);
    case LocationPiece::Kind::implicit: {
      std::uint64_t v = 0;
      for (std::size_t k = 0; k < p.bytes.size() && k < 8; ++k) v |= std::uint64_t(std::to_integer<std::uint8_t>(p.bytes[k])) << (8 * k);
      return v;
    }
    case LocationPiece::Kind::optimized_out: return unavailable(optimized_out());
    case LocationPiece::Kind::implicit_pointer: break;
  }
  return unavailable(bad("an implicit pointer where a value is needed"));
}

}  // namespace

Known<Location> evaluate_location(std::span<const std::byte> expression, const ExpressionFormat& format,
                                  const ExpressionContext& context, std::optional<std::uint64_t> object_address,
                                  const EvaluationLimits& limits) {
  Machine m(format, context, object_address, limits);
  return m.run(expression);
}

Known<std::uint64_t> evaluate_value(std::span<const std::byte> expression, const ExpressionFormat& format,
                                    const ExpressionContext& context, const EvaluationLimits& limits) {
  Machine m(format, context, std::nullopt, limits);
  return m.run_value(expression);
}

}  // namespace corelens::values
