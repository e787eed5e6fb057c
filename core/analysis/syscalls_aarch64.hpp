// aarch64's part of syscalls.hpp: the call a thread sleeps in, read from x8 and the code at pc
// (syscalls_aarch64.cpp says why the code, not NT_ARM_SYSTEM_CALL).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/model/memory_source.hpp"
#include "core/model/report.hpp"

namespace corelens {

// Null CODE: nothing can be said. nullopt: not at a system call.
std::optional<BlockingSyscall> aarch64_blocking_syscall(const std::vector<Register>& regs, const MemorySource* code);
// restart_syscall (128) named by the C library's WRAPPER, as restarted_syscall does for x86.
std::optional<BlockingSyscall> aarch64_restarted_syscall(const std::vector<Register>& regs, const BlockingSyscall& s,
                                                         std::string_view wrapper);

}  // namespace corelens
