// The symbol doctor (unwinder/pipeline/symbol_doctor.hpp) on a synthetic report and a synthetic dpkg
// database: each problem and the fix it gets. The real-core case (an executable deleted after
// the crash) is in gone_binaries_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "unwinder/pipeline/symbol_doctor.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

class SymbolDoctor : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("corelens-doctor-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "libfoo1:amd64.list") << "/.\n/usr\n/usr/lib/x86_64-linux-gnu/libfoo.so.1\n";
    std::ofstream(dir_ / "libc6:amd64.list") << "/lib/x86_64-linux-gnu/libc.so.6\n";
    std::ofstream(dir_ / "libc6:amd64.md5sums") << "/usr/lib/x86_64-linux-gnu/libbar.so.2\n";  // not a .list
  }
  void TearDown() override { fs::remove_all(dir_); }

  static ModuleReport module(const std::string& path, SymbolSource source, bool main = false) {
    ModuleReport m;
    m.path = path;
    m.build_id = "0123456789abcdef";
    m.symbols = source;
    m.file = source == SymbolSource::none ? "" : path;
    m.is_main_executable = main;
    return m;
  }
  static Frame frame(const std::string& module, const std::string& function, const std::string& file) {
    Frame f;
    f.module = module;
    f.function = function;
    f.file = file;
    return f;
  }
  fs::path dir_;
};

TEST_F(SymbolDoctor, PackageFromDpkgsFileLists) {
  EXPECT_EQ(debian_package_of("/lib/x86_64-linux-gnu/libfoo.so.1", dir_), "libfoo1");      // /usr added
  EXPECT_EQ(debian_package_of("/usr/lib/x86_64-linux-gnu/libc.so.6", dir_), "libc6");      // /usr removed
  EXPECT_EQ(debian_package_of("/usr/lib/x86_64-linux-gnu/libbar.so.2", dir_), "");          // only in .md5sums
  EXPECT_EQ(debian_package_of("relative/libfoo.so.1", dir_), "");
  EXPECT_EQ(debian_package_of("/lib/x86_64-linux-gnu/libfoo.so.1", (dir_ / "nowhere").string()), "");
}

TEST_F(SymbolDoctor, EachProblemGetsItsFix) {
  Report r;
  ThreadReport t;
  t.crashed = true;
  t.frames = {frame("/srv/app", "", ""), frame("/usr/lib/x86_64-linux-gnu/libfoo.so.1", "", ""),
              frame("/lib/x86_64-linux-gnu/libc.so.6", "raise", ""), frame("/opt/lib/libown.so", "", ""),
              frame("/usr/lib/x86_64-linux-gnu/libok.so", "ok", "ok.c")};
  r.threads.push_back(t);
  r.modules = {module("/srv/app", SymbolSource::none, true), module("/usr/lib/x86_64-linux-gnu/libfoo.so.1", SymbolSource::file),
               module("/lib/x86_64-linux-gnu/libc.so.6", SymbolSource::file), module("/opt/lib/libown.so", SymbolSource::mismatch),
               module("/usr/lib/x86_64-linux-gnu/libok.so", SymbolSource::file),
               module("/usr/lib/x86_64-linux-gnu/libnotonstack.so", SymbolSource::none)};
  diagnose_symbols(r, dir_);
  EXPECT_EQ(r.modules[0].symbols_problem, "missing");
  EXPECT_NE(r.modules[0].symbols_fix.find("--exe FILE, FILE being the build with build-id 0123456789abcdef"), std::string::npos)
      << r.modules[0].symbols_fix;
  EXPECT_EQ(r.modules[1].symbols_problem, "stripped");
  EXPECT_EQ(r.modules[1].symbols_fix, "apt-get install libfoo1-dbgsym");
  EXPECT_EQ(r.modules[2].symbols_problem, "no-debug-info");
  EXPECT_EQ(r.modules[2].symbols_fix, "apt-get install libc6-dbg");
  EXPECT_EQ(r.modules[3].symbols_problem, "mismatched-build-id");
  EXPECT_EQ(r.modules[3].symbols_fix, "--sysroot DIR, DIR holding the crashed machine's files (build-id 0123456789abcdef)");
  EXPECT_EQ(r.modules[4].symbols_problem, "");  // names and lines: nothing to fix
  EXPECT_EQ(r.modules[5].symbols_problem, "");  // not on the crashing stack
}

// A program built with -g still starts in crt1.o's _start, which has no line information: the
// program has debug info all the same (a real core's stack: main with lines, then _start).
TEST_F(SymbolDoctor, OneFrameWithoutLinesIsNotAModuleWithoutDebugInfo) {
  Report r;
  ThreadReport t;
  t.crashed = true;
  t.frames = {frame("/srv/app", "f3", "app.c"), frame("/srv/app", "main", "app.c"), frame("/srv/app", "_start", "")};
  r.threads.push_back(t);
  r.modules = {module("/srv/app", SymbolSource::file, true)};
  diagnose_symbols(r, dir_);
  EXPECT_EQ(r.modules[0].symbols_problem, "");
  EXPECT_EQ(r.modules[0].symbols_fix, "");
}

}  // namespace
}  // namespace corelens::testing
