// The arguments and locals of a frame as the report writers show them: plain values, read from
// the dump by unwinder/values when a writer asks for them (a frame line's arguments, --locals).
// The writers never read a value themselves: a FrameVariableSource gives them what they print,
// frame by frame, so a 1,000-thread report computes values only for the frames it shows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace corelens {

struct VariableReport {
  std::string name;
  bool argument = false;        // JSON kind: "argument" or "local"; members: neither
  std::string type;             // as people write it ("std::vector<int>")
  std::string exact_type;       // as gdb prints it (the JSON has it only when it differs from TYPE)
  std::string value;            // one line, gdb's spelling; empty when unavailable
  std::optional<std::uint64_t> address;  // where it lives in memory; none in a register
  std::string location;         // "memory", "register rdi", "computed", "pieces", "entry value" ...
  std::string unavailable;      // why there is no value ("optimized out", ...); empty when there is
  bool entry_value = false;     // known from the caller's call site (gdb's `x@entry`)
  bool compound = false;        // a struct, array or container: a frame line shows "..." for it
  std::vector<VariableReport> members;  // struct members, elements, a pointer's target, printer children
};

class FrameVariableSource {
 public:
  virtual ~FrameVariableSource() = default;
  // The arguments (and, with LOCALS, the locals) of frame FRAME of Report::threads[THREAD];
  // empty when the frame has no debug information.
  virtual std::vector<VariableReport> variables(std::size_t thread, std::size_t frame, bool locals) const = 0;
};

}  // namespace corelens
