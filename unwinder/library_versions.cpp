#include "unwinder/library_versions.hpp"

#include <elfutils/libdwfl.h>
#include <libunwind.h>

#include <algorithm>
#include <string>

#include "core/analysis/disassembler.hpp"

namespace corelens {

std::vector<LibraryVersion> analysis_library_versions() {
  std::vector<LibraryVersion> out;
  const char* dw = dwfl_version(nullptr);
  out.push_back({"elfutils (libdw)", dw != nullptr ? dw : "?"});
  // libunwind has no run-time version call: the version of the headers it was built with.
  out.push_back({"libunwind", std::to_string(UNW_VERSION_MAJOR) + "." + std::to_string(UNW_VERSION_MINOR) +
                                  (UNW_VERSION_EXTRA > 0 ? "." + std::to_string(UNW_VERSION_EXTRA) : "")});
  auto [decoder, decoder_version] = disassembler_library_version();  // behind core/analysis's Disassembler
  out.push_back({decoder, decoder_version});
  for (auto& v : parser_library_versions()) out.push_back(std::move(v));
  return out;
}

std::string version_text(const std::string& program, const std::string& version,
                         const std::vector<LibraryVersion>& extra) {
  std::string out = program + " " + version + "\n";
  std::vector<LibraryVersion> all = extra;
  for (auto& v : analysis_library_versions()) all.push_back(std::move(v));
  std::size_t width = 0;
  for (const auto& v : all) width = std::max(width, v.name.size());
  for (const auto& v : all) out += "  " + v.name + std::string(width + 2 - v.name.size(), ' ') + v.version + "\n";
  return out;
}

}  // namespace corelens
