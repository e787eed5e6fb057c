#include "parsers/kernel/kallsyms.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/model/strings.hpp"

namespace corelens {

void KernelSymbols::assign(std::vector<KernelSymbol> symbols) {
  by_address_ = std::move(symbols);
  std::stable_sort(by_address_.begin(), by_address_.end(),
                   [](const KernelSymbol& a, const KernelSymbol& b) { return a.address < b.address; });
  by_name_.resize(by_address_.size());
  for (std::uint32_t i = 0; i < by_name_.size(); ++i) by_name_[i] = i;
  // Equal names keep address order: address_of() gives the lowest, as a linear search would.
  std::stable_sort(by_name_.begin(), by_name_.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return by_address_[a].name < by_address_[b].name; });
}

void KernelSymbols::add(std::vector<KernelSymbol> more) {
  std::vector<KernelSymbol> all = std::move(by_address_);
  for (auto& s : more) all.push_back(std::move(s));
  assign(std::move(all));
}

std::optional<KernelSymbols::Hit> KernelSymbols::lookup(std::uint64_t addr) const {
  auto it = std::upper_bound(by_address_.begin(), by_address_.end(), addr,
                             [](std::uint64_t a, const KernelSymbol& s) { return a < s.address; });
  if (it == by_address_.begin()) return std::nullopt;
  --it;
  // Among symbols at the same address prefer a function (t/T) name.
  auto best = it;
  for (auto j = it; j->address == it->address; --j) {
    if (j->type == 't' || j->type == 'T') best = j;
    if (j == by_address_.begin()) break;
  }
  // kallsyms of the core kernel does not cover modules (MODULES_VADDR on): an address far past
  // the last symbol is not "__init_scratch_end+0x2750230".
  constexpr std::uint64_t kMaxOffset = 1u << 20;
  if (addr - best->address > kMaxOffset) return std::nullopt;
  return Hit{&*best, addr - best->address};
}

std::optional<std::uint64_t> KernelSymbols::address_of(const std::string& name) const {
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [&](std::uint32_t i, const std::string& n) { return by_address_[i].name < n; });
  if (it == by_name_.end() || by_address_[*it].name != name) return std::nullopt;
  return by_address_[*it].address;
}

std::vector<std::uint64_t> KernelSymbols::addresses_of(const std::string& name) const {
  std::vector<std::uint64_t> out;
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [&](std::uint32_t i, const std::string& n) { return by_address_[i].name < n; });
  for (; it != by_name_.end() && by_address_[*it].name == name; ++it) out.push_back(by_address_[*it].address);
  return out;
}

std::optional<std::uint64_t> KernelSymbols::extent(std::uint64_t address) const {
  auto it = std::upper_bound(by_address_.begin(), by_address_.end(), address,
                             [](std::uint64_t a, const KernelSymbol& s) { return a < s.address; });
  if (it == by_address_.end()) return std::nullopt;
  return it->address - address;
}

std::string KernelSymbols::describe(std::uint64_t addr) const {
  auto hit = lookup(addr);
  if (!hit) return {};
  std::string s = hit->symbol->name;
  if (hit->offset != 0) s += "+" + hex(hit->offset);
  return s;
}

namespace {

// Sequential reads of kernel memory in 64 KiB chunks.
class ChunkedReader {
 public:
  ChunkedReader(const KernelMemory& mem, std::uint64_t addr) : mem_(mem), next_(addr) {}
  Result<std::uint8_t> byte() {
    if (pos_ == buf_.size()) {
      buf_.assign(65536, std::byte{0});
      // Stop at a page that cannot be read only when we need its bytes: shrink the chunk.
      std::size_t n = buf_.size();
      while (n > 0) {
        if (mem_.read(next_, std::span(buf_.data(), n))) break;
        n /= 2;
        if (n < 4096) {
          auto r = mem_.read(next_, std::span(buf_.data(), 1));
          if (!r) return unexpected(r.error());
          n = 1;
          break;
        }
      }
      buf_.resize(n);
      next_ += n;
      pos_ = 0;
    }
    ++consumed_;
    return std::to_integer<std::uint8_t>(buf_[pos_++]);
  }
  std::uint64_t consumed() const { return consumed_; }

 private:
  const KernelMemory& mem_;
  std::uint64_t next_;
  std::vector<std::byte> buf_;
  std::size_t pos_ = 0;
  std::uint64_t consumed_ = 0;
};

}  // namespace

std::uint64_t kallsyms_address(std::int32_t offset, std::uint64_t relative_base, bool absolute_percpu) {
  if (!absolute_percpu) return relative_base + static_cast<std::uint32_t>(offset);
  return offset >= 0 ? static_cast<std::uint64_t>(offset)
                     : relative_base - 1 - static_cast<std::uint64_t>(static_cast<std::int64_t>(offset));
}

