// libstdc++ 12's containers and smart pointers, read the way its own gdb printers
// (libstdcxx/v6/printers.py) read them, with every member found by name in the type's DWARF.
// Node layouts that DWARF cannot give (where a tree or list node keeps its element) follow from
// the node base's size and the element's alignment, as the compiler lays them out.
#include <algorithm>

#include "core/model/strings.hpp"
#include "unwinder/values/format_scalar.hpp"
#include "unwinder/values/formatter.hpp"
#include "unwinder/values/printers.hpp"

namespace corelens::values {
namespace {

using Result = std::optional<Known<Printed>>;

// Steps up or down a std::map's red-black tree between two elements: a cycle in a damaged (or
// hostile) tree must end. A tree of N elements needs at most ~2 log2(N) steps between
// neighbours, so 100,000 is never reached by a real one.
constexpr std::size_t kMaxTreeSteps = 100000;

Result fail(Unavailable u) { return Known<Printed>(unavailable(std::move(u))); }
Result fail(const std::string& what) { return fail(value_error(what)); }
Result ok(Printed p) { return Known<Printed>(std::move(p)); }

std::string count_words(std::uint64_t n) { return n == 1 ? "1 element" : std::to_string(n) + " elements"; }

std::uint64_t round_up(std::uint64_t v, std::uint64_t align) { return align <= 1 ? v : (v + align - 1) / align * align; }

// Reads a pointer member of the node base at NODE (a _Rb_tree_node_base, _List_node_base ...).
Known<std::uint64_t> node_link(PrinterContext& ctx, TypeId base, std::uint64_t node, std::string_view name) {
  auto link = ctx.member(Value::in_memory(base, node), name);
  if (!link) return unavailable(value_error("no " + std::string(name) + " in " + ctx.readable(base)));
  return ctx.integer(*link);
}

// The type a pointer member points to.
std::optional<TypeId> pointee(PrinterContext& ctx, const std::optional<Value>& pointer) {
  if (!pointer) return std::nullopt;
  const Type& t = ctx.real_type(*pointer);
  if (t.kind != TypeKind::pointer) return std::nullopt;
  return t.target;
}

Result print_string(const Value& v, PrinterContext& ctx) {
  auto data = ctx.path(v, {"_M_dataplus", "_M_p"});
  auto length = ctx.member(v, "_M_string_length");
  auto char_type = pointee(ctx, data);
  if (!data || !length || !char_type) return std::nullopt;  // the old (COW) string: no printer
  auto p = ctx.integer(*data);
  auto n = ctx.integer(*length);
  if (!p) return fail(p.error());
  if (!n) return fail(n.error());
  // Damaged, or not a string at all (the bytes past a vector's end): no characters to read.
  if (*p == 0 && *n != 0) return fail("a string of " + std::to_string(*n) + " characters at address 0x0");
  std::string prefix;
  std::size_t width = 1;
  is_textual(ctx.types, *char_type, &prefix, &width);
  std::uint64_t shown = std::min<std::uint64_t>(*n, ctx.options.max_string);
  auto bytes = ctx.memory.read(*p, static_cast<std::size_t>(shown * width));
  if (!bytes) return fail(bytes.error());
  std::vector<std::uint32_t> units;
  for (std::size_t i = 0; i + width <= bytes->size(); i += width) {
    std::uint32_t u = 0;
    for (std::size_t k = 0; k < width; ++k) {
      std::size_t idx = ctx.options.byte_order == std::endian::big ? i + k : i + width - 1 - k;
      u = (u << 8) | std::to_integer<std::uint8_t>((*bytes)[idx]);
    }
    units.push_back(u);
  }
  Printed out;
  out.hint = Printed::Hint::string;
  out.summary = format_string(units, ctx.options.repeat_threshold, *n > shown, prefix);
  return ok(std::move(out));
}

Result print_string_view(const Value& v, PrinterContext& ctx) {
  auto data = ctx.member(v, "_M_str");
  auto length = ctx.member(v, "_M_len");
  auto char_type = pointee(ctx, data);
  if (!data || !length || !char_type) return std::nullopt;
  auto p = ctx.integer(*data);
  auto n = ctx.integer(*length);
  if (!p) return fail(p.error());
  if (!n) return fail(n.error());
  std::string prefix;
  std::size_t width = 1;
  is_textual(ctx.types, *char_type, &prefix, &width);
  std::uint64_t shown = std::min<std::uint64_t>(*n, ctx.options.max_string);
  std::vector<std::uint32_t> units;
  if (shown > 0) {
    auto bytes = ctx.memory.read(*p, static_cast<std::size_t>(shown * width));
    if (!bytes) return fail(bytes.error());
    for (std::size_t i = 0; i + width <= bytes->size(); i += width) {
      std::uint32_t u = 0;
      for (std::size_t k = 0; k < width; ++k) u = (u << 8) | std::to_integer<std::uint8_t>((*bytes)[i + width - 1 - k]);
      units.push_back(u);
    }
  }
  Printed out;
  out.hint = Printed::Hint::string;
  out.summary = format_string(units, ctx.options.repeat_threshold, *n > shown, prefix);
  return ok(std::move(out));
}

Result print_vector(const Value& v, PrinterContext& ctx) {
  auto start = ctx.path(v, {"_M_impl", "_M_start"});
  auto finish = ctx.path(v, {"_M_impl", "_M_finish"});
  auto end = ctx.path(v, {"_M_impl", "_M_end_of_storage"});
  if (!start || !finish || !end) return std::nullopt;
  Printed out;
  out.hint = Printed::Hint::array;
  if (ctx.real_type(*start).kind != TypeKind::pointer) {
    // std::vector<bool>: bits in words, _M_start and _M_finish are {_M_p, _M_offset} iterators.
    auto sp = ctx.member(*start, "_M_p"), fp = ctx.member(*finish, "_M_p"), fo = ctx.member(*finish, "_M_offset");
    auto word_type = pointee(ctx, sp);
    auto bool_type = ctx.template_type(v.type, 0);
    if (!sp || !fp || !fo || !word_type || !bool_type) return std::nullopt;
    auto s = ctx.integer(*sp), f = ctx.integer(*fp), o = ctx.integer(*fo), e = ctx.integer(*end);
    if (!s || !f || !o || !e) return fail(!s ? s.error() : !f ? f.error() : !o ? o.error() : e.error());
    std::uint64_t word = ctx.size_of(*word_type).value_or(8);
    if (word == 0 || *f < *s || *e < *s) return fail("a std::vector<bool> whose pointers run backwards");
    std::uint64_t bits = word * 8;
    std::uint64_t length = bits * ((*f - *s) / word) + *o, capacity = bits * ((*e - *s) / word);
    out.summary = "std::vector<bool> of length " + std::to_string(length) + ", capacity " + std::to_string(capacity);
    for (std::uint64_t i = 0; i < length && i < ctx.options.max_elements; ++i) {
      auto w = ctx.memory.read(*s + (i / bits) * word, static_cast<std::size_t>(word));
      if (!w) return fail(w.error());
      std::uint64_t bit = i % bits;
      std::size_t byte = ctx.options.byte_order == std::endian::big ? static_cast<std::size_t>(word - 1 - bit / 8) : bit / 8;
      bool set = (std::to_integer<std::uint8_t>((*w)[byte]) >> (bit % 8)) & 1;
      Value b;
      b.type = *bool_type;
      b.bytes = {std::byte{set ? std::uint8_t{1} : std::uint8_t{0}}};
      b.location = "computed";
      out.children.push_back(Child{"[" + std::to_string(i) + "]", std::move(b), std::nullopt});
    }
    out.more = length > ctx.options.max_elements;
    return ok(std::move(out));
  }
  auto elem = pointee(ctx, start);
  auto elem_size = elem ? ctx.size_of(*elem) : std::nullopt;
  if (!elem_size || *elem_size == 0) return fail("a std::vector of elements of unknown size");
  auto s = ctx.integer(*start), f = ctx.integer(*finish), e = ctx.integer(*end);
  if (!s || !f || !e) return fail(!s ? s.error() : !f ? f.error() : e.error());
  if (*f < *s || *e < *f) return fail("a std::vector whose pointers run backwards (" + hex(*s) + ", " + hex(*f) + ", " + hex(*e) + ")");
  std::uint64_t length = (*f - *s) / *elem_size, capacity = (*e - *s) / *elem_size;
  out.summary = "std::vector of length " + std::to_string(length) + ", capacity " + std::to_string(capacity);
  for (std::uint64_t i = 0; i < length && i < ctx.options.max_elements; ++i) {
    out.children.push_back(Child{"[" + std::to_string(i) + "]", Value::in_memory(*elem, *s + i * *elem_size), std::nullopt});
  }
  out.more = length > ctx.options.max_elements;
  return ok(std::move(out));
}

Result print_array(const Value& v, PrinterContext& ctx) {
  auto elems = ctx.member(v, "_M_elems");
  if (!elems) return std::nullopt;
  const Type& t = ctx.real_type(*elems);
  if (t.kind != TypeKind::array) return std::nullopt;  // std::array<T, 0> has no array
  auto elem_size = ctx.size_of(t.target);
  if (!elem_size || !t.count) return fail("a std::array of elements of unknown size");
  Printed out;
  out.hint = Printed::Hint::array;
  out.summary = "std::array of length " + std::to_string(*t.count);
  for (std::uint64_t i = 0; i < *t.count && i < ctx.options.max_elements; ++i) {
    out.children.push_back(Child{"[" + std::to_string(i) + "]", sub_value(*elems, t.target, i * *elem_size * 8, 0, *elem_size),
                                 std::nullopt});
  }
  out.more = *t.count > ctx.options.max_elements;
  return ok(std::move(out));
}

Result print_unique_ptr(const Value& v, PrinterContext& ctx) {
  // unique_ptr -> _M_t (__uniq_ptr_data, a __uniq_ptr_impl) -> _M_t (a tuple) -> ... ->
  // _Head_base<0, T*>::_M_head_impl; older libstdc++ has the tuple one level up.
  auto impl = ctx.member(v, "_M_t");
  if (!impl) return std::nullopt;
  auto tuple = ctx.member(*impl, "_M_t");
  auto pointer = ctx.member_of_kind(tuple ? *tuple : *impl, "_M_head_impl", TypeKind::pointer);
  auto type = ctx.template_type(v.type, 0);
  if (!pointer || !type) return std::nullopt;
  Printed out;
  out.summary = "std::unique_ptr<" + ctx.readable(*type) + ">";
  out.children.push_back(Child{"get()", *pointer, std::nullopt});
  return ok(std::move(out));
}

Result print_shared_ptr(const Value& v, PrinterContext& ctx, const std::string& name) {
  auto pointer = ctx.member(v, "_M_ptr");
  auto counts = ctx.path(v, {"_M_refcount", "_M_pi"});
  auto type = ctx.template_type(v.type, 0);
  if (!pointer || !counts || !type) return std::nullopt;
  auto pi = ctx.integer(*counts);
  if (!pi) return fail(pi.error());
  std::string state = "empty";
  if (*pi != 0) {
    auto base = pointee(ctx, counts);
    if (!base) return fail("a shared count that is not a pointer");
    Value block = Value::in_memory(*base, *pi);
    auto use = ctx.member(block, "_M_use_count"), weak = ctx.member(block, "_M_weak_count");
    if (!use || !weak) return fail("no use counts in " + ctx.readable(*base));
    auto u = ctx.integer(*use), w = ctx.integer(*weak);
    if (!u || !w) return fail(!u ? u.error() : w.error());
    auto su = sign_extend(*u, static_cast<std::size_t>(ctx.size_of(use->type).value_or(4)));
    auto sw = sign_extend(*w, static_cast<std::size_t>(ctx.size_of(weak->type).value_or(4)));
    // The weak count includes one for all the shared owners together while there are any.
    state = su == 0 ? "expired, weak count " + std::to_string(sw)
                    : "use count " + std::to_string(su) + ", weak count " + std::to_string(sw - 1);
  }
  Printed out;
  out.summary = name + "<" + ctx.readable(*type) + "> (" + state + ")";
  out.children.push_back(Child{"get()", *pointer, std::nullopt});
  return ok(std::move(out));
}

Result print_optional(const Value& v, PrinterContext& ctx) {
  auto payload = ctx.member(v, "_M_payload");
  auto type = ctx.template_type(v.type, 0);
  if (!payload || !type) return std::nullopt;
  auto engaged = ctx.member(*payload, "_M_engaged");
  auto storage = ctx.member(*payload, "_M_payload");
  if (!engaged || !storage) return std::nullopt;
  auto contained = ctx.member(*storage, "_M_value");
  if (!contained) contained = storage;
  auto e = ctx.integer(*engaged);
  if (!e) return fail(e.error());
  Printed out;
  std::string name = "std::optional<" + ctx.readable(*type) + ">";
  if (*e == 0) {
    out.summary = name + " [no contained value]";
    return ok(std::move(out));
  }
  // A contained value with children of its own lends them (gdb's SingleObjContainerPrinter).
  if (auto inner = apply_printers(*contained, ctx); inner && *inner && !(**inner).children.empty() &&
                                                      (**inner).hint != Printed::Hint::string) {
    Printed p = std::move(**inner);
    p.summary = name + " containing " + p.summary;
    return ok(std::move(p));
  }
  out.summary = name;
  out.children.push_back(Child{"[contained value]", *contained, std::nullopt});
  return ok(std::move(out));
}

// std::map, std::set and their multi variants: an in-order walk of the red-black tree.
Result print_tree(const Value& v, PrinterContext& ctx, const std::string& name, bool is_map) {
  auto tree = ctx.member(v, "_M_t");
  if (!tree) return std::nullopt;
  auto header = ctx.path(*tree, {"_M_impl", "_M_header"});
  auto count = ctx.path(*tree, {"_M_impl", "_M_node_count"});
  auto value_type = ctx.template_type(tree->type, 1);
  if (!header || !count || !value_type) return std::nullopt;
  if (!header->address) return fail("a " + name + " that is not in memory");
  auto n = ctx.integer(*count);
  if (!n) return fail(n.error());
  TypeId base = header->type;
  auto base_size = ctx.size_of(base);
  if (!base_size) return fail("a tree node of unknown size");
  std::uint64_t value_offset = round_up(*base_size, ctx.alignment(*value_type));
  Printed out;
  out.hint = is_map ? Printed::Hint::map : Printed::Hint::none;
  out.summary = name + " with " + count_words(*n);
  auto node = node_link(ctx, base, *header->address, "_M_left");
  if (!node) return fail(node.error());
  std::uint64_t limit = std::min<std::uint64_t>(*n, ctx.options.max_elements);
  std::size_t steps = 0;
  for (std::uint64_t i = 0; i < limit; ++i) {
    Value element = Value::in_memory(*value_type, *node + value_offset);
    if (is_map) {
      auto key = ctx.member(element, "first"), mapped = ctx.member(element, "second");
      if (!key || !mapped) return fail("a map element without first and second");
      out.children.push_back(Child{"", *mapped, *key});
    } else {
      out.children.push_back(Child{"[" + std::to_string(i) + "]", element, std::nullopt});
    }
    if (i + 1 == *n) break;
    // The in-order successor; every step counted so that a cycle in a damaged tree ends.
    auto right = node_link(ctx, base, *node, "_M_right");
    if (!right) return fail(right.error());
    std::uint64_t next = *node;
    if (*right != 0) {
      next = *right;
      for (;;) {
        auto left = node_link(ctx, base, next, "_M_left");
        if (!left) return fail(left.error());
        if (*left == 0) break;
        next = *left;
        if (++steps > kMaxTreeSteps) return fail("a std::map tree that does not end");
      }
    } else {
      auto parent = node_link(ctx, base, next, "_M_parent");
      if (!parent) return fail(parent.error());
      for (;;) {
        auto pr = node_link(ctx, base, *parent, "_M_right");
        if (!pr) return fail(pr.error());
        if (next != *pr) break;
        next = *parent;
        parent = node_link(ctx, base, *parent, "_M_parent");
        if (!parent) return fail(parent.error());
        if (++steps > kMaxTreeSteps) return fail("a std::map tree that does not end");
      }
      auto nr = node_link(ctx, base, next, "_M_right");
      if (!nr) return fail(nr.error());
      if (*nr != *parent) next = *parent;
    }
    *node = next;
  }
  out.more = *n > limit;
  return ok(std::move(out));
}

Result print_unordered(const Value& v, PrinterContext& ctx, const std::string& name, bool is_map) {
  auto table = ctx.member(v, "_M_h");
  if (!table) return std::nullopt;
  auto first = ctx.path(*table, {"_M_before_begin", "_M_nxt"});
  auto count = ctx.member(*table, "_M_element_count");
  auto value_type = ctx.template_type(table->type, 1);
  auto node_base = pointee(ctx, first);
  if (!first || !count || !value_type || !node_base) return std::nullopt;
  auto n = ctx.integer(*count);
  auto node = ctx.integer(*first);
  if (!n) return fail(n.error());
  if (!node) return fail(node.error());
  auto base_size = ctx.size_of(*node_base);
  if (!base_size) return fail("a hash node of unknown size");
  std::uint64_t value_offset = round_up(*base_size, ctx.alignment(*value_type));
  Printed out;
  out.hint = is_map ? Printed::Hint::map : Printed::Hint::none;
  out.summary = name + " with " + count_words(*n);
  for (std::uint64_t i = 0; *node != 0 && i < ctx.options.max_elements && i < *n; ++i) {
    Value element = Value::in_memory(*value_type, *node + value_offset);
    if (is_map) {
      auto key = ctx.member(element, "first"), mapped = ctx.member(element, "second");
      if (!key || !mapped) return fail("a map element without first and second");
      out.children.push_back(Child{"", *mapped, *key});
    } else {
      out.children.push_back(Child{"[" + std::to_string(i) + "]", element, std::nullopt});
    }
    node = node_link(ctx, *node_base, *node, "_M_nxt");
    if (!node) return fail(node.error());
  }
  out.more = *n > ctx.options.max_elements;
  return ok(std::move(out));
}

Result print_list(const Value& v, PrinterContext& ctx) {
  auto header = ctx.path(v, {"_M_impl", "_M_node"});
  auto next = header ? ctx.member(*header, "_M_next") : std::nullopt;
  auto node_base = pointee(ctx, next);
  auto elem = ctx.template_type(v.type, 0);
  if (!header || !next || !node_base || !elem) return std::nullopt;
  if (!header->address) return fail("a std::list that is not in memory");
  auto base_size = ctx.size_of(*node_base);
  if (!base_size) return fail("a list node of unknown size");
  std::uint64_t value_offset = round_up(*base_size, ctx.alignment(*elem));
  auto node = ctx.integer(*next);
  if (!node) return fail(node.error());
  Printed out;
  out.summary = *node == *header->address ? "empty std::list" : "std::list";
  std::uint64_t i = 0;
  for (; *node != *header->address && *node != 0 && i < ctx.options.max_elements; ++i) {
    out.children.push_back(Child{"[" + std::to_string(i) + "]", Value::in_memory(*elem, *node + value_offset), std::nullopt});
    node = node_link(ctx, *node_base, *node, "_M_next");
    if (!node) return fail(node.error());
  }
  out.more = *node != *header->address && *node != 0;
  return ok(std::move(out));
}

// std::pair: first and second, without the empty std::__pair_base that libstdc++ 12 derives it
// from (gdb's printer shows the two members only).
Result print_pair(const Value& v, PrinterContext& ctx) {
  auto first = ctx.member(v, "first"), second = ctx.member(v, "second");
  if (!first || !second) return std::nullopt;
  Printed out;
  out.children.push_back(Child{"first", *first, std::nullopt});
  out.children.push_back(Child{"second", *second, std::nullopt});
  return ok(std::move(out));
}

// Iterators print as the element they point to, as gdb's libstdc++ printers print them (these
// exist because `print *it` often fails in gdb); a null one says it cannot be dereferenced. The
// element is read where the iterator points, whatever is there: an end() iterator shows the bytes
// past the last element, as gdb's does.
Result element_at(PrinterContext& ctx, TypeId type, std::uint64_t address) {
  auto size = ctx.size_of(type);
  if (!size) return fail("an element of unknown size");
  if (auto bytes = ctx.memory.read(address, static_cast<std::size_t>(*size)); !bytes) return fail(bytes.error());
  Value element = Value::in_memory(type, address);
  // An element its own printer cannot show (a string past a vector's end) leaves the iterator
  // without a value too, as in gdb.
  if (auto inner = apply_printers(element, ctx); inner && !*inner) return fail(inner->error());
  Printed out;
  out.hint = Printed::Hint::element;
  out.children.push_back(Child{"[element]", std::move(element), std::nullopt});
  return ok(std::move(out));
}

Result non_dereferenceable(const std::string& container) {
  Printed out;
  out.summary = "non-dereferenceable iterator for " + container;
  return ok(std::move(out));
}

// __gnu_cxx::__normal_iterator (std::vector's and std::string's): a pointer to the element.
Result print_normal_iterator(const Value& v, PrinterContext& ctx) {
  auto current = ctx.member(v, "_M_current");
  auto elem = pointee(ctx, current);
  if (!current || !elem) return std::nullopt;
  auto p = ctx.integer(*current);
  if (!p) return fail(p.error());
  if (*p == 0) return non_dereferenceable("std::vector");
  return element_at(ctx, *elem, *p);
}

// std::_Rb_tree_iterator<T> (std::map's and std::set's) and std::_List_iterator<T>: a pointer to
// the base of a node, NODE<T> (std::_Rb_tree_node, std::_List_node), that keeps the element in its
// _M_storage. The node type is found by name in the program's DWARF, as gdb's printers find it
// (gcc leaves the iterators' own template parameters out); without it, the element follows the
// node base at the element's alignment, as in the containers' printers.
Result print_node_iterator(const Value& v, PrinterContext& ctx, const std::string& node_template,
                           const std::string& container) {
  auto node = ctx.member(v, "_M_node");
  auto base = pointee(ctx, node);
  if (!node || !base) return std::nullopt;
  TypeId real = ctx.types.definition(strip_typedefs(ctx.types, v.type));
  const std::string& name = ctx.types.complete(real).name;
  std::optional<TypeId> node_type;
  if (auto lt = name.find('<'); lt != std::string::npos) node_type = ctx.types.named_near(real, node_template + name.substr(lt));
  std::optional<TypeId> elem = node_type ? ctx.template_type(*node_type, 0) : ctx.template_type(v.type, 0);
  if (!elem) return std::nullopt;
  auto n = ctx.integer(*node);
  if (!n) return fail(n.error());
  if (*n == 0) return non_dereferenceable(container);
  if (node_type) {
    auto storage = ctx.member(Value::in_memory(*node_type, *n), "_M_storage");
    if (!storage || !storage->address) return fail("no _M_storage in " + ctx.readable(*node_type));
    return element_at(ctx, *elem, *storage->address);
  }
  auto base_size = ctx.size_of(*base);
  if (!base_size) return fail("a node of unknown size");
  return element_at(ctx, *elem, *n + round_up(*base_size, ctx.alignment(*elem)));
}

}  // namespace

std::optional<Known<Printed>> print_libstdcxx(const Value& v, PrinterContext& ctx) {
  if (v.unavailable) return std::nullopt;
  const Type& t = ctx.real_type(v);
  if (!is_aggregate(t.kind) || t.language == Language::rust) return std::nullopt;
  const std::string head = template_head(t.name);
  if (head == "__gnu_cxx::__normal_iterator") return print_normal_iterator(v, ctx);
  if (head.rfind("std::", 0) != 0) return std::nullopt;
  if (head == "std::basic_string") return print_string(v, ctx);
  if (head == "std::basic_string_view") return print_string_view(v, ctx);
  if (head == "std::vector") return print_vector(v, ctx);
  if (head == "std::array") return print_array(v, ctx);
  if (head == "std::unique_ptr") return print_unique_ptr(v, ctx);
  if (head == "std::shared_ptr" || head == "std::weak_ptr") return print_shared_ptr(v, ctx, head);
  if (head == "std::optional") return print_optional(v, ctx);
  if (head == "std::map" || head == "std::multimap") return print_tree(v, ctx, head, true);
  if (head == "std::set" || head == "std::multiset") return print_tree(v, ctx, head, false);
  if (head == "std::unordered_map" || head == "std::unordered_multimap") return print_unordered(v, ctx, head, true);
  if (head == "std::unordered_set" || head == "std::unordered_multiset") return print_unordered(v, ctx, head, false);
  if (head == "std::list") return print_list(v, ctx);
  if (head == "std::pair") return print_pair(v, ctx);
  if (head == "std::_Rb_tree_iterator" || head == "std::_Rb_tree_const_iterator") {
    return print_node_iterator(v, ctx, "std::_Rb_tree_node", "associative container");
  }
  if (head == "std::_List_iterator" || head == "std::_List_const_iterator") {
    return print_node_iterator(v, ctx, "std::_List_node", "std::list");
  }
  // std::__detail::_Node_iterator (the unordered containers'): libstdc++ 12's printers have none,
  // and gdb shows its _M_cur; so does the raw view here.
  return std::nullopt;
}

}  // namespace corelens::values
