#include "parsers/core_link_map.hpp"

#include <elf.h>

#include <algorithm>
#include <array>
#include <unordered_set>

#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"
#include "parsers/core_modules.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::uint16_t kMaxPhdrs = 512;
constexpr std::size_t kMaxPathLength = 4096;

// Words of the dumped process: pointers and longs of its size, in its byte order.
class Words {
 public:
  explicit Words(const ProcessDump& dump)
      : memory_(dump.memory), word_(pointer_size(dump.arch)), order_(byte_order(dump.arch)) {}
  unsigned size() const { return word_; }
  std::optional<std::uint64_t> at(std::uint64_t addr) const {
    std::array<std::byte, 8> bytes{};
    if (!memory_.read(addr, std::span(bytes.data(), word_))) return std::nullopt;
    ByteReader r(std::span<const std::byte>(bytes.data(), word_), 0, order_);
    if (word_ == 4) return std::uint64_t{*r.u32(0)};
    return *r.u64(0);
  }

 private:
  const AddressSpace& memory_;
  unsigned word_;
  std::endian order_;
};

std::vector<ElfProgramHeader> decode_phdrs(std::span<const std::byte> bytes, std::uint64_t count, bool is_64bit,
                                           std::endian order) {
  ByteReader r(bytes, 0, order);
  std::vector<ElfProgramHeader> out;
  const std::uint64_t size = is_64bit ? 56 : 32;
  for (std::uint64_t i = 0; i < count && r.has(i * size, size); ++i) {
    std::uint64_t o = i * size;
    ElfProgramHeader p = decode_program_header(r, o, is_64bit);
    out.push_back(p);
  }
  return out;
}

// The extent of an object from its PT_LOADs: [lowest page, highest end rounded up to a page).
std::pair<std::uint64_t, std::uint64_t> load_extent(const std::vector<ElfProgramHeader>& phdrs, std::uint64_t bias) {
  std::uint64_t lo = UINT64_MAX, hi = 0;
  for (const auto& p : phdrs) {
    if (p.type != PT_LOAD || p.memsz == 0) continue;
    std::uint64_t start = 0, end = 0;
    if (add_overflows(bias, p.vaddr, &start) || add_overflows(start, p.memsz, &end)) continue;
    lo = std::min(lo, start & ~(kPage - 1));
    hi = std::max(hi, end);
  }
  if (lo == UINT64_MAX) return {0, 0};
  std::uint64_t rounded = 0;
  if (!add_overflows(hi, kPage - 1, &rounded)) hi = rounded & ~(kPage - 1);
  return {lo, hi};
}

}  // namespace

std::string executable_path_from_core(const ProcessDump& dump) {
  if (auto execfn = dump.auxv_value(AT_EXECFN)) {
    if (auto s = dump.memory.read_string(*execfn, kMaxPathLength); s && !s->empty()) return printable(*s);
  }
  return dump.psinfo ? dump.psinfo->fname : std::string();
}

std::optional<ExecutableImage> executable_from_memory(const ProcessDump& dump) {
  auto phdr = dump.auxv_value(AT_PHDR), phnum = dump.auxv_value(AT_PHNUM), phent = dump.auxv_value(AT_PHENT);
  const bool is_64bit = pointer_size(dump.arch) == 8;
  const std::uint64_t size = is_64bit ? 56 : 32;
  if (!phdr || !phnum || *phnum == 0 || *phnum > kMaxPhdrs || (phent && *phent != size)) return std::nullopt;
  std::vector<std::byte> bytes(*phnum * size);
  if (!dump.memory.read(*phdr, bytes)) return std::nullopt;
  ExecutableImage exe;
  exe.phdrs = decode_phdrs(bytes, *phnum, is_64bit, byte_order(dump.arch));
  exe.headers_in_core = true;
  bool biased = false;
  for (const auto& p : exe.phdrs) {
    if (p.type == PT_PHDR) {
      exe.load_bias = *phdr - p.vaddr;
      biased = true;
    }
  }
  if (!biased) {
    // No PT_PHDR (some static executables): the headers follow the ELF header at the start of
    // the first PT_LOAD, which is where every linker puts them.
    for (const auto& p : exe.phdrs) {
      if (p.type == PT_LOAD && p.offset == 0) {
        exe.load_bias = *phdr - (p.vaddr + (is_64bit ? 64 : 52));
        biased = true;
        break;
      }
    }
  }
  if (!biased) return std::nullopt;
  for (const auto& p : exe.phdrs) {
    if (p.type != PT_INTERP) continue;
    if (auto s = dump.memory.read_string(exe.load_bias + p.vaddr, kMaxPathLength)) exe.interpreter = printable(*s);
  }
  Module probe;
  probe.start = load_extent(exe.phdrs, exe.load_bias).first;
  identify_module_from_memory(dump, probe);
  exe.build_id = probe.build_id;
  return exe;
}

