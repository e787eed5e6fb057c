// A core analysed cold (its pages not in the page cache, as a core is right after it was written
// or copied) is read only where the analysis needs bytes: no page of the core's holes (a thread's
// untouched stack pages) enters the page cache, and the pages that do are a small part of the
// bytes the file holds. Before MappedFile listed the holes and advised MADV_RANDOM, the kernel's
// readahead zero-filled megabytes around each small read (7.8 GB for a 1,000-thread core).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/file/mapped_file.hpp"
#include "tests/integration/samples.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

struct Residency {
  std::uint64_t in_holes = 0;  // pages
  std::uint64_t in_data = 0;
  std::uint64_t data_pages = 0;
};

// Which of FILE's pages are in the page cache, split by whether the file holds data there.
Residency residency(const MappedFile& file) {
  auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((file.size() + page - 1) / page);
  EXPECT_EQ(::mincore(const_cast<std::byte*>(file.bytes().data()), file.size(), vec.data()), 0);
  std::vector<bool> data(vec.size(), false);
  for (const auto& e : file.data_extents()) {
    for (std::uint64_t p = e.begin / page; p * page < e.end; ++p) data[p] = true;
  }
  Residency r;
  for (std::size_t p = 0; p < vec.size(); ++p) {
    if (data[p]) ++r.data_pages;
    if ((vec[p] & 1) == 0) continue;
    ++(data[p] ? r.in_data : r.in_holes);
  }
  return r;
}

TEST(ColdRead, AnalysisTouchesNoHoleOfARealCore) {
  // A private copy with exactly the original's holes (cp --sparse would also punch the zero
  // blocks of the notes): other tests (gdb, eu-stack) read the sample core itself, and their
  // buffered reads fill its holes' pages.
  std::string tmpl = (std::filesystem::temp_directory_path() / "corelens_cold_XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  std::string copy = tmpl + "/threads_blocked.core";
  auto original = MappedFile::open(core_path("auto", "threads_blocked"));
  ASSERT_TRUE(original.has_value()) << original.error().message;
  int fd = ::open(copy.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>((*original)->size())), 0);
  for (const auto& e : (*original)->data_extents()) {
    auto bytes = (*original)->bytes().subspan(e.begin, e.end - e.begin);
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(e.begin)),
              static_cast<ssize_t>(bytes.size()));
  }
  ASSERT_EQ(::fsync(fd), 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  ::close(fd);

  auto probe = MappedFile::open(copy);
  ASSERT_TRUE(probe.has_value()) << probe.error().message;
  Residency before = residency(**probe);
  ASSERT_GT((*probe)->size(), before.data_pages * 4096 * 4) << "the core has too few holes to tell anything";
  ASSERT_EQ(before.in_holes + before.in_data, 0u) << "the copy did not leave the page cache";

  AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  auto report = analyze_file(copy, options);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  ASSERT_GE(report->threads.size(), 10u);
  for (const auto& t : report->threads) EXPECT_GE(t.frames.size(), 3u) << "thread " << t.tid;

  Residency after = residency(**probe);
  EXPECT_EQ(after.in_holes, 0u) << "the analysis brought pages of the core's holes into the page cache";
  EXPECT_GT(after.in_data, 0u);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace corelens::testing
