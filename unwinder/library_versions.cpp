#include "unwinder/library_versions.hpp"

#include <capstone/capstone.h>
#include <elfutils/libdwfl.h>
#include <libunwind.h>

#include <algorithm>
#include <string>

namespace corelens {

std::vector<LibraryVersion> analysis_library_versions() {
  std::vector<LibraryVersion> out;
  const char* dw = dwfl_version(nullptr);
  out.push_back({"elfutils (libdw)", dw != nullptr ? dw : "?"});
  // libunwind has no run-time version call: the version of the headers it was built with.
  out.push_back({"libunwind", std::to_string(UNW_VERSION_MAJOR) + "." + std::to_string(UNW_VERSION_MINOR) +
                                  (UNW_VERSION_EXTRA > 0 ? "." + std::to_string(UNW_VERSION_EXTRA) : "")});
  int major = 0, minor = 0;
  cs_version(&major, &minor);
  out.push_back({"capstone", std::to_string(major) + "." + std::to_string(minor)});
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
