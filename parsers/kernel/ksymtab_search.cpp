#include "parsers/kernel/ksymtab_search.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace corelens {
namespace {

constexpr std::uint64_t kChunk = 1u << 20;
constexpr std::size_t kEntry = 12;  // struct kernel_symbol with PREL32: value, name, namespace

std::int32_t s32_at(const std::vector<std::byte>& b, std::size_t at) {
  std::int32_t v = 0;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

// The image from START until reads fail for a whole chunk (past its end) or LIMIT bytes.
std::vector<std::byte> read_image(const KernelMemory& m, std::uint64_t start, std::uint64_t limit) {
  std::vector<std::byte> out;
  std::vector<std::byte> chunk(kChunk);
  for (std::uint64_t at = start; at - start < limit; at += kChunk) {
    bool any = false;
    for (std::uint64_t p = 0; p < kChunk; p += 4096) {
      std::span<std::byte> page(chunk.data() + p, 4096);
      if (m.read(at + p, page)) any = true;
      else std::fill(page.begin(), page.end(), std::byte{0});
    }
    if (!any) break;
    out.insert(out.end(), chunk.begin(), chunk.end());
  }
  return out;
}

// The NUL-terminated string at byte AT of IMAGE, if it is one (printable, short).
std::string string_at(const std::vector<std::byte>& image, std::int64_t at) {
  std::string s;
  if (at <= 0 || static_cast<std::uint64_t>(at) >= image.size() || image[at - 1] != std::byte{0}) return s;
  for (std::uint64_t i = static_cast<std::uint64_t>(at); i < image.size() && s.size() < 128; ++i) {
    char c = std::to_integer<char>(image[i]);
    if (c == '\0') return s;
    if (c < 0x20 || c > 0x7e) return {};
    s.push_back(c);
  }
  return {};
}

// The name an entry at byte E names, if E is an entry of the table.
std::string entry_name(const std::vector<std::byte>& image, std::int64_t e) {
  if (e < 0 || static_cast<std::uint64_t>(e) + kEntry > image.size()) return {};
  return string_at(image, e + 4 + s32_at(image, static_cast<std::size_t>(e + 4)));
}

}  // namespace

std::vector<KernelSymbol> find_exported_symbols(const KernelMemory& memory, std::uint64_t image_start,
                                                const std::vector<std::string>& names,
                                                const KsymtabSearchLimits& limits) {
  std::vector<KernelSymbol> out;
  std::vector<std::byte> image = read_image(memory, image_start, limits.max_image);
  if (image.size() < kEntry) return out;
  // Where each name stands as a whole NUL-delimited string.
  std::map<std::uint64_t, std::string> strings;  // offset in image -> name
  const char* base = reinterpret_cast<const char*>(image.data());
  for (const auto& name : names) {
    std::string needle = '\0' + name + '\0';
    for (const char* p = base; (p = static_cast<const char*>(
                                    memmem(p, image.size() - static_cast<std::size_t>(p - base), needle.data(), needle.size()))) != nullptr;
         ++p) {
      strings.emplace(static_cast<std::uint64_t>(p - base) + 1, name);
      if (static_cast<std::size_t>(p - base) + needle.size() >= image.size()) break;
    }
  }
  if (strings.empty()) return out;
  std::map<std::string, std::uint64_t> found;
  for (std::size_t at = 4; at + 8 <= image.size(); at += 4) {
    std::int64_t target = static_cast<std::int64_t>(at) + s32_at(image, at);
    auto it = strings.find(static_cast<std::uint64_t>(target));
    if (target < 0 || it == strings.end() || found.contains(it->second)) continue;
    std::int64_t e = static_cast<std::int64_t>(at) - 4;
    // Its neighbours are entries whose names sort around it: the table, not a stray word.
    std::string before = entry_name(image, e - static_cast<std::int64_t>(kEntry));
    std::string after = entry_name(image, e + static_cast<std::int64_t>(kEntry));
    bool before_ok = !before.empty() && before < it->second;
    bool after_ok = !after.empty() && after > it->second;
    if (!(before_ok && after_ok) && !(before_ok && after.empty()) && !(after_ok && before.empty())) continue;
    std::uint64_t value = image_start + static_cast<std::uint64_t>(e + s32_at(image, static_cast<std::size_t>(e)));
    found.emplace(it->second, value);
  }
  for (const auto& [name, address] : found) out.push_back(KernelSymbol{address, 'D', name});
  return out;
}

}  // namespace corelens
