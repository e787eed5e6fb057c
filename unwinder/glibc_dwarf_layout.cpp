#include "unwinder/glibc_dwarf_layout.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstdio>
#include <map>

#include "unwinder/debug_file_cache.hpp"

namespace corelens {
namespace {

constexpr std::size_t kMaxUnits = 1u << 16;     // units looked at in one file
constexpr std::size_t kMaxVersions = 4096;       // version definitions read

std::string basename_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

// The structures and the members the wait analysis reads.
const std::map<std::string, std::vector<std::string>>& wanted() {
  static const std::map<std::string, std::vector<std::string>> kWanted = {
      {"__pthread_mutex_s", {"__owner", "__kind"}},
      {"__pthread_rwlock_arch_t", {"__readers", "__wrphase_futex", "__writers_futex", "__cur_writer"}},
      {"__pthread_cond_s", {"__wseq", "__wrefs", "__g_signals"}},
      {"pthread_barrier", {"in", "current_round", "count"}},
  };
  return kWanted;
}

std::optional<std::uint64_t> member_offset(Dwarf_Die* member) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_attr(member, DW_AT_data_member_location, &attr) == nullptr) return std::nullopt;
  if (dwarf_formudata(&attr, &value) == 0) return value;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_getlocation(&attr, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst) return ops[0].number;
  return std::nullopt;
}

using Offsets = std::map<std::string, std::map<std::string, std::uint64_t>>;  // struct -> member -> offset

// The wanted structures defined at the top level of the unit CU.
void scan_unit(Dwarf_Die* cu, Offsets& found) {
  Dwarf_Die child;
  if (dwarf_child(cu, &child) != 0) return;
  do {
    if (dwarf_tag(&child) != DW_TAG_structure_type || dwarf_hasattr(&child, DW_AT_declaration)) continue;
    const char* name = dwarf_diename(&child);
    if (name == nullptr) continue;
    auto want = wanted().find(name);
    if (want == wanted().end() || found.count(name) != 0) continue;
    std::map<std::string, std::uint64_t> members;
    Dwarf_Die m;
    if (dwarf_child(&child, &m) == 0) {
      do {
        const char* mname = dwarf_diename(&m);
        if (dwarf_tag(&m) != DW_TAG_member || mname == nullptr) continue;
        if (auto off = member_offset(&m)) members[mname] = *off;
      } while (dwarf_siblingof(&m, &m) == 0);
    }
    bool complete = true;
    for (const auto& field : want->second) complete &= members.count(field) != 0;
    if (complete) found[name] = std::move(members);
  } while (dwarf_siblingof(&child, &child) == 0);
}

// glibc's thread library sources: nptl/pthread_mutex_lock.c, pthread_rwlock_wrlock.c ...
bool is_thread_library_unit(const std::string& name) {
  std::string base = basename_of(name);
  return base.starts_with("pthread_") || name.find("nptl/") != std::string::npos;
}

bool is_c_library(const std::string& path) {
  std::string base = basename_of(path);
  return base.starts_with("libc.so") || (base.starts_with("libc-") && base.ends_with(".so"));
}

bool is_pthread_library(const std::string& path) {
  std::string base = basename_of(path);
  return base.starts_with("libpthread.so") || (base.starts_with("libpthread-") && base.ends_with(".so"));
}

bool verified(const ModuleReport& m) {
  return !m.file.empty() && (m.symbols == SymbolSource::file || m.symbols == SymbolSource::debug_file ||
                             m.symbols == SymbolSource::debuginfod);
}

}  // namespace

