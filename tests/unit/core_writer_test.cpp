// core/core_writer: a core written from synthetic notes and memory reads back through our own
// parser with every thread, note and byte where it was put; zero pages become holes; a size cap
// cuts the core like RLIMIT_CORE but keeps the headers and notes.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "cli/capture/process_core.hpp"
#include "parsers/elf_core.hpp"
#include "parsers/elf_core_writer.hpp"

namespace corelens {
namespace {

namespace cw = core_writer;

std::vector<std::byte> regs_with_rip(std::uint64_t rip) {
  std::vector<std::byte> r(216);
  std::memcpy(r.data() + 16 * 8, &rip, 8);  // user_regs_struct: rip is the 17th field
  return r;
}

Result<ProcessDump> write_and_parse(const std::string& path, std::uint64_t max_size, cw::WriteResult* out) {
  std::vector<cw::Note> notes;
  cw::PrStatus a;
  a.signo = 11;
  a.cursig = 11;
  a.pid = 100;
  cw::PrStatus b = a;
  b.pid = 101;
  notes.push_back({"CORE", 1, cw::encode_prstatus_x86_64(a, regs_with_rip(0x401000))});
  cw::PrPsInfo ps;
  ps.pid = 100;
  ps.fname = "prog";
  ps.psargs = std::string("./prog\0--flag\0", 14);
  notes.push_back({"CORE", 3, cw::encode_prpsinfo(ps)});
  notes.push_back({"CORE", 0x46494c45, cw::encode_file_note({{0x400000, 0x402000, 0, "/bin/prog"}}, 4096)});
  notes.push_back({"CORE", 1, cw::encode_prstatus_x86_64(b, regs_with_rip(0x401234))});
  std::vector<cw::Segment> segs = {{0x400000, 0x2000, 0x1000, cw::kPfR | cw::kPfX},
                                   {0x600000, 0x3000, 0x3000, cw::kPfR | cw::kPfW}};
  auto reader = [](std::uint64_t addr, std::span<std::byte> buf) -> std::size_t {
    for (std::size_t i = 0; i < buf.size(); ++i) {
      std::uint64_t at = addr + i;
      // 0x601000-0x602000 stays zero (a hole); the rest holds its address's low byte.
      buf[i] = (at >= 0x601000 && at < 0x602000) ? std::byte{0} : static_cast<std::byte>((at & 0xff) | 1);
    }
    return 0;
  };
  ::unlink(path.c_str());
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  EXPECT_GE(fd, 0);
  auto w = cw::write_core(fd, 62 /* EM_X86_64 */, notes, segs, reader, max_size);
  ::close(fd);
  EXPECT_TRUE(w);
  if (w && out) *out = *w;
  auto file = MappedFile::open(path);
  if (!file) return unexpected(file.error());
  return parse_elf_core(*file);
}

TEST(CoreWriter, WritesWhatTheParserReadsBack) {
  std::string path = ::testing::TempDir() + "/corelens-writer-" + std::to_string(::getpid()) + ".core";
  cw::WriteResult w;
  auto dump = write_and_parse(path, UINT64_MAX, &w);
  ASSERT_TRUE(dump) << dump.error().message;
  ASSERT_EQ(dump->threads.size(), 2u);
  EXPECT_EQ(dump->threads[0].tid, 100);
  EXPECT_EQ(dump->threads[1].tid, 101);
  EXPECT_EQ(dump->threads[0].cursig, 11);
  EXPECT_EQ(dump->threads[1].registers.get("rip"), 0x401234u);
  ASSERT_TRUE(dump->psinfo);
  EXPECT_EQ(dump->psinfo->fname, "prog");
  EXPECT_EQ(dump->psinfo->psargs, "./prog --flag");
  ASSERT_EQ(dump->files.size(), 1u);
  EXPECT_EQ(dump->files[0].path, "/bin/prog");
  EXPECT_EQ(dump->producer, "kernel");
  ASSERT_EQ(dump->mappings.size(), 2u);
  EXPECT_EQ(dump->mappings[0].saved, 0x1000u);
  auto byte_at = [&](std::uint64_t a) -> int {
    std::byte b{};
    if (!dump->memory.read(a, std::span(&b, 1))) return -1;
    return static_cast<int>(b);
  };
  EXPECT_EQ(byte_at(0x400010), 0x11);
  EXPECT_EQ(byte_at(0x401000), -1) << "past filesz: not saved";
  EXPECT_EQ(byte_at(0x601000), 0);
  EXPECT_EQ(byte_at(0x602003), 0x03);
  EXPECT_EQ(w.data_bytes, 0x3000u) << "the zero page is a hole";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), w.size);
  EXPECT_FALSE(w.truncated);
  ::unlink(path.c_str());
}

