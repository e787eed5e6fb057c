// The C++ exception in flight when std::terminate aborted the process: its type and, where it
// can be read from memory without running any of the program's code, its what().
//
// Itanium C++ ABI, libstdc++'s layout on 64-bit targets: the thrown object follows a
// __cxa_exception header whose last member is the _Unwind_Exception (32 bytes, 16-aligned):
//   header + 0    std::type_info* exceptionType
//   header + 80   _Unwind_Exception { uint64 exception_class = "GNUCC++\0"; ... }
//   header + 112  the thrown object
// By the time abort() runs, __cxa_throw's arguments are gone from the registers, but pointers to
// the _Unwind_Exception, the header or the object are still in the spilled registers and locals
// of the frames above sp, so the stack is scanned for one whose exception class is libstdc++'s.
//
// what() is a virtual call; corelens does not execute target code, so it reads what the
// function would return where that is known data:
//   - the type's std::exception subobject is found through the type_info chain (single,
//     multiple and virtual inheritance: __si_ / __vmi_class_type_info), and the what() slot of
//     its vtable is looked up by symbol;
//   - std::runtime_error::what / std::logic_error::what (any class deriving from them that does
//     not override what(): std::out_of_range, std::system_error, the program's own classes)
//     return the message string stored in that base;
//   - the standard classes whose what() returns a constant (std::bad_alloc, ...) return it;
//   - any other what() (the program's own override) is named and not run; the message the
//     class gave a std::runtime_error / std::logic_error base, if any, is still reported as that.
// Non-class exceptions are read as values: integers, floating point, const char*, std::string.
//
// Ownership: borrows its inputs for the call; returns a value.
#pragma once

#include <optional>
#include <string>

#include "core/analysis/crash_analysis.hpp"
#include "core/model/arch.hpp"

namespace corelens {

struct RecoveredException {
  std::string type;  // demangled: "std::runtime_error", "ParseError", "int"
  std::string what;  // what() (or the thrown value) as the program would print it; empty if unknown
  std::string note;  // why WHAT is empty, or where it came from when that needs saying
};

// ARCH gives the process's pointer size, byte order and libstdc++'s header layout (the
// Itanium C++ ABI everywhere; arm's EHABI record differs).
std::optional<RecoveredException> find_inflight_exception(const ThreadReport& crashed, const MemorySource& memory,
                                                          const SymbolLookup* symbols, Arch arch);

}  // namespace corelens
