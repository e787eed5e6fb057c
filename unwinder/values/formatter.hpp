// Values as people read them: a tree of nodes (name, type, value, where it lives, why it is
// unavailable, children) whose one-line values are what gdb prints for the same value, printers
// applied. Children are expanded to a depth; deeper ones are loaded later from a node's handle,
// which is how the GUI expands a tree lazily.
#pragma once

#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "unwinder/values/printers.hpp"
#include "unwinder/values/value.hpp"

namespace corelens::values {

using ValueHandle = std::shared_ptr<const Value>;

struct ValueNode {
  std::string name;         // "count", "[3]", "<Base>", "*head", "get()"
  std::string type;         // as people write it: "std::vector<int>"
  std::string exact_type;   // as gdb prints it: "std::vector<int, std::allocator<int> >"
  std::string value;        // one line, gdb's spelling; empty when unavailable
  std::optional<std::uint64_t> address;  // where it lives in memory; nullopt in a register or computed
  std::string location;     // "memory", "register rdi", "computed", "pieces", "DWARF constant"
  std::string unavailable;  // empty, or why there is no value ("optimized out", ...)
  bool entry_value = false; // known from the caller's call site (gdb's `x@entry`)
  // What the value is, for a front end choosing how to show it: a pointer's child is what it
  // points to, not a part of it; a printed value's children are a printer's.
  enum class Kind { scalar, pointer, aggregate, array, printed } kind = Kind::scalar;
  bool has_children = false;
  std::vector<ValueNode> children;  // loaded to the depth asked for
  ValueHandle handle;       // set when HAS_CHILDREN: Formatter::children() loads them later
};

// Type names by TypeId, (readable, exact): computed once per type for a whole session.
using TypeNameCache = std::unordered_map<TypeId, std::pair<std::string, std::string>>;

class Formatter {
 public:
  // SYMBOLS may be null (pointers then show no symbol); NAMES, when given, keeps type names
  // between formatters of the same type table.
  Formatter(TypeTable& types, const ValueMemory& memory, const SymbolNamer* symbols, FormatOptions options,
            TypeNameCache* names = nullptr);

  // V as node NAME with children DEPTH levels deep (options().depth when DEPTH < 0).
  ValueNode node(const std::string& name, const Value& v, int depth = -1);
  // The children of a node's value, each with children DEPTH - 1 levels deep.
  std::vector<ValueNode> children(const Value& v, const std::string& parent_name, int depth = 1);
  // The one-line value, as gdb prints it ("{x = 3, y = -1}", "std::vector of length 3, ...").
  std::string summary(const Value& v);

  // The logical children of V: members, elements, a pointer's target, a printer's children.
  std::vector<Child> child_values(const Value& v, const std::string& parent_name);
  bool has_children(const Value& v);
  ValueNode::Kind kind_of(const Value& v);
  const std::pair<std::string, std::string>& names_of(TypeId type);

  const FormatOptions& options() const { return options_; }
  TypeTable& types() { return types_; }

 private:
  // node() and children(), with the member's text from its parent's line (KNOWN_LINE, LINES)
  // when the parent made it: computed once, not again for the member's node.
  ValueNode node_from(const std::string& name, const Value& v, int depth, const std::string* known_line);
  std::vector<ValueNode> children_from(const Value& v, const std::string& parent_name, int depth,
                                       const std::vector<std::optional<std::string>>& lines);
  std::string summary_at(const Value& v, int level, std::size_t budget);
  Known<std::string> scalar_text(const Value& v, TypeId real, std::size_t budget);
  std::string pointer_text(std::uint64_t address, TypeId pointee_type, std::size_t budget);
  // AS_STATIC: V is a static member's value, whose fields gdb prints itself (no printer), and
  // which keeps the statics it showed seen until its enclosing value's line is done.
  std::string aggregate_text(const Value& v, TypeId id, const Type& t, int level, std::size_t budget,
                             bool as_static = false);
  std::string static_member_text(TypeId owner, std::size_t member, int level, std::size_t budget);
  std::string rust_aggregate_text(const Value& v, const Type& t, int level, std::size_t budget);
  std::string array_text(const Value& v, const Type& t, int level, std::size_t budget);
  std::string printed_text(const Printed& p, int level, std::size_t budget);
  std::optional<std::string> string_array_text(const Value& v, const Type& t);
  std::optional<Known<Printed>> printed(const Value& v);

  TypeTable& types_;
  const ValueMemory& memory_;
  const SymbolNamer* symbols_;
  FormatOptions options_;
  PrinterContext printers_;
  TypeNameCache* names_;
  std::pair<std::string, std::string> scratch_names_;
  // Budget cuts and depth caps met so far ("...", "{...}"): a text made without one is the same
  // at any larger budget and shallower level, so a member's node may reuse its parent's.
  std::size_t cuts_ = 0;
  std::vector<std::optional<std::string>>* member_texts_ = nullptr;  // set while a node's line is made
  // The addresses of the struct-typed static members shown so far in the line being made: one
  // shown again prints as gdb's "<same as static member of an already seen type>" (a class with
  // a static member of its own type would otherwise print forever).
  std::vector<std::uint64_t> statics_seen_;
};

// Whether values of TYPE (an array's element, a pointer's target) are characters: char, signed
// and unsigned char, wchar_t, char16_t, char32_t. *PREFIX gets the literal's prefix ("", "L", "u",
// "U") and *WIDTH the size of one character.
bool is_textual(TypeTable& types, TypeId type, std::string* prefix = nullptr, std::size_t* width = nullptr);

// A member as gdb labels it: its name, "<Base>" for a base class, "<anonymous union>".
std::string member_label(TypeTable& types, const Member& m);

// Reads a NUL-terminated string of WIDTH-byte characters at ADDRESS, at most MAX characters:
// the characters, and whether it went on past MAX.
Known<std::pair<std::vector<std::uint32_t>, bool>> read_c_string(const ValueMemory& memory, std::uint64_t address,
                                                                   std::size_t width, std::size_t max,
                                                                   std::endian order);

}  // namespace corelens::values