KernelSymbols read_kallsyms(const KernelMemory& mem, const VmcoreInfo& info, Diagnostics& diags,
                            const KallsymsLimits& limits) {
  KallsymsTables t;
  auto num_syms_at = info.symbol("kallsyms_num_syms");
  auto names_at = info.symbol("kallsyms_names");
  auto token_table_at = info.symbol("kallsyms_token_table");
  auto token_index_at = info.symbol("kallsyms_token_index");
  auto offsets_at = info.symbol("kallsyms_offsets");
  auto relative_base_at = info.symbol("kallsyms_relative_base");
  if (num_syms_at && names_at && token_table_at && token_index_at && offsets_at && relative_base_at) {
    t.num_syms = *num_syms_at;
    t.names = *names_at;
    t.token_table = *token_table_at;
    t.token_index = *token_index_at;
    t.offsets = *offsets_at;
    t.relative_base = *relative_base_at;
    return read_kallsyms(mem, t, diags, limits);
  }
  // Kernels before 6.0: the tables are in the image, found by their structure from its text.
  auto stext = info.symbol("_stext");
  if (!stext) {
    diags.info("kallsyms-unavailable", "VMCOREINFO neither locates the kallsyms tables (a kernel before 6.0) nor names "
                                       "_stext to search for them from: kernel addresses stay unnamed");
    return {};
  }
  std::string why;
  auto found = find_kallsyms_tables(mem, *stext, why);
  if (!found) {
    diags.info("kallsyms-unavailable", "VMCOREINFO does not locate the kallsyms tables (a kernel before 6.0) and the "
                                       "kernel image has none that this version recognises: " + why +
                                       "; kernel addresses stay unnamed");
    return {};
  }
  KernelSymbols out = read_kallsyms(mem, *found, diags, limits);
  if (!out.empty()) {
    diags.info("kallsyms-found", "VMCOREINFO does not locate the kallsyms tables (a kernel before 6.0): found by their "
                                 "structure in the kernel image, token table at " + hex(found->token_table) + ", " +
                                 std::to_string(out.size()) + " symbols");
  }
  return out;
}

KernelSymbols read_kallsyms(const KernelMemory& mem, const KallsymsTables& tables, Diagnostics& diags,
                            const KallsymsLimits& limits) {
  // KALLSYMS_ABSOLUTE_PERCPU: x86_64's SMP kernels, whose per-cpu symbols are small absolute values.
  const bool absolute_percpu = mem.arch() == Arch::x86_64;
  KernelSymbols out;
  auto warn = [&](const std::string& what, const Error& e) {
    diags.warn("kallsyms-unreadable", "kallsyms: " + what + ": " + e.message, e.where);
  };
  auto num = mem.read_u32(tables.num_syms);
  if (!num) return warn("kallsyms_num_syms", num.error()), out;
  auto relative_base = mem.read_u64(tables.relative_base);
  if (!relative_base) return warn("kallsyms_relative_base", relative_base.error()), out;
  if (*num == 0 || *num > limits.max_symbols) {
    diags.warn("kallsyms-malformed", "kallsyms_num_syms is " + std::to_string(*num));
    return out;
  }
  // 256 tokens, each a NUL-terminated string in token_table at token_index[i].
  std::array<std::uint16_t, 256> token_index{};
  if (auto r = mem.read(tables.token_index, std::as_writable_bytes(std::span(token_index))); !r) {
    return warn("kallsyms_token_index", r.error()), out;
  }
  std::uint16_t max_index = *std::max_element(token_index.begin(), token_index.end());
  std::vector<char> table(std::size_t{max_index} + 256, '\0');
  if (auto r = mem.read(tables.token_table, std::as_writable_bytes(std::span(table))); !r) {
    return warn("kallsyms_token_table", r.error()), out;
  }
  table.back() = '\0';
  std::array<std::string, 256> tokens;
  for (std::size_t i = 0; i < 256; ++i) tokens[i] = std::string(table.data() + token_index[i]);
  std::vector<std::int32_t> offsets(*num);
  if (auto r = mem.read(tables.offsets, std::as_writable_bytes(std::span(offsets))); !r) {
    return warn("kallsyms_offsets", r.error()), out;
  }
  std::vector<KernelSymbol> symbols;
  symbols.reserve(*num);
  ChunkedReader names(mem, tables.names);
  for (std::uint32_t i = 0; i < *num; ++i) {
    auto len_byte = names.byte();
    if (!len_byte) return warn("kallsyms_names", len_byte.error()), out;
    std::uint32_t len = *len_byte;
    if (len & 0x80) {  // big symbol: 7 low bits + the next byte << 7
      auto hi = names.byte();
      if (!hi) return warn("kallsyms_names", hi.error()), out;
      len = (len & 0x7f) | (std::uint32_t{*hi} << 7);
    }
    std::string name;
    for (std::uint32_t k = 0; k < len; ++k) {
      auto tok = names.byte();
      if (!tok) return warn("kallsyms_names", tok.error()), out;
      name += tokens[*tok];
    }
    if (names.consumed() > limits.max_names_bytes) {
      diags.warn("kallsyms-malformed", "kallsyms_names runs past " + std::to_string(limits.max_names_bytes) + " bytes");
      return out;
    }
    KernelSymbol s;
    s.address = kallsyms_address(offsets[i], *relative_base, absolute_percpu);
    if (!name.empty()) {
      s.type = name.front();
      s.name = printable(name.substr(1));
    }
    symbols.push_back(std::move(s));
  }
  out.assign(std::move(symbols));
  return out;
}

}  // namespace corelens
