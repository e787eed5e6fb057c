// ValueEngine: the arguments and locals of any frame of an analysed dump, any expression in
// scope there, and the name of the variable that holds an address, all read from the dump's
// memory through the program's DWARF, lazily: nothing is read until a front end asks.
//
//   ValueEngine values(session->report(), session->memory(), &session->dump());
//   auto vars = values.frame_variables(thread, frame, options);   // arguments and locals
//   auto v = values.evaluate(thread, frame, "r->next", options);   // corelens --print
//   auto kids = values.children(node.handle, node.name, options);   // the GUI expanding a node
//   auto who = values.name_address(thread, frame, addr);           // "acc[1].lock"
//
// Threads and frames are indexes into Report::threads and ThreadReport::frames (inlined frames
// included). A value that needs a register the unwinder did not recover for that frame is
// "register not recovered", never guessed.
//
// Ownership: the Report, the memory and the dump must outlive the engine; it owns its own
// libdwfl session. Thread-safe: calls are serialised by one mutex (libdw is not thread-safe), so
// a GUI may ask from its worker thread while the CLI asks from its only one.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/error.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"
#include "unwinder/values/formatter.hpp"

namespace corelens::values {

struct FrameVariables {
  std::vector<ValueNode> arguments;  // in declaration order
  std::vector<ValueNode> locals;     // innermost block first, each block in declaration order (as gdb)
};

// Where an address lies, by the variables of a frame: "acc[1].lock", "*head", "global_table[3]".
struct AddressName {
  std::string expression;  // an expression that denotes the object at the address
  std::string type;        // its type, as people write it
  std::uint64_t offset = 0;  // bytes into that object
};

class ValueEngine {
 public:
  ValueEngine(const Report& report, const MemorySource& memory, const ProcessDump* dump = nullptr);
  ~ValueEngine();
  ValueEngine(const ValueEngine&) = delete;
  ValueEngine& operator=(const ValueEngine&) = delete;

  // The arguments (and, with LOCALS, the locals) of frame FRAME of thread THREAD. Fails when the
  // thread or frame does not exist or the frame's code has no DWARF; a variable without a value
  // is still listed, with the reason.
  Result<FrameVariables> frame_variables(std::size_t thread, std::size_t frame, const FormatOptions& options,
                                         bool locals = true);
  // EXPRESSION (names in scope at the frame, globals, . -> * & [i], casts) as one value.
  Result<ValueNode> evaluate(std::size_t thread, std::size_t frame, std::string_view expression,
                             const FormatOptions& options);
  // The children of a node (ValueNode::handle), each expanded to OPTIONS.depth - 1 levels.
  std::vector<ValueNode> children(const ValueHandle& handle, const std::string& parent_name,
                                  const FormatOptions& options);
  // The variable (argument, local, a pointer's target, a global) whose object holds ADDRESS,
  // seen from the frame, with the member path to it.
  std::optional<AddressName> name_address(std::size_t thread, std::size_t frame, std::uint64_t address);

  // The options matching the dump: byte order and pointer size of its architecture.
  FormatOptions default_options() const;

  struct Impl;  // engine_impl.hpp: the libdwfl session, the type table, each thread's frames

 private:
  std::unique_ptr<Impl> impl_;
  std::mutex mutex_;
};

}  // namespace corelens::values
