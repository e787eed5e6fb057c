// Finding core files by their names: the kernel's (`core`, `core.PID`, `*.core`) and
// systemd-coredump's (core.COMM.UID.BOOTID.PID.USEC[.zst|.lz4|.xz]). Used by `corelens collect`
// and by `corelens` alone, which lists the crashes systemd-coredump kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace corelens::cli {

// What systemd-coredump's file name says (COMM may contain dots; the name is the process's
// comm, at most 15 bytes, with unsafe characters escaped by systemd).
struct SystemdCoreName {
  std::string comm;
  std::uint32_t uid = 0;
  std::string boot_id;
  std::int32_t pid = 0;
  std::int64_t usec = 0;     // when it crashed, microseconds since the epoch
  std::string compression;   // "zst", "lz4", "xz" or ""
};
std::optional<SystemdCoreName> parse_systemd_core_name(const std::string& filename);

struct FoundCore {
  std::string path;
  std::int64_t time_usec = 0;  // when it crashed, as well as we know (the name's USEC, else mtime)
  std::optional<SystemdCoreName> systemd;
};

// PATH as a core: a regular file named as a core, or any regular file when NAMED (given on the
// command line).
std::optional<FoundCore> consider_core_file(const std::string& path, bool named);

// The cores in DIR (not recursively), in no particular order; EC says why DIR could not be read.
std::vector<FoundCore> find_cores(const std::string& dir, std::error_code& ec);

inline constexpr const char* kSystemdCoredumpDir = "/var/lib/systemd/coredump";

}  // namespace corelens::cli
