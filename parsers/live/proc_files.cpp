#include "parsers/live/proc_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace corelens::live {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr std::size_t kMaxProcFile = 64u << 20;  // a maps file of a million mappings is ~100 MiB; smaps far more

}  // namespace

std::string read_proc_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMaxProcFile) break;
  }
  ::close(fd);
  return out;
}

std::vector<pid_t> list_tasks(pid_t tgid) {
  std::vector<pid_t> out;
  std::string dir = "/proc/" + std::to_string(tgid) + "/task";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    out.push_back(static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10)));
  }
  ::closedir(d);
  return out;
}

std::string status_field(const std::string& status, std::string_view key) {
  std::string k = "\n" + std::string(key) + ":";
  std::string text = "\n" + status;  // the first line has no newline before it
  auto pos = text.find(k);
  if (pos == std::string::npos) return {};
  pos += k.size();
  auto end = text.find('\n', pos);
  std::string v = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  v.erase(0, v.find_first_not_of(" \t"));
  return v;
}

std::vector<VmaInfo> parse_smaps(const std::string& text) {
  std::vector<VmaInfo> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto dash = line.find('-');
    auto space = line.find(' ');
    bool header = dash != std::string::npos && space != std::string::npos && dash < space &&
                  std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(dash),
                              [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (header) {
      VmaInfo v;
      std::istringstream h(line);
      std::string range, dev;
      h >> range >> v.perms >> std::hex >> v.offset >> dev >> std::dec >> v.inode;
      v.start = std::strtoull(range.substr(0, dash).c_str(), nullptr, 16);
      v.end = std::strtoull(range.substr(dash + 1).c_str(), nullptr, 16);
      std::string rest;
      std::getline(h, rest);
      rest.erase(0, rest.find_first_not_of(' '));
      v.path = rest;
      out.push_back(std::move(v));
      continue;
    }
    if (out.empty()) continue;
    VmaInfo& v = out.back();
    if (line.starts_with("VmFlags:")) {
      std::istringstream f(line.substr(8));
      std::string flag;
      while (f >> flag) v.vm_flags.push_back(flag);
    } else if (line.starts_with("Anonymous:")) {
      v.anonymous_kb = std::strtoull(line.c_str() + 10, nullptr, 10);
    } else if (line.starts_with("Swap:")) {
      v.swap_kb = std::strtoull(line.c_str() + 5, nullptr, 10);
    }
  }
  return out;
}

ProcessMemory::ProcessMemory(pid_t pid) {
  fd_ = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) errno_ = errno;
}

ProcessMemory::~ProcessMemory() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t ProcessMemory::read(std::uint64_t addr, std::span<std::byte> out) const {
  if (fd_ < 0) return out.size();
  if (full_read(addr, out.data(), out.size())) return 0;
  std::size_t missing = 0;
  // Page by page from the first page boundary, so one unreadable page costs only itself.
  for (std::size_t off = 0; off < out.size();) {
    std::size_t n = std::min<std::size_t>(kPage - ((addr + off) % kPage), out.size() - off);
    if (!full_read(addr + off, out.data() + off, n)) {
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(off), out.begin() + static_cast<std::ptrdiff_t>(off + n),
                std::byte{0});
      missing += n;
    }
    off += n;
  }
  return missing;
}

bool ProcessMemory::full_read(std::uint64_t addr, std::byte* dst, std::size_t n) const {
  std::size_t done = 0;
  while (done < n) {
    // Addresses above 2^63 (the vsyscall page) are negative off_t: pread64 takes them as is.
    ssize_t r = ::pread(fd_, dst + done, n - done, static_cast<off_t>(addr + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<std::size_t>(r);
  }
  return true;
}

}  // namespace corelens::live