TEST(CoreWriter, CapCutsTheDataButKeepsTheNotes) {
  std::string path = ::testing::TempDir() + "/corelens-writer-cut-" + std::to_string(::getpid()) + ".core";
  cw::WriteResult w;
  auto dump = write_and_parse(path, 4096 + 100, &w);
  ASSERT_TRUE(dump) << dump.error().message;
  EXPECT_TRUE(w.truncated);
  EXPECT_EQ(w.size, 4096u + 100);
  EXPECT_EQ(dump->threads.size(), 2u);
  bool flagged = false;
  for (const auto& d : dump->diagnostics.entries()) flagged = flagged || d.code == "core-truncated";
  EXPECT_TRUE(flagged);
  ::unlink(path.c_str());
}

TEST(CoreWriter, DumpSizeFollowsTheKernelsRules) {
  using capture::VmaInfo;
  auto vma = [](std::string perms, std::string path, std::uint64_t inode, std::uint64_t anon, std::uint64_t offset = 0) {
    VmaInfo v;
    v.start = 0x1000;
    v.end = 0x5000;
    v.perms = std::move(perms);
    v.path = std::move(path);
    v.inode = inode;
    v.anonymous_kb = anon;
    v.offset = offset;
    return v;
  };
  const std::uint32_t def = 0x33;  // the default coredump_filter
  EXPECT_EQ(capture::dump_size(vma("rw-p", "[heap]", 0, 4), def, false, false), 0x4000u);
  EXPECT_EQ(capture::dump_size(vma("rw-p", "", 0, 0), def, false, false), 0u) << "never written";
  EXPECT_EQ(capture::dump_size(vma("r--p", "/lib/libc.so.6", 7, 0), def, false, true), 0x1000u) << "ELF header";
  EXPECT_EQ(capture::dump_size(vma("r-xp", "/lib/libc.so.6", 7, 0, 0x28000), def, false, false), 0u) << "text";
  EXPECT_EQ(capture::dump_size(vma("r--p", "/data.bin", 7, 0), def, false, false), 0u) << "not ELF";
  EXPECT_EQ(capture::dump_size(vma("rw-p", "/lib/libc.so.6", 7, 8, 0x1d000), def, false, false), 0x4000u) << "written data";
  EXPECT_EQ(capture::dump_size(vma("rw-s", "/dev/zero (deleted)", 9, 0), def, false, false), 0x4000u) << "anon shared";
  EXPECT_EQ(capture::dump_size(vma("rw-s", "/tmp/file", 9, 0), def, false, false), 0u) << "file shared";
  EXPECT_EQ(capture::dump_size(vma("rw-s", "/tmp/file", 9, 0), def | 8, false, false), 0x4000u) << "MAPPED_SHARED";
  EXPECT_EQ(capture::dump_size(vma("r-xp", "[vdso]", 0, 0), def, false, false), 0x4000u);
  EXPECT_EQ(capture::dump_size(vma("rw-p", "[stack]", 0, 4), 0x32, false, false), 0u) << "ANON_PRIVATE off";
  auto dd = vma("rw-p", "", 0, 4);
  dd.vm_flags = {"rd", "wr", "dd"};
  EXPECT_EQ(capture::dump_size(dd, def, false, false), 0u) << "MADV_DONTDUMP";
  auto parsed = capture::parse_smaps(
      "7f00-8f00 rw-p 00001000 08:01 1234    /lib/x.so (deleted)\nAnonymous:    12 kB\nVmFlags: rd wr mr\n"
      "9000-a000 ---p 00000000 00:00 0 \nVmFlags: mr\n");
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].start, 0x7f00u);
  EXPECT_EQ(parsed[0].offset, 0x1000u);
  EXPECT_EQ(parsed[0].inode, 1234u);
  EXPECT_EQ(parsed[0].path, "/lib/x.so (deleted)");
  EXPECT_EQ(parsed[0].anonymous_kb, 12u);
  EXPECT_EQ(parsed[0].vm_flags.size(), 3u);
  EXPECT_EQ(parsed[1].path, "");
}

}  // namespace
}  // namespace corelens
