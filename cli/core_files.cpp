#include "cli/core_files.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <regex>

namespace corelens::cli {
namespace {

namespace fs = std::filesystem;

const std::regex& systemd_name() {
  static const std::regex re(R"(^core\.(.+)\.([0-9]+)\.([0-9a-f]{32})\.([0-9]+)\.([0-9]+)(\.(zst|lz4|xz))?$)");
  return re;
}

bool kernel_name(const std::string& name) {
  static const std::regex re(R"(^core(\.[0-9]+)?$)");
  return std::regex_match(name, re) || (name.size() > 5 && name.ends_with(".core"));
}

}  // namespace

std::optional<SystemdCoreName> parse_systemd_core_name(const std::string& filename) {
  std::smatch m;
  if (!std::regex_match(filename, m, systemd_name())) return std::nullopt;
  SystemdCoreName n;
  n.comm = m[1].str();
  n.uid = static_cast<std::uint32_t>(std::strtoul(m[2].str().c_str(), nullptr, 10));
  n.boot_id = m[3].str();
  n.pid = static_cast<std::int32_t>(std::strtol(m[4].str().c_str(), nullptr, 10));
  n.usec = std::strtoll(m[5].str().c_str(), nullptr, 10);
  n.compression = m[7].str();
  return n;
}

std::optional<FoundCore> consider_core_file(const std::string& path, bool named) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  FoundCore f;
  f.path = path;
  f.systemd = parse_systemd_core_name(fs::path(path).filename().string());
  if (f.systemd) {
    f.time_usec = f.systemd->usec;
    return f;
  }
  if (!named && !kernel_name(fs::path(path).filename().string())) return std::nullopt;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  f.time_usec = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
  return f;
}

std::vector<FoundCore> find_cores(const std::string& dir, std::error_code& ec) {
  std::vector<FoundCore> found;
  for (const auto& e : fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec)) {
    if (auto f = consider_core_file(e.path().string(), false)) found.push_back(std::move(*f));
  }
  return found;
}

}  // namespace corelens::cli
