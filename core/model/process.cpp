#include "core/model/process.hpp"

#include <algorithm>

namespace corelens {

std::optional<std::uint64_t> RegisterSet::get(std::string_view name) const {
  for (const auto& r : general) {
    if (r.name == name) return r.value;
  }
  return std::nullopt;
}

std::string Mapping::perms() const {
  std::string p = "---p";
  if (flags & kRead) p[0] = 'r';
  if (flags & kWrite) p[1] = 'w';
  if (flags & kExec) p[2] = 'x';
  return p;
}

std::optional<std::uint64_t> ProcessDump::auxv_value(std::uint64_t type) const {
  for (const auto& e : auxv) {
    if (e.type == type) return e.value;
  }
  return std::nullopt;
}

const Mapping* ProcessDump::mapping_at(std::uint64_t addr) const {
  // Mappings are sorted by start and do not overlap.
  auto it = std::upper_bound(mappings.begin(), mappings.end(), addr,
                             [](std::uint64_t a, const Mapping& m) { return a < m.start; });
  if (it == mappings.begin()) return nullptr;
  --it;
  return addr < it->end ? &*it : nullptr;
}

}  // namespace corelens
