#include "unwinder/kernel/module_dwarf.hpp"

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "unwinder/dwfl_offline.hpp"

namespace corelens {
namespace {

namespace fs = std::filesystem;

// The kernel makes no difference between '-' and '_' in module names (pvpanic-mmio.ko loads as
// pvpanic_mmio).
std::string normalised(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

// "corelens_oops" for corelens_oops.ko, corelens_oops.ko.debug and the compressed modules
// distributions install (.ko.xz: Debian 13, Fedora; .ko.zst: Ubuntu, Arch; .ko.gz), which libdwfl
// decompresses as it opens them; "" for other files.
std::string module_of_file(const std::string& file) {
  for (std::string_view suffix : {".ko", ".ko.debug", ".ko.xz", ".ko.zst", ".ko.gz"}) {
    if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return normalised(file.substr(0, file.size() - suffix.size()));
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<ModuleDwarf>> ModuleDwarf::open(const std::string& path) {
  std::unique_ptr<ModuleDwarf> m(new ModuleDwarf());
  m->path_ = path;
  // Only this file: a separate debug file found by build-id could not be confirmed by the dump.
  auto mod = open_offline_module(path, "module", &m->dwfl_);
  if (!mod) return unexpected(mod.error());
  m->mod_ = *mod;
  // The functions, where libdwfl placed them (each section at an address of its own).
  int n = dwfl_module_getsymtab(m->mod_);
  for (int i = 1; i < n; ++i) {
    GElf_Sym sym;
    GElf_Addr addr = 0;
    const char* name = dwfl_module_getsym_info(m->mod_, i, &sym, &addr, nullptr, nullptr, nullptr);
    if (name == nullptr || *name == '\0' || GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF) continue;
    m->functions_.emplace(name, Function{addr, sym.st_size});  // the first of a name wins, as in kallsyms
  }
  return m;
}

ModuleDwarf::~ModuleDwarf() {
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
}

bool ModuleDwarf::has_dwarf() const {
  Dwarf_Addr bias = 0;
  return mod_ != nullptr && dwfl_module_getdwarf(mod_, &bias) != nullptr;
}

std::vector<SymbolizedLocation> ModuleDwarf::locate(const std::string& function, std::uint64_t offset) {
  auto it = functions_.find(function);
  if (it == functions_.end() || offset >= it->second.size) return {};
  return symbolize_in_module(mod_, it->second.address + offset, &units_);
}

KernelModuleDwarf::KernelModuleDwarf(const std::string& release, ModuleDwarfOptions options) {
  trees_ = std::move(options.module_dirs);
  // The release comes from the dump: it names one directory, never a path ("..", "/etc").
  if (!release.empty() && release.find('/') == std::string::npos && release.front() != '.') {
    for (const auto& d : options.debug_dirs) trees_.push_back(d + "/lib/modules/" + release);
    if (options.system_modules) trees_.push_back("/lib/modules/" + release);
  }
}

KernelModuleDwarf::~KernelModuleDwarf() = default;

void KernelModuleDwarf::index_trees() {
  indexed_ = true;
  for (const auto& tree : trees_) {
    std::error_code ec;
    if (!fs::is_directory(tree, ec)) continue;
    std::size_t entries = 0;
    // Symbolic links are not followed into directories: a tree cannot loop or leave itself.
    for (fs::recursive_directory_iterator it(tree, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end && entries < kMaxEntries; it.increment(ec), ++entries) {
      std::error_code fec;
      if (!it->is_regular_file(fec)) continue;
      std::string name = module_of_file(it->path().filename().string());
      if (!name.empty()) files_.emplace(name, it->path().string());  // earlier trees win
    }
  }
}

ModuleDwarf* KernelModuleDwarf::for_module(const std::string& name) {
  const std::string key = normalised(name);
  if (auto it = opened_.find(key); it != opened_.end()) return it->second.get();
  if (!indexed_) index_trees();
  std::unique_ptr<ModuleDwarf> m;
  if (auto f = files_.find(key); f != files_.end()) {
    auto opened = ModuleDwarf::open(f->second);
    if (opened && (*opened)->has_dwarf()) m = std::move(*opened);
  }
  return opened_.emplace(key, std::move(m)).first->second.get();
}

std::string KernelModuleDwarf::summary() const {
  std::string used, missing;
  for (const auto& [name, m] : opened_) {
    std::string& list = m ? used : missing;
    if (!list.empty()) list += ", ";
    list += m ? name + " (" + m->path() + ")" : name;
  }
  std::string out;
  if (!used.empty()) out = "DWARF of " + used;
  if (!missing.empty()) out += (out.empty() ? "" : "; ") + std::string("no .ko with DWARF found for ") + missing;
  return out;
}

}  // namespace corelens
