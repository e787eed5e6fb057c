#include "unwinder/dwfl_offline.hpp"

#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <unistd.h>

namespace corelens {
namespace {

int refuse_find_elf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**) { return -1; }
int refuse_find_debuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*, const char*, GElf_Word, char**) {
  return -1;
}
const Dwfl_Callbacks kCallbacks = {refuse_find_elf, refuse_find_debuginfo, dwfl_offline_section_address, nullptr};

}  // namespace

Result<Dwfl_Module*> open_offline_module(const std::string& path, const char* name, Dwfl** dwfl) {
  *dwfl = dwfl_begin(&kCallbacks);
  if (*dwfl == nullptr) return fail(ErrorCode::internal, std::string("dwfl_begin: ") + dwfl_errmsg(-1));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return fail(ErrorCode::io, path + ": cannot open");
  dwfl_report_begin(*dwfl);
  Dwfl_Module* mod = dwfl_report_offline(*dwfl, name, path.c_str(), fd);  // takes FD, even on failure
  dwfl_report_end(*dwfl, nullptr, nullptr);
  if (mod == nullptr) return fail(ErrorCode::malformed, path + ": " + dwfl_errmsg(-1));
  return mod;
}

}  // namespace corelens
