#include "core/model/kernel/kernel_dump.hpp"

#include <charconv>

namespace corelens {
namespace {

std::optional<std::uint64_t> parse_unsigned(std::string_view s, int base) {
  if (base == 16 && (s.starts_with("0x") || s.starts_with("0X"))) s.remove_prefix(2);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Decimal, possibly negative (x86_64's phys_base), or hexadecimal with 0x (arm64 writes
// NUMBER(kimage_voffset)=0xffff... and NUMBER(PHYS_OFFSET) so: its bits, not a negative number).
std::optional<std::int64_t> parse_signed(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) {
    auto u = parse_unsigned(s, 16);
    return u ? std::optional(static_cast<std::int64_t>(*u)) : std::nullopt;
  }
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

void VmcoreInfo::add(std::string key, std::string value) {
  index_.try_emplace(key, entries_.size());
  entries_.emplace_back(std::move(key), std::move(value));
}

std::optional<std::string> VmcoreInfo::get(std::string_view key) const {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return entries_[it->second].second;
}

#define CORELENS_VMCOREINFO_KEY(prefix) (std::string(prefix "(") + std::string(name) + ")")

std::optional<std::uint64_t> VmcoreInfo::symbol(std::string_view name) const {
  auto v = get(CORELENS_VMCOREINFO_KEY("SYMBOL"));
  return v ? parse_unsigned(*v, 16) : std::nullopt;
}
std::optional<std::uint64_t> VmcoreInfo::offset(std::string_view name) const {
  auto v = get(CORELENS_VMCOREINFO_KEY("OFFSET"));
  return v ? parse_unsigned(*v, 10) : std::nullopt;
}
std::optional<std::uint64_t> VmcoreInfo::size(std::string_view name) const {
  auto v = get(CORELENS_VMCOREINFO_KEY("SIZE"));
  return v ? parse_unsigned(*v, 10) : std::nullopt;
}
std::optional<std::uint64_t> VmcoreInfo::length(std::string_view name) const {
  auto v = get(CORELENS_VMCOREINFO_KEY("LENGTH"));
  return v ? parse_unsigned(*v, 10) : std::nullopt;
}
std::optional<std::int64_t> VmcoreInfo::number(std::string_view name) const {
  auto v = get(CORELENS_VMCOREINFO_KEY("NUMBER"));
  return v ? parse_signed(*v) : std::nullopt;
}
#undef CORELENS_VMCOREINFO_KEY

std::optional<std::uint64_t> VmcoreInfo::page_size() const {
  auto v = get("PAGESIZE");
  return v ? parse_unsigned(*v, 10) : std::nullopt;
}
std::optional<std::uint64_t> VmcoreInfo::kernel_offset() const {
  auto v = get("KERNELOFFSET");
  return v ? parse_unsigned(*v, 16) : std::nullopt;
}
std::optional<std::uint64_t> VmcoreInfo::crash_time() const {
  auto v = get("CRASHTIME");
  return v ? parse_unsigned(*v, 10) : std::nullopt;
}

}  // namespace corelens
