#include "core/analysis/syscall_table.hpp"

#include <string>

#include "core/analysis/explain.hpp"

namespace corelens::syscall_table {

BlockingSyscall call_with_arguments(std::span<const Entry> table, std::int64_t number,
                                    const std::array<std::string_view, 6>& arg_registers,
                                    const std::vector<Register>& regs, std::size_t first) {
  BlockingSyscall s;
  s.number = number;
  const Entry* entry = nullptr;
  for (std::size_t i = 0; i < table.size() && entry == nullptr; ++i) {
    if (table[i].number == number) entry = &table[i];
  }
  if (entry == nullptr) {
    s.name = "syscall " + std::to_string(number);
    return s;
  }
  s.name = std::string(entry->name);
  for (std::size_t i = first; i < entry->args.size() && !entry->args[i].empty(); ++i) {
    auto v = register_value(regs, arg_registers[i]);
    if (!v) break;
    s.args.push_back(SyscallArgument{std::string(entry->args[i]), *v, {}});
  }
  return s;
}

const Entry* restarted_entry(std::span<const Entry> table, std::string_view wrapper, std::int64_t restart_number) {
  // glibc's timed futex waits (sem_timedwait, pthread_cond_timedwait ...) go through this helper.
  if (wrapper.starts_with("futex_abstimed_wait")) wrapper = "futex";
  // The first entry of that name: on i386 the call of 32-bit time, whose time arguments the wait
  // analysis leaves raw rather than misread (the _time64 wrappers have names of their own).
  for (const auto& e : table) {
    if (e.name == wrapper && e.number != restart_number) return &e;
  }
  return nullptr;
}

}  // namespace corelens::syscall_table
