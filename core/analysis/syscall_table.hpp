// One architecture's table of system calls: the calls a thread can sleep in and the common ones
// around them, with the kernel's parameter names (SYSCALL_DEFINE), by which the wait analysis
// reads the arguments. Shared by the per-architecture files of syscalls, with the lookups they
// all make.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/model/process.hpp"
#include "core/model/report.hpp"

namespace corelens::syscall_table {

struct Entry {
  std::int64_t number;
  std::string_view name;
  std::array<std::string_view, 6> args;  // the kernel's parameter names; empty past the last
};

// The call NUMBER with the arguments REGS hold in ARG_REGISTERS (the ABI's argument registers in
// order), from argument FIRST on (an earlier one overwritten by the result); "syscall N" with no
// arguments when TABLE does not know it.
BlockingSyscall call_with_arguments(std::span<const Entry> table, std::int64_t number,
                                    const std::array<std::string_view, 6>& arg_registers,
                                    const std::vector<Register>& regs, std::size_t first = 0);

// The call a thread resumed through restart_syscall (RESTART_NUMBER) was making, named by the C
// library's WRAPPER on its stack: TABLE's first other entry of that name, or null.
const Entry* restarted_entry(std::span<const Entry> table, std::string_view wrapper, std::int64_t restart_number);

}  // namespace corelens::syscall_table
