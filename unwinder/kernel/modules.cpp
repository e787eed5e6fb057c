#include "unwinder/kernel/modules.hpp"

#include <algorithm>

#include "core/model/strings.hpp"
#include "unwinder/kernel/list_walk.hpp"

namespace corelens {
namespace {

constexpr std::size_t kSymSize = 24;        // Elf64_Sym
constexpr std::uint64_t kSymChunk = 2048;   // symbols read at once
constexpr std::size_t kMaxName = 256;

// Offsets of the struct module fields we read, from BTF; nullopt members are simply not read.
struct ModuleLayout {
  std::uint64_t list = 0, name = 0;
  std::uint64_t name_size = 0;
  std::uint64_t text_base = 0, text_size = 0;
  std::uint64_t text_size_bytes = 4;
  std::optional<std::uint64_t> orc_ip, orc, num_orcs;
  std::uint64_t num_orcs_bytes = 4;
  std::optional<std::uint64_t> kallsyms, symtab, num_symtab, strtab;
  std::uint64_t num_symtab_bytes = 4;
};

std::optional<ModuleLayout> module_layout(const KernelBtf& btf, std::string& why) {
  auto mod = btf.find_struct("module");
  if (!mod) {
    why = "BTF has no struct module";
    return std::nullopt;
  }
  ModuleLayout l;
  auto list = btf.member(*mod, "list");
  auto name = btf.member(*mod, "name");
  if (!list || !name) {
    why = "BTF's struct module has no list or name";
    return std::nullopt;
  }
  l.list = list->offset;
  l.name = name->offset;
  l.name_size = btf.size_of(name->type).value_or(56);
  if (auto base = btf.member(*mod, "core_layout.base"), size = btf.member(*mod, "core_layout.text_size"); base && size) {
    l.text_base = base->offset;  // 4.x .. 6.3
    l.text_size = size->offset;
    l.text_size_bytes = btf.size_of(size->type).value_or(4);
  } else if (auto mem = btf.member(*mod, "mem")) {
    // 6.4+: mem[MOD_TEXT] with MOD_TEXT = 0.
    auto arr = btf.array(mem->type);
    auto b = arr ? btf.member(arr->element, "base") : std::nullopt;
    auto s = arr ? btf.member(arr->element, "size") : std::nullopt;
    if (!b || !s) {
      why = "BTF's struct module_memory has no base or size";
      return std::nullopt;
    }
    l.text_base = mem->offset + b->offset;
    l.text_size = mem->offset + s->offset;
    l.text_size_bytes = btf.size_of(s->type).value_or(4);
  } else {
    why = "BTF's struct module has neither core_layout nor mem";
    return std::nullopt;
  }
  if (auto ip = btf.member(*mod, "arch.orc_unwind_ip"), orc = btf.member(*mod, "arch.orc_unwind"),
      num = btf.member(*mod, "arch.num_orcs");
      ip && orc && num) {
    l.orc_ip = ip->offset;
    l.orc = orc->offset;
    l.num_orcs = num->offset;
    l.num_orcs_bytes = btf.size_of(num->type).value_or(4);
  }
  if (auto ks = btf.member(*mod, "kallsyms"); ks) {
    auto mk = btf.find_struct("mod_kallsyms");
    auto symtab = mk ? btf.member(*mk, "symtab") : std::nullopt;
    auto num = mk ? btf.member(*mk, "num_symtab") : std::nullopt;
    auto strtab = mk ? btf.member(*mk, "strtab") : std::nullopt;
    if (symtab && num && strtab) {
      l.kallsyms = ks->offset;
      l.symtab = symtab->offset;
      l.num_symtab = num->offset;
      l.num_symtab_bytes = btf.size_of(num->type).value_or(4);
      l.strtab = strtab->offset;
    }
  }
  return l;
}

std::optional<std::uint64_t> read_uint(const MemorySource& m, std::uint64_t addr, std::uint64_t size) {
  std::byte b[8];
  if (size != 4 && size != 8) return std::nullopt;
  if (!m.read(addr, std::span(b, size))) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = size; i-- > 0;) v = (v << 8) | std::to_integer<std::uint64_t>(b[i]);
  return v;
}

std::string read_name(const MemorySource& m, std::uint64_t addr, std::size_t max) {
  std::string out;
  std::byte b[64];
  while (out.size() < max) {
    std::size_t n = std::min<std::size_t>(sizeof b, max - out.size());
    if (!m.read(addr + out.size(), std::span(b, n))) break;
    for (std::size_t i = 0; i < n; ++i) {
      char c = static_cast<char>(b[i]);
      if (c == '\0') return out;
      out.push_back(c >= 0x20 && c < 0x7f ? c : '?');  // names go into reports: printable only
    }
  }
  return out;
}

}  // namespace

const KernelModule* KernelModules::containing(std::uint64_t addr) const {
  for (const auto& m : modules_) {
    if (m.contains(addr)) return &m;
  }
  return nullptr;
}

