#include "unwinder/kernel/percpu.hpp"

namespace corelens {
namespace {

// Per-cpu variables every kernel has, to learn __per_cpu_start from when kallsyms lacks it.
constexpr std::string_view kAnchors[] = {"cpu_number", "runqueues", "irq_stat", "kstat", "kernel_cpustat"};
constexpr std::uint32_t kMaxCpus = 8192;  // NR_CPUS of Debian's x86_64 kernel

}  // namespace

KernelPerCpu::KernelPerCpu(const KernelMemory& memory, const KernelSymbols& symbols, const KernelBtf* btf)
    : memory_(memory), symbols_(symbols), btf_(btf) {
  offsets_ = symbols.address_of("__per_cpu_offset");
  per_cpu_start_ = symbols.address_of("__per_cpu_start");
  if (!per_cpu_start_ && btf != nullptr) {
    for (std::string_view anchor : kAnchors) {
      auto at = symbols.address_of(std::string(anchor));
      auto off = btf->percpu_offset(anchor);
      if (at && off && *at >= *off) {
        per_cpu_start_ = *at - *off;
        break;
      }
    }
  }
}

std::optional<std::uint64_t> KernelPerCpu::base(std::uint32_t cpu) const {
  if (!offsets_ || cpu >= kMaxCpus) return std::nullopt;
  auto v = memory_.read_u64(*offsets_ + 8ull * cpu);
  if (!v) return std::nullopt;
  return *v;
}

std::optional<std::uint64_t> KernelPerCpu::link_address(std::string_view name) const {
  if (auto at = symbols_.address_of(std::string(name))) return at;
  if (btf_ == nullptr || !per_cpu_start_) return std::nullopt;
  auto off = btf_->percpu_offset(name);
  if (!off) return std::nullopt;
  return *per_cpu_start_ + *off;
}

std::optional<std::uint64_t> KernelPerCpu::address(std::string_view name, std::uint32_t cpu) const {
  auto b = base(cpu);
  auto at = link_address(name);
  if (!b || !at) return std::nullopt;
  return *at + *b;
}

std::optional<std::uint64_t> KernelPerCpu::read_u64(std::string_view name, std::uint64_t member_offset,
                                                    std::uint32_t cpu) const {
  auto at = address(name, cpu);
  if (!at) return std::nullopt;
  auto v = memory_.read_u64(*at + member_offset);
  if (!v || *v == 0) return std::nullopt;
  return *v;
}

}  // namespace corelens
