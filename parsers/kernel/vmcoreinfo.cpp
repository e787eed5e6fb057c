#include "parsers/kernel/vmcoreinfo.hpp"

#include <string>

#include "core/model/strings.hpp"

namespace corelens {

VmcoreInfo parse_vmcoreinfo(std::string_view text, Diagnostics& diags, const KernelLimits& limits) {
  VmcoreInfo info;
  // The note's descriptor is padded with NULs; the text ends at the first one.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) text = text.substr(0, nul);
  if (text.size() > limits.max_vmcoreinfo) {
    diags.warn("vmcoreinfo-too-big", "VMCOREINFO has " + std::to_string(text.size()) + " bytes; only the first " +
                                         std::to_string(limits.max_vmcoreinfo) + " are read");
    text = text.substr(0, limits.max_vmcoreinfo);
  }
  std::size_t bad = 0, count = 0;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.empty()) continue;
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      ++bad;
      continue;
    }
    if (++count > limits.max_vmcoreinfo_keys) {
      diags.warn("vmcoreinfo-too-many-keys", "VMCOREINFO has more than " + std::to_string(limits.max_vmcoreinfo_keys) +
                                                 " keys; the rest are ignored");
      break;
    }
    info.add(printable(std::string(line.substr(0, eq))), printable(std::string(line.substr(eq + 1))));
  }
  if (bad != 0) diags.warn("vmcoreinfo-bad-line", std::to_string(bad) + " VMCOREINFO lines are not KEY=VALUE");
  return info;
}

}  // namespace corelens
