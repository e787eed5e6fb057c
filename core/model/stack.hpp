// The one stack model: a user thread's stack, a kernel CPU's and a kernel task's are all a
// StackReport, a list of Frames and why the walk that found them stopped. Plain values (strings
// and numbers, no pointers into the dump), part of the Report.
//
// What a frame is and how it was found is said by enums, each printed through one function:
// FrameTrust (how far to believe it), FrameOrigin (which strategy of the stack walk found it),
// StopReason (why the walk ended). Code tests the enums; the words are for people.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/process.hpp"

namespace corelens {

// How far to believe a frame, from most to least (Breakpad's FRAME_TRUST_*).
enum class FrameTrust {
  context,        // frame 0: registers straight from the dump
  cfi,            // unwind tables describe the step (DWARF CFI, ARM EHABI, the kernel's ORC)
  frame_pointer,  // the frame chain, the link register or the prologue, checked but not described
  scan,           // a return address found by scanning the stack: may be stale
};
const char* to_string(FrameTrust trust);  // "context", "cfi", "frame-pointer", "scan"

// Which strategy of the stack walk found a frame (unwinder/stack_walker.hpp lists their order).
enum class FrameOrigin {
  context,        // frame 0: the dump's registers, or where a switched-out kernel task stands
  cfi,            // a user module's DWARF CFI (.eh_frame, .debug_frame), by libdwfl or libunwind
  call_site,      // a call through a bad pointer: the return address the call instruction left
  exidx,          // arm's EHABI unwind tables (.ARM.exidx)
  orc,            // the kernel's ORC tables, from the dump
  vmlinux_cfi,    // the vmlinux's DWARF CFI (.debug_frame)
  prologue,       // the function's code from its entry to the pc: what it pushed, where lr went
  link_register,  // frame 0's link register: a leaf that never saved it
  frame_pointer,  // the frame chain: x86's rbp, aarch64's frame records, ppc64's back chain
  scan,           // a word on the stack that is a return address (after a call instruction)
};
// "context", "cfi", "call-site", "exidx", "orc", "dwarf-cfi", "prologue", "link-register",
// "frame-pointer", "scan".
const char* to_string(FrameOrigin origin);

struct Frame {
  std::uint32_t index = 0;
  std::uint64_t pc = 0;         // frame 0: the faulting pc; callers: the return address
  std::uint64_t lookup_pc = 0;  // the address symbolised (return address - 1 for callers)
  std::optional<std::uint64_t> sp;
  // An inlined frame is a call inlined at the pc of the frame below it, known from DWARF alone:
  // its trust and origin are that frame's, and reports say "inlined" instead.
  FrameTrust trust = FrameTrust::context;
  FrameOrigin origin = FrameOrigin::context;
  bool inlined = false;
  bool signal_frame = false;    // the kernel's signal trampoline (__restore_rt) below a handler
  std::string function;         // demangled, readable (readable_names.hpp); empty when unknown
  // The demangled name exactly as the symbol spells it, when FUNCTION is a shorter readable form
  // of it ("std::__cxx11::basic_string<char, ...>" folded to "std::string"); empty otherwise.
  std::string function_exact;
  std::uint64_t function_offset = 0;
  std::string module;           // the module's path as recorded in the dump
  std::optional<std::uint64_t> module_offset;  // lookup_pc relative to the module's start
  std::string file;             // as the line table names it (eu-stack and gdb show the same)
  std::string compilation_dir;  // DW_AT_comp_dir: where a relative FILE was compiled from
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  // Callers: the registers the unwinder recovered for this frame (callee-saved ones restored by
  // CFI, the pc and the stack pointer); the others are unknown. Frame 0 leaves this empty: its
  // registers are the thread's. Kept for the first kMaxFramesWithRegisters frames of a thread.
  std::vector<Register> registers;
  // Kernel frames only (empty for a user core's):
  std::string stack_area;   // the stack its sp is on: "task", "IRQ", "NMI", "DF", ..., "unknown";
                            // kUserStackArea for the user-space context that ends a kernel stack
  std::string oops_symbol;  // as the kernel's oops names it: "sysrq_handle_crash+0x16/0x20",
                            // "f+0x1/0x8 [pvpanic]" (offset from the pc itself); empty when unknown
  bool is_user_context() const;
};
inline constexpr std::size_t kMaxFramesWithRegisters = 1024;
inline constexpr const char* kUserStackArea = "user";

// The trust reports print for FRAME: to_string(frame.trust), "inlined" for an inlined frame.
const char* trust_label(const Frame& frame);
// How a kernel report says FRAME was found (its "found_by"): to_string(frame.origin), "inlined"
// for an inlined frame.
const char* found_by_label(const Frame& frame);

// Why a walk stopped.
enum class StopReason {
  complete,           // the outermost frame: the unwind information ends the stack, or user space does
  frame_limit,        // the frame cap (UnwindLimits::max_frames)
  cancelled,          // the front end asked to stop
  no_caller,          // no strategy found a caller (no unwind information, and the fallbacks found none)
  rule,               // the caller found broke a stop rule (the stack pointer went down, no code there ...)
  missing_memory,     // memory the step needed is not in the dump
  missing_registers,  // a register the step needed is unknown: short in the dump, or not recovered
  unwinder_error,     // the unwinding library failed
  not_unwound,        // no walk ran: no unwinder for the architecture, or the stack is another's
};

// Why a walk stopped, with the details people read. DETAIL names the place and the missing
// piece ("no unwind information at 0x401136, and no caller found by the fallbacks"); NOTE is what
// a front end adds (--unwinder auto: which unwinder's stack this is and why).
struct UnwindStatus {
  StopReason reason = StopReason::not_unwound;
  std::string detail;
  std::string note;

  bool complete() const { return reason == StopReason::complete; }
  static UnwindStatus done(std::string detail = {});  // complete; "reached user space"
  static UnwindStatus frame_limit(std::size_t max_frames);
  static UnwindStatus cancelled();
  static UnwindStatus stopped(StopReason reason, std::string detail);
};
// The sentence reports print: "complete", "complete: reached user space", "cancelled",
// "stopped at the frame limit of 100", the detail otherwise; then "; " and the note, if any.
std::string describe(const UnwindStatus& status);

// A stack: a thread's (ThreadReport), a kernel CPU's (the ThreadReport of that CPU) or a kernel
// task's (KernelTaskReport).
struct StackReport {
  std::vector<Frame> frames;  // innermost first; inlined calls before the frame they are in
  UnwindStatus unwind;
  std::string unwinder;  // user cores: the library that walked it, "libdwfl" or "libunwind"; empty: none ran
  std::string method;    // kernel dumps: "ORC", "ORC, then a stack scan", "stack scan", "none" ...
};

}  // namespace corelens
