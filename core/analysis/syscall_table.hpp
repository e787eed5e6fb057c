// One architecture's table of system calls: the calls a thread can sleep in and the common ones
// around them, with the kernel's parameter names (SYSCALL_DEFINE), by which the wait analysis
// reads the arguments. Shared by the per-architecture files of syscalls.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace corelens::syscall_table {

struct Entry {
  std::int64_t number;
  std::string_view name;
  std::array<std::string_view, 6> args;  // the kernel's parameter names; empty past the last
};

}  // namespace corelens::syscall_table
