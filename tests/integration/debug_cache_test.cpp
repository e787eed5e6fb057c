// The cache of uncompressed debug files (unwinder/debug_file_cache.hpp), on the real compressed
// debug file of this machine's libc (libc6-dbg: SHF_COMPRESSED zlib sections): reports are the
// same with and without it, the copy is an uncompressed ELF with the same build-id, it is made
// once and reused, the directory stays under its cap, and a file whose compression headers claim
// more than the cap gets no copy (and costs no allocation).
#include <fcntl.h>
#include <gelf.h>
#include <gtest/gtest.h>
#include <libelf.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "parsers/elf_image.hpp"
#include "tests/integration/samples.hpp"
#include "tests/support/opt_out.hpp"
#include "unwinder/debug_file_cache.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

// How many SHF_COMPRESSED sections the ELF file at PATH has (-1: not an ELF file).
int compressed_sections(const std::string& path) {
  elf_version(EV_CURRENT);
  int fd = ::open(path.c_str(), O_RDONLY);
  Elf* e = fd >= 0 ? elf_begin(fd, ELF_C_READ, nullptr) : nullptr;
  int n = e != nullptr && elf_kind(e) == ELF_K_ELF ? 0 : -1;
  for (Elf_Scn* s = n == 0 ? elf_nextscn(e, nullptr) : nullptr; s != nullptr; s = elf_nextscn(e, s)) {
    GElf_Shdr sh;
    if (gelf_getshdr(s, &sh) != nullptr && (sh.sh_flags & SHF_COMPRESSED) != 0) ++n;
  }
  if (e != nullptr) elf_end(e);
  if (fd >= 0) ::close(fd);
  return n;
}

class DebugCache : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = libc_debug_file();
    CORELENS_REQUIRE("libc-dbg", !source_.empty(), "libc6-dbg is not installed: no debug file of this machine's libc");
    // Debian 12's libc6-dbg compresses its DWARF (SHF_COMPRESSED, zlib): what the cache is for.
    ASSERT_GT(compressed_sections(source_), 0) << source_ << " has no compressed section";
    dir_ = fs::path(::testing::TempDir()) / ("corelens-debug-cache-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  DebugFileCacheOptions options() const {
    DebugFileCacheOptions o;
    o.directory = (dir_ / "debug").string();
    return o;
  }
  std::string source_;
  fs::path dir_;
};

TEST_F(DebugCache, TheCopyIsUncompressedWithTheSameBuildIdAndIsReused) {
  auto copy = uncompressed_debug_file(source_, options());
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(compressed_sections(*copy), 0);
  auto a = read_elf_file(source_), b = read_elf_file(*copy);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->build_id, b->build_id);
  EXPECT_GT(fs::file_size(*copy), fs::file_size(source_));
  auto when = fs::last_write_time(*copy);
  auto again = uncompressed_debug_file(source_, options());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *copy);
  EXPECT_GE(fs::last_write_time(*copy), when);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(options().directory)) ++files;
  EXPECT_EQ(files, 1u) << "one copy, no temporary files left";
}

TEST_F(DebugCache, AnUncompressedFileGetsNoCopy) {
  EXPECT_FALSE(uncompressed_debug_file("/lib/x86_64-linux-gnu/libc.so.6", options()).has_value());
  EXPECT_FALSE(uncompressed_debug_file(CORELENS_SAMPLES_SOURCE_DIR "/null_read.c", options()).has_value());
}

TEST_F(DebugCache, TheDirectoryStaysUnderItsCap) {
  DebugFileCacheOptions o = options();
  o.max_total_bytes = 1;  // smaller than any copy: each is evicted as soon as it is written
  EXPECT_FALSE(uncompressed_debug_file(source_, o).has_value());
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(o.directory)) ++files;
  EXPECT_EQ(files, 0u);
}

TEST_F(DebugCache, CompressionHeadersClaimingTooMuchGetNoCopy) {
  // The first compressed section's Elf64_Chdr.ch_size (offset 8) claims 2^40 bytes.
  fs::path hostile = dir_ / "hostile.debug";
  fs::create_directories(dir_);
  fs::copy_file(source_, hostile);
  elf_version(EV_CURRENT);
  int fd = ::open(hostile.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  Elf* e = elf_begin(fd, ELF_C_READ, nullptr);
  std::uint64_t offset = 0;
  for (Elf_Scn* s = elf_nextscn(e, nullptr); s != nullptr && offset == 0; s = elf_nextscn(e, s)) {
    GElf_Shdr sh;
    if (gelf_getshdr(s, &sh) != nullptr && (sh.sh_flags & SHF_COMPRESSED) != 0) offset = sh.sh_offset;
  }
  elf_end(e);
  ASSERT_NE(offset, 0u);
  std::uint64_t huge = std::uint64_t{1} << 40;
  ASSERT_EQ(::pwrite(fd, &huge, sizeof huge, static_cast<off_t>(offset + 8)), static_cast<ssize_t>(sizeof huge));
  ::close(fd);
  EXPECT_FALSE(uncompressed_debug_file(hostile.string(), options()).has_value());
}

TEST_F(DebugCache, ReportsAreTheSameWithAndWithoutIt) {
  for (const char* sample : {"threads_blocked", "assert_fail", "inlined_o2"}) {
    std::string core = core_path("auto", sample);
    std::string cached = run_command("CORELENS_CACHE_DIR='" + dir_.string() + "' " CORELENS_CLI " analyze --format json " + core);
    std::string plain = run_command("CORELENS_DEBUG_CACHE=off " CORELENS_CLI " analyze --format json " + core);
    ASSERT_FALSE(plain.empty()) << sample;
    EXPECT_EQ(cached, plain) << sample;
    EXPECT_NE(plain.find(source_), std::string::npos) << "the report names the installed debug file, not the copy";
  }
  EXPECT_TRUE(fs::exists(dir_ / "debug")) << "the analyses made the copy";
}

}  // namespace
}  // namespace corelens::testing