std::optional<GlibcLayout> glibc_layout_from_dwarf(const std::string& path) {
  int fd = open_debug_file(path);
  if (fd < 0) return std::nullopt;
  Dwarf* dwarf = dwarf_begin(fd, DWARF_C_READ);
  if (dwarf == nullptr) {
    ::close(fd);
    return std::nullopt;
  }
  Offsets found;
  Dwarf_CU* cu = nullptr;
  Dwarf_Die cudie, subdie;
  std::uint8_t unit_type = 0;
  Dwarf_Half version = 0;
  for (std::size_t n = 0; n < kMaxUnits && found.size() < wanted().size() &&
                          dwarf_get_units(dwarf, cu, &cu, &version, &unit_type, &cudie, &subdie) == 0;
       ++n) {
    const char* name = dwarf_diename(&cudie);
    if (name != nullptr && is_thread_library_unit(name)) scan_unit(&cudie, found);
  }
  dwarf_end(dwarf);
  ::close(fd);
  if (found.count("__pthread_mutex_s") == 0 || found.count("__pthread_rwlock_arch_t") == 0) return std::nullopt;
  GlibcLayout l;
  l.source = "the DWARF of " + path;
  const auto& mutex = found["__pthread_mutex_s"];
  l.mutex_owner = static_cast<std::uint32_t>(mutex.at("__owner"));
  l.mutex_kind = static_cast<std::uint32_t>(mutex.at("__kind"));
  const auto& rw = found["__pthread_rwlock_arch_t"];
  l.rwlock_readers = static_cast<std::uint32_t>(rw.at("__readers"));
  l.rwlock_wrphase_futex = static_cast<std::uint32_t>(rw.at("__wrphase_futex"));
  l.rwlock_writers_futex = static_cast<std::uint32_t>(rw.at("__writers_futex"));
  l.rwlock_cur_writer = static_cast<std::uint32_t>(rw.at("__cur_writer"));
  if (found.count("__pthread_cond_s") != 0) {
    const auto& cond = found["__pthread_cond_s"];
    l.cond_wseq = static_cast<std::uint32_t>(cond.at("__wseq"));
    l.cond_wrefs = static_cast<std::uint32_t>(cond.at("__wrefs"));
    l.cond_g_signals = static_cast<std::uint32_t>(cond.at("__g_signals"));
  }
  if (found.count("pthread_barrier") != 0) {
    const auto& b = found["pthread_barrier"];
    l.barrier_in = static_cast<std::uint32_t>(b.at("in"));
    l.barrier_current_round = static_cast<std::uint32_t>(b.at("current_round"));
    l.barrier_count = static_cast<std::uint32_t>(b.at("count"));
  }
  return l;
}

std::optional<GlibcVersion> glibc_version_of(const std::string& path) {
  elf_version(EV_CURRENT);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  std::optional<GlibcVersion> best;
  Elf_Scn* scn = nullptr;
  while (elf != nullptr && (scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_GNU_verdef) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) continue;
    std::size_t offset = 0;
    for (std::size_t i = 0; i < shdr.sh_info && i < kMaxVersions; ++i) {
      GElf_Verdef def;
      GElf_Verdaux aux;
      if (gelf_getverdef(data, static_cast<int>(offset), &def) == nullptr ||
          gelf_getverdaux(data, static_cast<int>(offset + def.vd_aux), &aux) == nullptr) {
        break;
      }
      const char* name = elf_strptr(elf, shdr.sh_link, aux.vda_name);
      int major = 0, minor = 0;
      if (name != nullptr && std::sscanf(name, "GLIBC_%d.%d", &major, &minor) == 2 &&
          (!best || major > best->major || (major == best->major && minor > best->minor))) {
        best = GlibcVersion{major, minor};
      }
      if (def.vd_next == 0) break;
      offset += def.vd_next;
    }
  }
  if (elf != nullptr) elf_end(elf);
  ::close(fd);
  return best;
}

std::optional<GlibcLayout> glibc_layout_for(Arch arch, const std::vector<ModuleReport>& modules, std::string* why) {
  const ModuleReport* libc = nullptr;
  std::vector<const ModuleReport*> with_dwarf;  // libc, and libpthread before glibc 2.34
  for (const auto& m : modules) {
    if (is_c_library(m.path)) libc = &m;
    if ((is_c_library(m.path) || is_pthread_library(m.path)) && verified(m)) with_dwarf.push_back(&m);
  }
  if (libc == nullptr) {
    if (why) *why = "no glibc among the modules: lock owners are not read";
    return std::nullopt;
  }
  for (const ModuleReport* m : with_dwarf) {
    for (const std::string& file : {m->debug_file, m->file}) {
      if (file.empty()) continue;
      if (auto l = glibc_layout_from_dwarf(file)) {
        if (why) *why = "glibc's lock layouts from " + l->source;
        return l;
      }
    }
  }
  std::optional<GlibcVersion> version = verified(*libc) ? glibc_version_of(libc->file) : std::nullopt;
  std::optional<GlibcLayout> l = version ? builtin_glibc_layout(arch, *version) : std::nullopt;
  if (why) {
    if (l) *why = "glibc's lock layouts from " + l->source;
    else if (!verified(*libc)) *why = "the C library's file was not found or does not match: lock owners are not read";
    else if (!version) *why = "the C library defines no GLIBC_2.N version: lock owners are not read";
    else *why = "no lock layouts known for glibc 2." + std::to_string(version->minor) + " on " +
                std::string(to_string(arch)) + " without its DWARF (libc6-dbg): lock owners are not read";
  }
  return l;
}

}  // namespace corelens