const std::vector<KernelModules::TextSymbol>& KernelModules::text_symbols(const MemorySource& mem,
                                                                          const KernelModule& mod) const {
  auto [it, fresh] = symbols_.try_emplace(mod.address);
  if (!fresh) return it->second;
  std::vector<TextSymbol>& out = it->second;
  std::vector<std::byte> buf;
  // ELF's symbol 0 is the null symbol. Undefined and unnamed symbols name nothing; symbols
  // outside the text (data) never cover a code address nor end a function before the text does.
  for (std::uint64_t first = 1; first < mod.num_symtab; first += kSymChunk) {
    std::uint64_t n = std::min(kSymChunk, mod.num_symtab - first);
    buf.assign(n * kSymSize, std::byte{0});
    if (!mem.read(mod.symtab + first * kSymSize, buf)) break;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::byte* s = buf.data() + i * kSymSize;
      std::uint32_t name = std::to_integer<std::uint32_t>(s[0]) | std::to_integer<std::uint32_t>(s[1]) << 8 |
                           std::to_integer<std::uint32_t>(s[2]) << 16 | std::to_integer<std::uint32_t>(s[3]) << 24;
      std::uint16_t shndx = static_cast<std::uint16_t>(std::to_integer<unsigned>(s[6]) | std::to_integer<unsigned>(s[7]) << 8);
      std::uint64_t value = 0;
      for (int k = 7; k >= 0; --k) value = (value << 8) | std::to_integer<std::uint64_t>(s[8 + k]);
      if (shndx != 0 && name != 0 && mod.contains(value)) out.push_back({value, name});
    }
  }
  // Sorted by address; among aliases the first in the table wins, as in the kernel's scan.
  std::stable_sort(out.begin(), out.end(), [](const TextSymbol& a, const TextSymbol& b) { return a.value < b.value; });
  return out;
}

std::optional<ModuleSymbol> KernelModules::symbol(const MemorySource& mem, const KernelModule& mod,
                                                  std::uint64_t addr) const {
  if (mod.symtab == 0 || mod.num_symtab == 0 || !mod.contains(addr)) return std::nullopt;
  const auto& syms = text_symbols(mem, mod);
  auto next = std::upper_bound(syms.begin(), syms.end(), addr, [](std::uint64_t a, const TextSymbol& s) { return a < s.value; });
  if (next == syms.begin()) return std::nullopt;
  auto best = std::lower_bound(syms.begin(), next, std::prev(next)->value,
                               [](const TextSymbol& s, std::uint64_t v) { return s.value < v; });
  ModuleSymbol out;
  out.name = read_name(mem, mod.strtab + best->name, kMaxName);
  if (out.name.empty()) return std::nullopt;
  out.address = best->value;
  out.size = (next == syms.end() ? mod.text + mod.text_size : next->value) - best->value;
  return out;
}

KernelModules read_kernel_modules(const KernelMemory& mem, const KernelSymbols& symbols, const KernelBtf& btf,
                                  Diagnostics& diags, const ModuleLimits& limits) {
  KernelModules out;
  auto head = symbols.address_of("modules");
  if (!head) {
    diags.info("modules-missing", "the dump's kallsyms names no `modules` list: module code is not named or unwound");
    return out;
  }
  std::string why;
  auto l = module_layout(btf, why);
  if (!l) {
    diags.warn("modules-layout", "modules are not read: " + why);
    return out;
  }
  ListWalk walk = walk_kernel_list(mem, *head, limits.max_modules, [&](std::uint64_t node) {
    KernelModule m;
    m.address = node - l->list;
    m.name = read_name(mem, m.address + l->name, std::min<std::uint64_t>(l->name_size, 64));
    auto base = mem.read_u64(m.address + l->text_base);
    auto size = read_uint(mem, m.address + l->text_size, l->text_size_bytes);
    if (base && size && *size < (1ull << 30)) {
      m.text = *base;
      m.text_size = *size;
    }
    if (l->orc_ip) {
      auto ip = mem.read_u64(m.address + *l->orc_ip);
      auto orc = mem.read_u64(m.address + *l->orc);
      auto num = read_uint(mem, m.address + *l->num_orcs, l->num_orcs_bytes);
      if (ip && orc && num && *ip && *orc && *num <= limits.max_orc_entries) m.orc = OrcTableRef{*ip, *orc, *num};
    }
    if (l->kallsyms) {
      auto ks = mem.read_u64(m.address + *l->kallsyms);
      if (ks && *ks) {
        auto symtab = mem.read_u64(*ks + *l->symtab);
        auto num = read_uint(mem, *ks + *l->num_symtab, l->num_symtab_bytes);
        auto strtab = mem.read_u64(*ks + *l->strtab);
        if (symtab && num && strtab && *num <= limits.max_symbols) {
          m.symtab = *symtab;
          m.num_symtab = *num;
          m.strtab = *strtab;
        }
      }
    }
    out.add(std::move(m));
    return true;
  });
  if (walk.end != ListWalk::End::closed) {
    diags.warn("modules-list", "the module list " + walk.describe(limits.max_modules) + "; " +
                                   std::to_string(out.all().size()) + " modules read");
  }
  return out;
}

}  // namespace corelens
