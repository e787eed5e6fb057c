// Fuzz target: the expression evaluator of the values engine (`corelens analyze --print`), and
// the formatter that shows its result. The input's first byte says how much of it is memory (a
// linked list of records, strings and arrays live there, over the fuzzer's bytes); the rest is
// the expression, evaluated in a scope with a struct, a pointer to it, an array and a string.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/values/fake_values.hpp"
#include "unwinder/values/expression.hpp"
#include "unwinder/values/formatter.hpp"

using namespace corelens::values;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t memory_size = std::min<std::size_t>(data[0], size - 1);
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data + 1),
                               reinterpret_cast<const std::byte*>(data + 1 + memory_size));
  std::string text(reinterpret_cast<const char*>(data + 1 + memory_size), size - 1 - memory_size);

  testing::CTypes t;
  testing::FakeMemory memory;
  memory.put(0x1000, bytes);
  memory.not_saved(0x2000, 0x3000);
  // struct record { int id; struct record *next; char name[8]; } (its next may point anywhere)
  Type r;
  r.kind = TypeKind::structure;
  r.name = "record";
  r.size = 24;
  r.sized = true;
  TypeId record = t.table.add(r);
  TypeId record_ptr = t.pointer(record);
  const_cast<Type&>(t.table.get(record)).members = {testing::member("id", t.int_type, 0),
                                                    testing::member("next", record_ptr, 8),
                                                    testing::member("name", t.array(t.char_type, 8), 16)};
  testing::FakeScope scope;
  scope.variables["rec"] = Value::in_memory(record, 0x1000);
  Value p;
  p.type = record_ptr;
  p.bytes = testing::bytes({0x00, 0x10, 0, 0, 0, 0, 0, 0});
  scope.variables["p"] = p;
  scope.variables["items"] = Value::in_memory(t.array(t.int_type, 1u << 20), 0x1000);
  scope.variables["text"] = Value::in_memory(t.pointer(t.char_type), 0x1008);
  scope.variables["gone"] = Value::missing(t.int_type, register_not_recovered("rdi"));
  scope.types["record"] = record;

  FormatOptions options;
  options.depth = 2;
  auto v = evaluate_expression(text, scope, t.table, memory, options);
  if (v) {
    Formatter f(t.table, memory, nullptr, options);
    (void)f.node(text, *v);
  }
  return 0;
}
