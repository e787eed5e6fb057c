#include "unwinder/verified_modules.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "unwinder/debug_file_cache.hpp"

namespace corelens {
namespace {

// libdwfl asks for separate debug info lazily; the file the analysis already found (by build-id
// or .gnu_debuglink) is in the module's user data, else libdwfl looks on its own path.
int find_debuginfo(Dwfl_Module* mod, void** userdata, const char* modname, Dwarf_Addr base, const char* file_name,
                   const char* debuglink_file, GElf_Word debuglink_crc, char** debuginfo_file_name) {
  if (userdata != nullptr && *userdata != nullptr) {
    const auto* path = static_cast<const std::string*>(*userdata);
    int fd = open_debug_file(*path);
    if (fd >= 0) {
      *debuginfo_file_name = ::strdup(path->c_str());
      return fd;
    }
  }
  return find_debuginfo_cached(mod, userdata, modname, base, file_name, debuglink_file, debuglink_crc,
                               debuginfo_file_name);
}

int refuse_find_elf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**) { return -1; }

}  // namespace

VerifiedModules::VerifiedModules(const std::vector<ModuleReport>& modules) : modules_(modules) {
  reported_.assign(modules_.size(), nullptr);
  for (const auto& m : modules_) {
    debug_files_.push_back(m.debug_file);
    // libdwfl's own search (a .gnu_debuglink next to a file) also looks under the root of each
    // debug directory the analysis used.
    auto pos = m.debug_file.find("/.build-id/");
    if (pos != std::string::npos) debuginfo_path_ += ":" + m.debug_file.substr(0, pos);
  }
  debuginfo_path_ptr_ = debuginfo_path_.data();
  callbacks_.find_elf = refuse_find_elf;
  callbacks_.find_debuginfo = find_debuginfo;
  callbacks_.section_address = dwfl_offline_section_address;
  callbacks_.debuginfo_path = &debuginfo_path_ptr_;
  dwfl_ = dwfl_begin(&callbacks_);
}

VerifiedModules::~VerifiedModules() {
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
}

Dwfl_Module* VerifiedModules::module_at(std::uint64_t pc) {
  for (std::size_t i = 0; i < modules_.size(); ++i) {
    const ModuleReport& m = modules_[i];
    if (pc < m.start || pc >= m.end) continue;
    if (reported_[i] != nullptr) return reported_[i];
    bool usable = !m.file.empty() && (m.symbols == SymbolSource::file || m.symbols == SymbolSource::debug_file ||
                                      m.symbols == SymbolSource::debuginfod);
    if (!usable || dwfl_ == nullptr) return nullptr;
    int fd = ::open(m.file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return nullptr;
    dwfl_report_begin_add(dwfl_);
    Dwfl_Module* mod = dwfl_report_elf(dwfl_, m.path.c_str(), m.file.c_str(), fd, m.load_bias, false);
    dwfl_report_end(dwfl_, nullptr, nullptr);
    if (mod == nullptr) {
      ::close(fd);
      return nullptr;
    }
    void** userdata = nullptr;
    dwfl_module_info(mod, &userdata, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
    if (userdata != nullptr && !debug_files_[i].empty()) *userdata = &debug_files_[i];
    reported_[i] = mod;
    return mod;
  }
  return nullptr;
}

std::optional<std::uint64_t> defined_symbol_address(Dwfl_Module* mod, std::string_view wanted) {
  int count = dwfl_module_getsymtab(mod);
  for (int i = 1; i < count; ++i) {
    GElf_Sym sym;
    GElf_Addr value = 0;
    const char* name = dwfl_module_getsym_info(mod, i, &sym, &value, nullptr, nullptr, nullptr);
    if (name == nullptr || sym.st_shndx == SHN_UNDEF) continue;
    std::string_view n(name);
    if (n.substr(0, n.find('@')) == wanted) return value;
  }
  return std::nullopt;
}

}  // namespace corelens
