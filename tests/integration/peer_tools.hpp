// The tools people use today, read the way the agreement tests compare them with us: eu-stack's
// and gdb's backtraces of a core, parsed into frames, and the checks that ours agree.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/model/report.hpp"

namespace corelens::testing {

struct PeerFrame {
  std::uint64_t pc = 0;
  bool has_pc = false;  // eu-stack: always; gdb: not for an inlined frame, nor for frame 0 at a line's start
  std::string function;
  std::string file;     // as the line table writes it ("../samples/null_read.c"); "" when not shown
  int line = 0;
};
using PeerStacks = std::map<int, std::vector<PeerFrame>>;  // by tid, innermost frame first

// `eu-stack -i -s`: "TID n:", then "#k  0xPC [- 1] NAME" lines, each optionally followed by an
// indented "FILE:LINE[:COL]" line.
PeerStacks parse_eu_stack(const std::string& text);
// gdb's `thread apply all bt`: "Thread N (... (LWP tid)):", then
// "#k  [0xPC in ]NAME (args) [at FILE:LINE | from LIB]".
PeerStacks parse_gdb(const std::string& text);

// gdb names a few assembly functions by their minimal symbol ("clone3") where DWARF has the
// internal name ("__clone3"); both name the same code.
bool same_function_as_gdb(const std::string& ours, const std::string& theirs);

// eu-stack reads every thread of CORE with exactly our frames: pcs, functions (inlined ones
// included), files and lines, in order.
void expect_eu_stack_agrees(const Report& r, const std::string& core, const std::string& exe);

// gdb reads every thread of CORE with our frames up to main (gdb shows none past it): the same
// functions, pcs, files and lines wherever gdb shows them. gdb may show more frames: the
// "tail-call frames" it rebuilds from DW_TAG_call_site entries (libc's __pthread_kill inlines
// __pthread_kill_internal, which jumps to __pthread_kill_implementation), which are not on the
// stack; corelens, like eu-stack, shows the frames that are. Each such frame is accepted only
// where DWARF has a call site marked as a tail call, returning to the frame's pc, in the function
// gdb names and (when the site names it) calling the frame below; any other extra frame fails.
// GDB is the command (gdb, or gdb-multiarch with its -iex options for a foreign core).
void expect_gdb_agrees(const Report& r, const std::string& core, const std::string& exe,
                       const std::string& gdb = "gdb");

}  // namespace corelens::testing
