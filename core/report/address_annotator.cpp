#include "core/report/address_annotator.hpp"

#include <algorithm>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

// arch_randomize_brk() on x86_64 places the break up to 32 MiB above the end of the executable.
constexpr std::uint64_t kBrkRandomRange = 0x02000000;

const MappingReport* mapping_at(const Report& report, std::uint64_t addr) {
  // Mappings are sorted by start in the report; a binary search keeps huge maps cheap.
  auto it = std::upper_bound(report.mappings.begin(), report.mappings.end(), addr,
                             [](std::uint64_t a, const MappingReport& m) { return a < m.start; });
  if (it == report.mappings.begin()) return nullptr;
  --it;
  return addr < it->end ? &*it : nullptr;
}

}  // namespace

std::string base_name(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::optional<std::uint64_t> stack_pointer(const std::vector<Register>& registers) {
  for (const auto& r : registers) {
    if (r.name == "rsp" || r.name == "sp") return r.value;
  }
  return std::nullopt;
}

AddressAnnotator::AddressAnnotator(const Report* report, SymbolNamer namer)
    : report_(report), namer_(std::move(namer)) {
  if (report_ == nullptr) return;
  // The report lists mappings in address order, which mapping_at() relies on; a hostile dump
  // could list them otherwise, and then lookups fall back to a linear scan.
  sorted_ = std::is_sorted(report_->mappings.begin(), report_->mappings.end(),
                           [](const MappingReport& a, const MappingReport& b) { return a.start < b.start; });
  for (const auto& t : report_->threads) {
    auto sp = stack_pointer(t.registers);
    if (!sp) continue;
    for (const auto& m : report_->mappings) {
      if (*sp >= m.start && *sp < m.end) stacks_.emplace_back(&m, t.tid);
    }
  }
  const ModuleReport* exe = nullptr;
  for (const auto& mod : report_->modules) {
    if (mod.is_main_executable) exe = &mod;
  }
  if (exe != nullptr) {
    for (const auto& m : report_->mappings) {
      bool anonymous_rw = m.path.empty() && m.perms.size() >= 2 && m.perms[1] == 'w';
      if (anonymous_rw && m.start >= exe->end && m.start - exe->end <= kBrkRandomRange &&
          !stack_owner(m)) {
        heap_ = &m;
        break;
      }
    }
  }
}

std::optional<std::int32_t> AddressAnnotator::stack_owner(const MappingReport& mapping) const {
  for (const auto& [m, tid] : stacks_) {
    if (m == &mapping) return tid;
  }
  return std::nullopt;
}

AddressInfo AddressAnnotator::describe(std::uint64_t addr) const {
  AddressInfo info;
  if (report_ == nullptr) return info;
  if (report_->kernel) {
    // A kernel dump has no mappings to look up: name the half of the address space, and the
    // symbol (kallsyms) in annotate().
    constexpr std::uint64_t kKernelHalf = 0xffff800000000000ull;
    info.kind = RegionKind::anonymous;
    info.text = addr >= kKernelHalf ? "kernel" : "user space";
    return info;
  }
  info.mapping = sorted_ ? mapping_at(*report_, addr) : nullptr;
  if (!sorted_) {
    for (const auto& m : report_->mappings) {
      if (addr >= m.start && addr < m.end) info.mapping = &m;
    }
  }
  for (const auto& mod : report_->modules) {
    if (addr >= mod.start && addr < mod.end) {
      info.kind = RegionKind::module;
      info.module = &mod;
      info.text = base_name(mod.path) + "+" + hex(addr - mod.load_bias);
      return info;
    }
  }
  if (info.mapping == nullptr) return info;
  const MappingReport& m = *info.mapping;
  if (auto tid = stack_owner(m)) {
    info.kind = RegionKind::stack;
    info.text = "stack of thread " + std::to_string(*tid);
  } else if (&m == heap_) {
    info.kind = RegionKind::heap;
    info.text = "heap";
  } else if (!m.path.empty()) {
    info.kind = RegionKind::file;
    info.text = base_name(m.path) + " @" + hex(m.file_offset + (addr - m.start));
  } else {
    info.kind = RegionKind::anonymous;
    info.text = "anonymous " + m.perms;
  }
  return info;
}

std::optional<std::string> AddressAnnotator::symbol(std::uint64_t addr) const {
  if (!namer_) return std::nullopt;
  return namer_(addr);
}

std::string AddressAnnotator::annotate(std::uint64_t addr) const {
  AddressInfo info = describe(addr);
  if (info.kind == RegionKind::module || (report_ != nullptr && report_->kernel && info.text == "kernel")) {
    if (auto name = symbol(addr)) return *name + " (" + info.text + ")";
  }
  return info.text;
}

}  // namespace corelens
