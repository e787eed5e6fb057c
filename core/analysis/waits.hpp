// Why it is stuck: what each thread waits for, and who holds it.
//
// A thread is waiting when its registers show it inside a blocking system call (syscalls.hpp).
// The call says the kind of wait (futex, read, poll ...); for a futex, the frames of the C library
// above it say which primitive it serves (pthread_mutex_lock, pthread_cond_wait, pthread_join,
// sem_wait ...), and the futex address, the word it sleeps on, lies inside that primitive's
// object. glibc's layouts (glibc_layouts.hpp) give the object's start and the field that names the
// owner: a mutex's __owner, a rwlock's __cur_writer, the tid a join waits to see cleared. Where
// more than one start is possible (a condvar has two signal words, a rwlock three futexes), the
// one that the waiting call's own registers hold, or a global symbol starts at, or whose fields
// are consistent, is taken; where none is known the futex word itself is reported, said so.
//
// Facts come from the dump's memory and registers; names of functions only pick the primitive.
//
// Ownership: the inputs are borrowed for the duration of analyze_waits(); the result is a value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/analysis/glibc_layouts.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"

namespace corelens {

// Names the object at an address for the report. The symbol tables give a global's name
// ("config_lock", "acc+0x28"); the DWARF values engine (unwinder/values) can name the variable
// and member path ("acc[1].lock") as seen from a frame. THREAD and FRAME index Report::threads and
// that thread's frames: the frame of the program's own code that passed the object.
class ObjectNamer {
 public:
  virtual ~ObjectNamer() = default;
  // Empty when nothing names ADDRESS.
  virtual std::string name_object(std::size_t thread, std::size_t frame, std::uint64_t address) const = 0;
};

struct WaitInputs {
  const Report& report;        // symbolised threads: registers, frames with recovered registers
  const ProcessDump& dump;     // architecture, mappings
  const MemorySource& memory;  // the locks' words, the stacks
  const GlibcLayout* layout = nullptr;  // null: glibc's lock layouts are not known here
  const ObjectNamer* names = nullptr;   // null: objects go by address alone
};

// One entry per thread blocked in a system call, in Report::threads order.
std::vector<ThreadWait> analyze_waits(const WaitInputs& in);

// "pthread_mutex_lock" for "__GI___pthread_mutex_lock", "pthread_cond_wait" for
// "___pthread_cond_wait": glibc's internal aliases as the API names them.
std::string api_name(std::string_view function);

// The libraries every program waits in, whoever called them: the C library, the dynamic linker,
// libpthread, the C++ runtime (by file name: "libc.so.6", "libpthread-2.31.so" ...).
bool is_runtime_module(const std::string& module);

}  // namespace corelens
