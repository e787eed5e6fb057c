// Evaluating an expression's tree against a frame's scope: C's rules for the operators it has,
// gdb's words for what goes wrong.
#include <algorithm>
#include <limits>
#include <sstream>
#include <vector>

#include "unwinder/values/expression_tree.hpp"
#include "unwinder/values/printers.hpp"

namespace corelens::values {
namespace {

constexpr int kMaxDepth = 128;

Unavailable error(const std::string& what) { return value_error(what); }

struct Integer {
  std::uint64_t bits = 0;
  bool is_signed = true;
  std::uint64_t size = 8;
  bool is_pointer = false;
  TypeId pointee = kVoid;
};

class Evaluator {
 public:
  Evaluator(ExpressionScope& scope, TypeTable& types, const ValueMemory& memory, const FormatOptions& options)
      : scope_(scope), types_(types), memory_(memory), options_(options), members_(types, memory, options) {}

  Known<Value> eval(const Node& n, int depth);

 private:
  const Type& real(TypeId id) { return types_.complete(types_.definition(strip_typedefs(types_, id))); }
  std::string name_of(TypeId id) { return type_name(types_, id); }

  // Values used as values: references followed, arrays decayed where C decays them.
  Known<Value> referent(Value v) {
    if (is_reference(real(v.type).kind)) return dereference(types_, memory_, v, options_);
    return v;
  }

  Known<Integer> integer(const Value& v) {
    const Type& t = real(v.type);
    Integer out;
    if (t.kind == TypeKind::pointer) {
      out.is_pointer = true;
      out.is_signed = false;
      out.pointee = t.target;
    } else if (t.kind == TypeKind::array) {
      if (!v.address) return unavailable(error("Attempt to take address of value not located in memory."));
      out.bits = *v.address;
      out.is_pointer = true;
      out.is_signed = false;
      out.pointee = t.target;
      return out;
    } else if (t.kind == TypeKind::base && t.encoding != Encoding::floating && t.encoding != Encoding::complex_float) {
      out.is_signed = t.encoding == Encoding::signed_int || t.encoding == Encoding::signed_char;
    } else if (t.kind == TypeKind::enumeration) {
      out.is_signed = t.enum_signed;
    } else {
      return unavailable(error("Argument to arithmetic operation not a number or boolean."));
    }
    auto bits = value_unsigned(types_, memory_, v, options_);
    if (!bits) return unavailable(bits.error());
    out.size = v.bit_size ? 8 : type_size(types_, v.type).value_or(8);
    out.bits = *bits;
    if (out.is_signed && out.size < 8) {
      std::uint64_t sign = std::uint64_t{1} << (8 * out.size - 1);
      if (out.bits & sign) out.bits |= ~std::uint64_t{0} << (8 * out.size);
    }
    return out;
  }

  Value make_integer(std::uint64_t bits, Encoding enc, std::uint64_t size, const std::string& name) {
    Value v;
    v.type = types_.basic(enc, size, name);
    v.location = "computed";
    v.bytes.resize(size);
    for (std::uint64_t i = 0; i < size && i < 8; ++i) {
      v.bytes[options_.byte_order == std::endian::big ? size - 1 - i : i] = static_cast<std::byte>(bits >> (8 * i));
    }
    return v;
  }
  Value make_int(std::int64_t v) { return make_integer(static_cast<std::uint64_t>(v), Encoding::signed_int, 4, "int"); }
  Value make_long(std::uint64_t v, bool is_signed) {
    return make_integer(v, is_signed ? Encoding::signed_int : Encoding::unsigned_int, options_.pointer_size,
                        is_signed ? "long" : "unsigned long");
  }
  Value make_pointer(std::uint64_t address, TypeId pointee) {
    Value v = make_integer(address, Encoding::unsigned_int, options_.pointer_size, "unsigned long");
    v.type = types_.derived(TypeKind::pointer, pointee);
    return v;
  }

  Known<TypeId> resolve_type(const std::string& spelled);
  Known<Value> member(const Value& base, const std::string& name);
  Known<Value> binary(const std::string& op, const Value& a, const Value& b);
  Known<Value> cast(const Value& v, TypeId to);

