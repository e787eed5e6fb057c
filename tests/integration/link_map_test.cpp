// x86_64 cores without NT_FILE (a damaged note segment, a producer that writes none): the
// modules come from the dynamic linker's list in the core's memory, as they do for qemu-user's
// cores of other architectures. On the real sample cores with their NT_FILE note renamed away,
// corelens must find the same objects, at the same load biases, with the same files, and unwind
// the crashing thread to the same frames as with NT_FILE.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <cstring>
#include <fstream>

#include "parsers/elf_core.hpp"
#include "tests/integration/samples.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

// A copy of CORE whose NT_FILE note has another type, so no reader takes it for NT_FILE.
std::string without_nt_file(const std::string& core, const std::string& out) {
  auto file = MappedFile::open(core);
  if (!file) return {};
  auto dump = parse_elf_core(*file);
  if (!dump) return {};
  std::vector<char> bytes((*file)->size());
  std::memcpy(bytes.data(), (*file)->bytes().data(), bytes.size());
  bool renamed = false;
  for (const auto& n : dump->notes) {
    if (n.name != "CORE" || n.type_name != "NT_FILE") continue;
    // Elf64_Nhdr {namesz, descsz, type}, then "CORE\0" padded to 8: type is 12 bytes before the
    // descriptor.
    std::uint64_t type_at = n.offset - 12;
    std::uint32_t other = 0x46494c46;  // "FILF": a type nobody defines
    std::memcpy(bytes.data() + type_at, &other, 4);
    renamed = true;
  }
  if (!renamed) return {};
  std::ofstream(out, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return out;
}

TEST(LinkMap, X86_64CoreWithoutNtFileFindsTheSameModulesAndFrames) {
  for (const char* method : {"auto", "gcore"}) {
    for (const char* sample : {"null_read", "threads_blocked"}) {
      SCOPED_TRACE(std::string(method) + "/" + sample);
      std::string copy = without_nt_file(core_path(method, sample),
                                         ::testing::TempDir() + "/corelens-no-nt-file-" + std::to_string(::getpid()) + ".core");
      ASSERT_FALSE(copy.empty()) << "no NT_FILE in " << core_path(method, sample);
      AnalyzeOptions options;
      options.locator.debug_dirs = {"/usr/lib/debug"};
      auto plain = analyze_file(core_path(method, sample), options);
      auto linked = analyze_file(copy, options);
      fs::remove(copy);
      ASSERT_TRUE(plain && linked);
      bool said = false;
      for (const auto& d : linked->diagnostics) said |= d.code == "link-map";
      EXPECT_TRUE(said);
      // Every ELF object NT_FILE named (the vDSO aside, found the same way in both) is in the
      // link map, at the same bias, with the same file.
      std::size_t matched = 0;
      for (const auto& m : plain->modules) {
        if (m.path == "[vdso]" || m.file.empty()) continue;
        const ModuleReport* other = nullptr;
        for (const auto& o : linked->modules) {
          if (fs::path(o.path).filename() == fs::path(m.path).filename()) other = &o;
        }
        ASSERT_NE(other, nullptr) << m.path;
        EXPECT_EQ(other->load_bias, m.load_bias) << m.path;
        EXPECT_EQ(fs::canonical(other->file), fs::canonical(m.file)) << m.path;
        EXPECT_EQ(other->symbols, m.symbols) << m.path;
        ++matched;
      }
      EXPECT_GE(matched, 3u);  // the executable, libc, the dynamic linker
      ASSERT_EQ(linked->threads.size(), plain->threads.size());
      for (std::size_t t = 0; t < plain->threads.size(); ++t) {
        const auto& a = plain->threads[t].frames;
        const auto& b = linked->threads[t].frames;
        ASSERT_EQ(b.size(), a.size()) << "thread " << plain->threads[t].tid;
        for (std::size_t f = 0; f < a.size(); ++f) {
          EXPECT_EQ(b[f].pc, a[f].pc);
          EXPECT_EQ(b[f].function, a[f].function);
          EXPECT_EQ(b[f].line, a[f].line);
        }
      }
    }
  }
}

}  // namespace
}  // namespace corelens::testing
