// Shared helpers of the unit tests: a scratch directory per test, mapping and parsing built
// bytes, and a tiny ELF object image (headers + GNU build-id note) to place in a core's memory
// or on disk.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/file/mapped_file.hpp"
#include "core/model/process.hpp"
#include "core/model/report.hpp"
#include "tests/support/core_builder.hpp"

namespace corelens::unit {

namespace ct = corelens::testing;
using Bytes = std::vector<std::uint8_t>;

// A fresh mkdtemp directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // A new, unique file name inside the directory (not created).
  std::filesystem::path fresh(const std::string& stem = "file");
  // Writes BYTES to a fresh file and returns its path.
  std::filesystem::path write(const Bytes& bytes, const std::string& stem = "core");

 private:
  std::filesystem::path path_;
  int counter_ = 0;
};

// A fixture with a scratch directory and shortcuts for mapping and parsing bytes.
class WithTempDir : public ::testing::Test {
 protected:
  std::shared_ptr<const MappedFile> map(const Bytes& bytes);
  Result<ProcessDump> parse(const Bytes& bytes);
  // analyze_file on BYTES, with the scratch directory as sysroot: no file of the host is used.
  Result<Report> analyze(const Bytes& bytes);
  TempDir dir_;
};

// Every user_regs_struct register, with distinct recognisable values, rip and rsp as given.
std::map<std::string, std::uint64_t> all_regs(std::uint64_t rip, std::uint64_t rsp);

// The codes of a dump's diagnostics, comma-separated (for failure messages).
std::string diag_codes(const Diagnostics& d);

// A minimal 64-bit little-endian ELF object image: Ehdr, PT_LOAD (+ PT_NOTE with NT_GNU_BUILD_ID
// at image offset 0x100 when BUILD_ID is not empty), padded to SIZE bytes.
struct ImageSpec {
  std::uint16_t type = ct::elfc::ET_DYN;
  std::uint64_t load_vaddr = 0;      // first PT_LOAD p_vaddr; p_offset = load_vaddr % 4096
  std::uint64_t load_align = 0x1000;
  std::uint64_t load_memsz = 0x1000;
  Bytes build_id;
  std::size_t size = 0x200;
};
Bytes elf_image(const ImageSpec& spec);

// The bytes of S (for descriptors and memory contents).
Bytes bytes_of(const std::string& s);

// ---- The canonical synthetic core used by several tests (kernel note order by default).
namespace canon {
inline constexpr std::int32_t kPid = 4242;
inline constexpr std::uint64_t kRip = 0x401136, kRsp = 0x7ffc0000f000, kRax = 0x1122334455667788;
inline constexpr std::uint64_t kFault = 0xdeadbeef;
inline constexpr std::uint64_t kExe = 0x400000, kText = 0x401000, kTextSaved = 0x100;
inline constexpr std::uint64_t kEntry = 0x401020;
inline constexpr std::uint64_t kLibc = 0x7f0000000000, kLocale = 0x7f0000010000;
inline constexpr std::uint64_t kStack = 0x7ffc0000e000, kExecFn = 0x7ffc0000ff00;
inline constexpr std::uint64_t kVdso = 0x7ffc00010000;
inline constexpr const char* kExePath = "/opt/corelens-unit/bin/crashy";
inline constexpr const char* kLibcPath = "/opt/corelens-unit/lib/libc.so.6";
inline constexpr const char* kLocalePath = "/opt/corelens-unit/share/locale-archive";
Bytes build_id(std::uint8_t first);  // 20 bytes first, first+1, ...
std::string build_id_hex(std::uint8_t first);
ct::ThreadSpec thread(int index);    // 0: the crashing thread (fp + xstate), 1: fp only, 2: none
ct::PsInfoSpec psinfo();
ct::SigInfoSpec siginfo();
}  // namespace canon

// Three threads, PRPSINFO, SIGINFO (SIGSEGV at kFault), AUXV, NT_FILE, an unknown note, and
// PT_LOADs: exe headers (ET_EXEC + build-id), exe text with an unsaved tail, libc headers, libc
// text not dumped, a data file, the stack (holding the AT_EXECFN string) and the vDSO.
ct::CoreBuilder canonical_core();

}  // namespace corelens::unit
