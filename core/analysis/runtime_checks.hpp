// The runtime checks that end a process with abort(): the stack protector, _FORTIFY_SOURCE, assert,
// malloc's consistency checks, and abort() itself. Recognised by the functions the crashing stack
// goes through, by either of two facts that do not depend on the libc the process ran with:
//
//   - a frame's name (when the libc's symbols are at hand): __stack_chk_fail, __strcpy_chk,
//     __assert_fail, malloc_printerr, free ...
//   - the import a frame called through its own PLT or GOT (plt_calls.hpp): the executable's
//     `call __stack_chk_fail@plt` names the check even when libc is absent or unsymbolised, as
//     on a core from another distribution's machine.
//
// Not by glibc's message text, which changed across releases ("*** buffer overflow detected ***:
// <prog> terminated" before 2.34, "... ***: terminated" after), nor by glibc-internal names alone
// (__libc_message became __libc_message_impl in 2.39; __fortify_fail_abort existed only in 2.26-2.33).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/analysis/disassembler.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"

namespace corelens {

enum class RuntimeCheck { none, stack_protector, fortify, assertion, heap, abort };

// The check a function belongs to, by its name as a symbol table or a relocation gives it
// ("__strcpy_chk", "free", "_ZdlPv"), a demangled name ("operator delete(void*)"), or a PLT
// name ("abort@plt"); symbol versions ("@@GLIBC_2.4") are ignored.
RuntimeCheck runtime_check_of(std::string_view function);

struct RuntimeCheckHit {
  RuntimeCheck check = RuntimeCheck::none;
  std::string function;           // the name that decided: "__stack_chk_fail"
  std::size_t frame = 0;          // index into the thread's frames: the one named (the outermost
                                  // of its kind), or the caller that called it through its PLT
  bool through_import = false;    // named by the caller's PLT/GOT, not by the frame's own symbol
};

// The check on CRASHED's stack that the program called: stack protector, fortify, heap and assert
// before a plain abort (abort is on every one of these stacks). DISASSEMBLER may be null (then
// frames' names only).
std::optional<RuntimeCheckHit> find_runtime_check(const ThreadReport& crashed, const ProcessDump& dump,
                                                  const MemorySource& memory, const Disassembler* disassembler);

}  // namespace corelens