void modules_from_link_map(ProcessDump& dump, const ExecutableImage& exe) {
  dump.modules.clear();
  Words words(dump);
  const unsigned w = words.size();

  Module main;
  main.path = executable_path_from_core(dump);
  if (main.path.empty()) main.path = "[executable]";
  std::tie(main.start, main.end) = load_extent(exe.phdrs, exe.load_bias);
  main.load_bias = exe.load_bias;
  main.build_id = exe.build_id;
  main.is_main_executable = true;
  main.headers_in_core = exe.headers_in_core;
  main.from_link_map = true;
  dump.modules.push_back(main);
  add_vdso_module(dump);

  std::optional<std::uint64_t> dynamic;
  for (const auto& p : exe.phdrs) {
    if (p.type == PT_DYNAMIC) dynamic = exe.load_bias + p.vaddr;
  }
  auto finish = [&dump] {
    std::sort(dump.modules.begin(), dump.modules.end(), [](const Module& a, const Module& b) { return a.start < b.start; });
    name_mappings_after_modules(dump);
  };
  if (!dynamic) {
    dump.diagnostics.info("link-map-static", "the executable has no dynamic section (statically linked): "
                                             "it is the only module besides the vDSO");
    return finish();
  }
  // DT_DEBUG: the dynamic linker stores the address of its struct r_debug there.
  std::optional<std::uint64_t> r_debug;
  for (std::size_t i = 0; i < kMaxDynamicEntries; ++i) {
    auto tag = words.at(*dynamic + i * 2 * w), value = words.at(*dynamic + i * 2 * w + w);
    if (!tag || !value) {
      dump.diagnostics.warn("link-map-unreadable", "the executable's dynamic section at " + hex(*dynamic) +
                                                       " is not in the core: the shared libraries are unknown");
      return finish();
    }
    if (*tag == DT_NULL) break;
    if (*tag == DT_DEBUG) r_debug = *value;
  }
  if (!r_debug || *r_debug == 0) {
    dump.diagnostics.warn("link-map-missing", "the executable's DT_DEBUG is empty (no dynamic linker ran, or it "
                                              "had not started): the shared libraries are unknown");
    return finish();
  }
  // struct r_debug: int r_version, then (pointer-aligned) struct link_map *r_map.
  auto first = words.at(*r_debug + w);
  if (!first) {
    dump.diagnostics.warn("link-map-unreadable", "struct r_debug at " + hex(*r_debug) +
                                                     " is not in the core: the shared libraries are unknown");
    return finish();
  }
  const Module* vdso = nullptr;
  for (const auto& m : dump.modules) {
    if (m.is_vdso) vdso = &m;
  }
  std::optional<std::pair<std::uint64_t, std::uint64_t>> vdso_range;
  if (vdso != nullptr) vdso_range = std::make_pair(vdso->start, vdso->end);

  std::unordered_set<std::uint64_t> seen;
  std::size_t count = 0;
  std::vector<Module> found;
  for (std::uint64_t lm = *first; lm != 0; ++count) {
    if (count >= kMaxLinkMapEntries) {
      dump.diagnostics.warn("link-map-too-long", "the link map has more than " + std::to_string(kMaxLinkMapEntries) +
                                                     " entries; the rest are ignored");
      break;
    }
    if (!seen.insert(lm).second) {
      dump.diagnostics.warn("link-map-cycle", "the link map loops back to " + hex(lm) + "; the walk stops there");
      break;
    }
    // struct link_map: l_addr, l_name, l_ld, l_next, l_prev (pointer-sized each).
    auto addr = words.at(lm), name_ptr = words.at(lm + w), ld = words.at(lm + 2 * w), next = words.at(lm + 3 * w);
    if (!addr || !name_ptr || !ld || !next) {
      dump.diagnostics.warn("link-map-unreadable", "a link map entry at " + hex(lm) +
                                                       " is not in the core; the objects after it are unknown");
      break;
    }
    const bool is_executable = lm == *first;  // the first entry is the executable itself
    lm = *next;
    if (is_executable) continue;
    std::string name;
    if (*name_ptr != 0) {
      if (auto s = dump.memory.read_string(*name_ptr, kMaxPathLength)) name = printable(*s);
    }
    // The dynamic linker's name is the executable's PT_INTERP string, in a mapping the core may
    // not hold.
    if (name.empty() && !exe.interpreter.empty()) {
      for (const auto& p : exe.phdrs) {
        if (p.type == PT_INTERP && *name_ptr == exe.load_bias + p.vaddr) name = exe.interpreter;
      }
    }
    if (name.empty()) {
      if (*addr == 0) continue;  // an unnamed object at bias 0 is the executable again
      name = "[object at " + hex(*addr) + "]";
      dump.diagnostics.warn("link-map-name-unreadable", "the name of the object loaded at " + hex(*addr) +
                                                            " is not in the core");
    }
    // The kernel's vDSO appears as linux-vdso.so.1.
    if (vdso_range && *ld >= vdso_range->first && *ld < vdso_range->second) continue;
    Module m;
    m.path = name;
    m.load_bias = *addr;
    m.from_link_map = true;
    // Until the file's headers say better: from the first page at l_addr (a shared object's first
    // PT_LOAD is at vaddr 0) to the end of the segment holding its dynamic section.
    m.start = *addr & ~(kPage - 1);
    m.end = m.start + kPage;
    if (const Mapping* data = dump.mapping_at(*ld); data != nullptr && data->end > m.start) m.end = data->end;
    identify_module_from_memory(dump, m);
    found.push_back(std::move(m));
  }
  dump.diagnostics.info("link-map", "no NT_FILE: " + std::to_string(found.size()) +
                                        " shared objects found in the dynamic linker's list (r_debug at " + hex(*r_debug) + ")");
  for (auto& m : found) dump.modules.push_back(std::move(m));
  finish();
}

void name_mappings_after_modules(ProcessDump& dump) {
  for (auto& map : dump.mappings) {
    if (!map.path.empty()) continue;
    for (const auto& m : dump.modules) {
      if (m.is_vdso || map.start < m.start || map.start >= m.end) continue;
      map.path = m.path;
      map.file_offset = 0;  // unknown without NT_FILE
      break;
    }
  }
}

}  // namespace corelens
