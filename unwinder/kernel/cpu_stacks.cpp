#include "unwinder/kernel/cpu_stacks.hpp"

namespace corelens {

KernelUnwinder::KernelUnwinder(const KernelDump& dump, const KernelMemory& memory, const KernelSymbols& symbols,
                               const KernelBtf* btf, Diagnostics& diags, const KernelStackLimits& limits,
                               const KernelDwarf& dwarf)
    : arch_(dump.arch == Arch::aarch64 ? make_aarch64_unwinder(dump, memory, symbols, btf, diags, limits, dwarf)
                                       : make_x86_64_unwinder(dump, memory, symbols, btf, diags, limits, dwarf)) {}

KernelUnwinder::~KernelUnwinder() = default;

StackReport KernelUnwinder::unwind_cpu(const KernelCpu& cpu, std::optional<std::uint64_t> task) const {
  return arch_->unwind_cpu(cpu, task);
}

StackReport KernelUnwinder::unwind_task(std::uint64_t task, const StackRegion& stack) const {
  return arch_->unwind_task(task, stack);
}

std::uint64_t kernel_thread_size(const KernelBtf* btf) {
  constexpr std::uint64_t kDefault = kKernelStackSize;  // THREAD_SIZE without KASAN, x86_64 and arm64
  // THREAD_SIZE is a power of two of at least a page; KASAN and 64 KiB-page kernels reach 64 KiB.
  // A size outside [a page, 1 MiB] is a misread BTF, not a stack.
  constexpr std::uint64_t kMinThreadSize = 4096, kMaxThreadSize = 1u << 20;
  if (btf == nullptr) return kDefault;
  auto u = btf->find_struct("thread_union");
  auto size = u ? btf->size_of(*u) : std::nullopt;
  if (!size || *size < kMinThreadSize || *size > kMaxThreadSize || (*size & (*size - 1)) != 0) return kDefault;
  return *size;
}

}  // namespace corelens
