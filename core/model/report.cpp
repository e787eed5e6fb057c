#include "core/model/report.hpp"

namespace corelens {

std::string producer_words(const std::string& producer) {
  if (producer == "gdb") return "gdb's gcore";
  if (producer == "kernel") return "the kernel";
  if (producer == "live") return "nobody (read from the running process)";
  return producer;
}

const char* to_string(SymbolSource source) {
  switch (source) {
    case SymbolSource::file: return "file";
    case SymbolSource::debug_file: return "debug-file";
    case SymbolSource::debuginfod: return "debuginfod";
    case SymbolSource::core_memory: return "core-memory";
    case SymbolSource::none: return "none";
    case SymbolSource::mismatch: return "mismatch";
  }
  return "unknown";
}

std::optional<std::size_t> Report::crashed_thread_index() const {
  for (std::size_t i = 0; i < threads.size(); ++i) {
    if (threads[i].crashed) return i;
  }
  return std::nullopt;
}

const ThreadReport* Report::crashed_thread() const {
  auto i = crashed_thread_index();
  return i ? &threads[*i] : nullptr;
}

const ThreadReport* Report::cpu_stack(std::uint32_t cpu) const {
  for (const auto& t : threads) {
    if (t.cpu == cpu) return &t;
  }
  return nullptr;
}

const StackReport* Report::task_stack(std::size_t task) const {
  if (!kernel || task >= kernel->tasks.size()) return nullptr;
  const KernelTaskReport& t = kernel->tasks[task];
  if (t.running_on) return cpu_stack(*t.running_on);
  return &t;
}

}  // namespace corelens