  ExpressionScope& scope_;
  TypeTable& types_;
  const ValueMemory& memory_;
  const FormatOptions& options_;
  PrinterContext members_;
};

Known<TypeId> Evaluator::resolve_type(const std::string& spelled) {
  std::istringstream in(spelled);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  int pointers = 0;
  bool reference = false;
  while (!words.empty() && (words.back().find_first_not_of('*') == std::string::npos || words.back() == "&")) {
    if (words.back() == "&") reference = true;
    else pointers += static_cast<int>(words.back().size());
    words.pop_back();
  }
  std::erase_if(words, [](const std::string& w) { return w == "const" || w == "volatile"; });
  int longs = 0;
  bool is_unsigned = false, is_signed = false, is_char = false, is_short = false, is_int = false, is_float = false,
       is_double = false, is_void = false, is_bool = false;
  std::vector<std::string> rest;
  for (const auto& w : words) {
    if (w == "long") ++longs;
    else if (w == "unsigned") is_unsigned = true;
    else if (w == "signed") is_signed = true;
    else if (w == "char") is_char = true;
    else if (w == "short") is_short = true;
    else if (w == "int") is_int = true;
    else if (w == "float") is_float = true;
    else if (w == "double") is_double = true;
    else if (w == "void") is_void = true;
    else if (w == "bool" || w == "_Bool") is_bool = true;
    else rest.push_back(w);
  }
  TypeId base = kVoid;
  bool keyword = longs || is_unsigned || is_signed || is_char || is_short || is_int || is_float || is_double || is_void || is_bool;
  if (keyword && !rest.empty()) return unavailable(error("A syntax error in type `" + spelled + "'."));
  if (!keyword) {
    std::string name;
    for (const auto& w : rest) {
      if (w == "struct" || w == "union" || w == "enum" || w == "class") continue;
      name += name.empty() ? w : " " + w;
    }
    auto t = scope_.type_named(name);
    if (!t) return unavailable(error("No symbol \"" + name + "\" in current context."));
    base = *t;
  } else if (is_void) {
    base = kVoid;
  } else if (is_bool) {
    base = types_.basic(Encoding::boolean, 1, "bool");
  } else if (is_float || is_double) {
    std::uint64_t size = is_float ? 4 : longs ? 16 : 8;
    base = types_.basic(Encoding::floating, size, is_float ? "float" : longs ? "long double" : "double");
  } else {
    std::uint64_t size = is_char ? 1 : is_short ? 2 : longs >= 2 ? 8 : longs == 1 ? options_.pointer_size : 4;
    std::string name = std::string(is_unsigned ? "unsigned " : is_signed && is_char ? "signed " : "") +
                       (is_char ? "char" : is_short ? "short" : longs >= 2 ? "long long" : longs ? "long" : "int");
    Encoding enc = is_char ? (is_unsigned ? Encoding::unsigned_char : Encoding::signed_char)
                           : (is_unsigned ? Encoding::unsigned_int : Encoding::signed_int);
    base = types_.basic(enc, size, name);
  }
  for (int i = 0; i < pointers && i < 16; ++i) base = types_.derived(TypeKind::pointer, base);
  if (reference) base = types_.derived(TypeKind::reference, base);
  return base;
}

Known<Value> Evaluator::member(const Value& base, const std::string& name) {
  const Type& t = real(base.type);
  if (!is_aggregate(t.kind)) {
    return unavailable(error("Attempt to extract a component of a value that is not a structure."));
  }
  const bool cxx = t.language == Language::cxx;
  auto m = members_.member(base, name);
  // gdb's words differ by language: a C++ class may have a method of that name.
  if (!m) {
    return unavailable(error(std::string(cxx ? "There is no member or method named " : "There is no member named ") +
                             name + "."));
  }
  return *m;
}

Known<Value> Evaluator::cast(const Value& v, TypeId to) {
  const Type& target = real(to);
  if (is_aggregate(target.kind) || target.kind == TypeKind::array) {
    if (!v.address) return unavailable(error("Invalid cast."));
    return Value::in_memory(to, *v.address);
  }
  if (target.kind == TypeKind::void_type) return Value::missing(to, error("void"));
  if (target.kind == TypeKind::base && (target.encoding == Encoding::floating || target.encoding == Encoding::complex_float)) {
    const Type& source = real(v.type);
    if (source.kind == TypeKind::base && source.encoding == target.encoding && source.size == target.size) {
      Value out = v;
      out.type = to;
      return out;
    }
    return unavailable(error("Casts to floating-point types are not supported."));
  }
  auto i = integer(v);
  if (!i) return unavailable(i.error());
  auto size = type_size(types_, to).value_or(options_.pointer_size);
  if (size > 8) return unavailable(error("Invalid cast."));
  Value out = make_integer(i->bits, Encoding::unsigned_int, size, "unsigned long");
  out.type = to;
  return out;
}

Known<Value> Evaluator::binary(const std::string& op, const Value& av, const Value& bv) {
  auto a = integer(av);
  if (!a) return unavailable(a.error());
  auto b = integer(bv);
  if (!b) return unavailable(b.error());
  if (op == "&&") return make_int(a->bits != 0 && b->bits != 0);
  if (op == "||") return make_int(a->bits != 0 || b->bits != 0);
  // Pointer arithmetic, in elements.
  if ((op == "+" || op == "-") && a->is_pointer && !b->is_pointer) {
    auto size = type_size(types_, a->pointee).value_or(1);
    std::uint64_t delta = b->bits * size;
    return make_pointer(op == "+" ? a->bits + delta : a->bits - delta, a->pointee);
  }
  if (op == "+" && b->is_pointer && !a->is_pointer) {
    auto size = type_size(types_, b->pointee).value_or(1);
    return make_pointer(b->bits + a->bits * size, b->pointee);
  }
  if (op == "-" && a->is_pointer && b->is_pointer) {
    auto size = type_size(types_, a->pointee).value_or(1);
    if (size == 0) size = 1;
    return make_long(static_cast<std::uint64_t>(static_cast<std::int64_t>(a->bits - b->bits) / static_cast<std::int64_t>(size)), true);
  }
  // The usual arithmetic conversions, reduced to: 8-byte operands if either is; unsigned if
  // an operand of the widest size is.
  std::uint64_t size = std::max<std::uint64_t>({a->size, b->size, 4});
  bool is_signed = !((a->size == size && !a->is_signed) || (b->size == size && !b->is_signed));
  if (a->is_pointer || b->is_pointer) is_signed = false;
  std::uint64_t mask = size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
  std::uint64_t x = a->bits & mask, y = b->bits & mask;
  auto sx = [&](std::uint64_t v) {
    return size >= 8 ? static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v << (64 - 8 * size)) >> (64 - 8 * size);
  };
  auto compare = [&](auto cmp) { return make_int(is_signed ? cmp(sx(x), sx(y)) : cmp(x, y)); };
  if (op == "==") return compare([](auto p, auto q) { return p == q; });
  if (op == "!=") return compare([](auto p, auto q) { return p != q; });
  if (op == "<") return compare([](auto p, auto q) { return p < q; });
  if (op == ">") return compare([](auto p, auto q) { return p > q; });
  if (op == "<=") return compare([](auto p, auto q) { return p <= q; });
  if (op == ">=") return compare([](auto p, auto q) { return p >= q; });
  std::uint64_t r = 0;
  if (op == "+") r = x + y;
  else if (op == "-") r = x - y;
  else if (op == "*") r = x * y;
  else if (op == "<<") r = y >= 64 ? 0 : x << y;
  else if (op == ">>") r = y >= 64 ? 0 : (is_signed ? static_cast<std::uint64_t>(sx(x) >> std::min<std::uint64_t>(y, 63)) : x >> y);
  else if (op == "/" || op == "%") {
    if (y == 0) return unavailable(error("Division by zero"));
    if (is_signed) {
      std::int64_t p = sx(x), q = sx(y);
      if (p == std::numeric_limits<std::int64_t>::min() && q == -1) r = op == "/" ? x : 0;
      else r = static_cast<std::uint64_t>(op == "/" ? p / q : p % q);
    } else {
      r = op == "/" ? x / y : x % y;
    }
  } else {
    return unavailable(error("Unknown operator " + op + "."));
  }
  if (size > 4) return make_long(r & mask, is_signed);
  return make_integer(r & mask, is_signed ? Encoding::signed_int : Encoding::unsigned_int, 4, is_signed ? "int" : "unsigned int");
}

Known<Value> Evaluator::eval(const Node& n, int depth) {
  if (depth > kMaxDepth) return unavailable(error("Expression nested too deeply."));
  auto sub = [&](const std::unique_ptr<Node>& c) -> Known<Value> {
    if (!c) return unavailable(error("A syntax error in expression."));
    auto v = eval(*c, depth + 1);
    if (!v) return v;
    if (v->unavailable) return unavailable(*v->unavailable);
    return referent(*v);
  };
  switch (n.kind) {
    case Node::name: return scope_.variable(n.text);
    case Node::number:
      if (!n.is_unsigned && !n.is_long && n.value <= 0x7fffffffu) return make_int(static_cast<std::int64_t>(n.value));
      return make_long(n.value, !n.is_unsigned && n.value <= 0x7fffffffffffffffull);
    case Node::character: return make_integer(n.value, Encoding::signed_char, 1, "char");
    case Node::member:
    case Node::arrow: {
      auto base = sub(n.a);
      if (!base) return base;
      Value b = *base;
      if (n.kind == Node::arrow) {
        if (real(b.type).kind != TypeKind::pointer) {
          return unavailable(error("The -> operator needs a pointer; " + name_of(b.type) + " is not one."));
        }
        auto target = dereference(types_, memory_, b, options_);
        if (!target) return target;
        b = *target;
      }
      return member(b, n.text);
    }
    case Node::index: {
      auto base = sub(n.a);
      if (!base) return base;
      auto idx = sub(n.b);
      if (!idx) return idx;
      auto i = integer(*idx);
      if (!i) return unavailable(i.error());
      const Type& t = real(base->type);
      if (t.kind == TypeKind::array) {
        auto esize = type_size(types_, t.target);
        if (!esize) return unavailable(error("An array of elements of unknown size."));
        if (base->address) return Value::in_memory(t.target, *base->address + i->bits * *esize);
        return sub_value(*base, t.target, i->bits * *esize * 8, 0, *esize);
      }
      if (t.kind == TypeKind::pointer) {
        auto esize = type_size(types_, t.target);
        if (!esize) return unavailable(error("Cannot perform pointer math on incomplete type \"" + name_of(t.target) + "\"."));
        auto p = value_unsigned(types_, memory_, *base, options_);
        if (!p) return unavailable(p.error());
        return Value::in_memory(t.target, *p + i->bits * *esize);
      }
      return unavailable(error("cannot subscript something of type `" + name_of(base->type) + "'"));
    }
    case Node::deref: {
      auto base = sub(n.a);
      if (!base) return base;
      const Type& t = real(base->type);
      if (t.kind == TypeKind::array) {
        if (!base->address) return unavailable(error("Attempt to take contents of a non-pointer value."));
        return Value::in_memory(t.target, *base->address);
      }
      if (t.kind != TypeKind::pointer) return unavailable(error("Attempt to take contents of a non-pointer value."));
      if (real(t.target).kind == TypeKind::void_type) return unavailable(error("Attempt to take contents of a non-pointer value."));
      return dereference(types_, memory_, *base, options_);
    }
    case Node::address: {
      if (!n.a) return unavailable(error("A syntax error in expression."));
      auto base = eval(*n.a, depth + 1);
      if (!base) return base;
      if (is_reference(real(base->type).kind)) {
        auto r = referent(*base);
        if (!r) return r;
        base = *r;
      }
      if (!base->address || base->bit_size) return unavailable(error("Attempt to take address of value not located in memory."));
      return make_pointer(*base->address, base->type);
    }
    case Node::negate:
    case Node::complement:
    case Node::logical_not:
    case Node::plus: {
      auto v = sub(n.a);
      if (!v) return v;
      auto i = integer(*v);
      if (!i) return unavailable(i.error());
      if (n.kind == Node::logical_not) return make_int(i->bits == 0);
      std::uint64_t r = n.kind == Node::negate ? 0 - i->bits : n.kind == Node::complement ? ~i->bits : i->bits;
      std::uint64_t size = std::max<std::uint64_t>(i->size, 4);
      if (size > 4) return make_long(r, i->is_signed);
      return make_integer(r & 0xffffffffu, i->is_signed ? Encoding::signed_int : Encoding::unsigned_int, 4,
                          i->is_signed ? "int" : "unsigned int");
    }
    case Node::binary: {
      auto a = sub(n.a);
      if (!a) return a;
      auto b = sub(n.b);
      if (!b) return b;
      return binary(n.text, *a, *b);
    }
    case Node::cast: {
      auto to = resolve_type(n.text);
      if (!to) return unavailable(to.error());
      auto v = sub(n.a);
      if (!v) return v;
      return cast(*v, *to);
    }
    case Node::size_of_type:
    case Node::size_of_expr: {
      TypeId t = kVoid;
      if (n.kind == Node::size_of_type) {
        auto to = resolve_type(n.text);
        if (!to) return unavailable(to.error());
        t = *to;
      } else {
        if (!n.a) return unavailable(error("A syntax error in expression."));
        auto v = eval(*n.a, depth + 1);
        if (!v) return v;
        t = v->type;
      }
      auto size = type_size(types_, t);
      if (!size) return unavailable(error("The size of " + name_of(t) + " is unknown."));
      return make_long(*size, false);
    }
  }
  return unavailable(error("A syntax error in expression."));
}

}  // namespace

Known<Value> evaluate_tree(const Node& n, ExpressionScope& scope, TypeTable& types, const ValueMemory& memory,
                           const FormatOptions& options, int depth) {
  Evaluator e(scope, types, memory, options);
  auto v = e.eval(n, depth);
  if (!v) return v;
  return v;
}

}  // namespace corelens::values
