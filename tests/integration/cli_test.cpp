// The `corelens` command as a user runs it: exit codes and one-line errors for bad input, text
// and JSON reports of real sample cores, and how --exe, --sysroot and --debug-dir find files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "parsers/elf_image.hpp"
#include "tests/integration/samples.hpp"
#include "tests/support/core_pattern.hpp"
#include "tests/support/opt_out.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int status = 0;
  std::string out;
  std::string err;
};

CliRun corelens(const std::string& args) {
  static int counter = 0;
  std::string err_file = ::testing::TempDir() + "/corelens-cli-err-" + std::to_string(::getpid()) + "-" +
                         std::to_string(counter++);
  CliRun r;
  r.out = run_command(std::string(CORELENS_CLI) + " " + args + " 2>" + err_file, &r.status);
  r.err = read_text_file(err_file);
  fs::remove(err_file);
  return r;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "/corelens-cli-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

TEST(Cli, UsageErrors) {
  // `corelens` alone where systemd-coredump keeps no cores: usage (tests/install/distro_test.cpp
  // has the listing).
  int alone = 0;
  run_command("CORELENS_COREDUMP_DIR=/nonexistent " + std::string(CORELENS_CLI) + " 2>/dev/null", &alone);
  EXPECT_EQ(alone, 64);
  EXPECT_EQ(corelens("analyze").status, 64);
  EXPECT_EQ(corelens("analyze --format yaml x").status, 64);
  EXPECT_EQ(corelens("analyze --bogus x").status, 64);
  CliRun help = corelens("--help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("exit status"), std::string::npos);
}

TEST(Cli, FilesThatAreNotDumps) {
  TempDir dir;
  CliRun missing = corelens("analyze " + dir.path() + "/nothing-here");
  EXPECT_EQ(missing.status, 66);
  EXPECT_TRUE(one_line(missing.err)) << missing.err;
  EXPECT_NE(missing.err.find("No such file"), std::string::npos) << missing.err;

  CliRun directory = corelens("analyze " + dir.path());
  EXPECT_EQ(directory.status, 66);
  EXPECT_NE(directory.err.find("directory"), std::string::npos) << directory.err;

  std::ofstream(dir.path() + "/empty").close();
  CliRun empty = corelens("analyze " + dir.path() + "/empty");
  EXPECT_EQ(empty.status, 65);
  EXPECT_NE(empty.err.find("empty"), std::string::npos) << empty.err;

  std::ofstream(dir.path() + "/text") << "hello, this is not a core\n";
  CliRun text = corelens("analyze " + dir.path() + "/text");
  EXPECT_EQ(text.status, 65);
  EXPECT_TRUE(one_line(text.err)) << text.err;
  EXPECT_NE(text.err.find("not a core dump"), std::string::npos) << text.err;

  CliRun executable = corelens(std::string("analyze ") + CORELENS_CLI);
  EXPECT_EQ(executable.status, 65);
  EXPECT_NE(executable.err.find("not a core dump"), std::string::npos) << executable.err;
  EXPECT_NE(executable.err.find("executable"), std::string::npos) << executable.err;

  CliRun device = corelens("analyze /dev/null");
  EXPECT_EQ(device.status, 66);
}

TEST(Cli, TextReportOfARealCore) {
  CliRun r = corelens("analyze " + core_path("auto", "null_read"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("SIGSEGV (Segmentation fault), SEGV_MAPERR: address not mapped to object"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Address   0x0"), std::string::npos);
  int line = marker_line("null_read.c", "CRASH-SITE");
  EXPECT_NE(r.out.find("in f3 +0x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("null_read.c:" + std::to_string(line) + ":"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(context)"), std::string::npos);
  EXPECT_NE(r.out.find("(cfi)"), std::string::npos);

  CliRun gdb_order = corelens(exe_path("auto", "null_read") + " " + core_path("auto", "null_read"));
  EXPECT_EQ(gdb_order.status, 0) << gdb_order.err;
  EXPECT_EQ(gdb_order.out, r.out);
}

TEST(Cli, KilledByAnotherProcessNamesTheSender) {
  CliRun r = corelens("analyze " + core_path("auto", "assert_fail"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("SIGABRT (Aborted), SI_TKILL: sent by tkill or tgkill from pid "), std::string::npos) << r.out;
}

TEST(Cli, InlinedFramesAreMarked) {
  CliRun r = corelens("analyze " + core_path("auto", "inlined_o2"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("[inlined] extract_field"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[inlined] load_record"), std::string::npos) << r.out;
}

TEST(Cli, UnwinderChoice) {
  EXPECT_EQ(corelens("analyze --unwinder gdb " + core_path("auto", "null_read")).status, 64);
  EXPECT_EQ(corelens("analyze " + core_path("auto", "null_read") + " --unwinder").status, 64);
  CliRun alone = corelens("analyze --format json --unwinder libunwind " + core_path("auto", "null_read"));
  ASSERT_EQ(alone.status, 0) << alone.err;
  EXPECT_NE(alone.out.find("\"unwinder\": \"libunwind\""), std::string::npos);
  EXPECT_EQ(alone.out.find("\"unwinder_cross_check\""), std::string::npos);
  // The default names libdwfl; auto, libdwfl where it completes the stack.
  CliRun automatic = corelens("analyze --format json --unwinder auto " + core_path("auto", "null_read"));
  ASSERT_EQ(automatic.status, 0) << automatic.err;
  EXPECT_NE(automatic.out.find("\"unwinder\": \"libdwfl\""), std::string::npos);

  CliRun agree = corelens("analyze --unwinder cross-check " + core_path("auto", "null_read"));
  ASSERT_EQ(agree.status, 0) << agree.err;
  EXPECT_NE(agree.out.find("Unwinders (libdwfl and libunwind, cross-checked): they agree on every thread"),
            std::string::npos) << agree.out;
  // debug_frame_only: libunwind cannot read its CFI, scans, and takes a stale return address.
  CliRun differ = corelens("analyze --unwinder cross-check " + core_path("auto", "debug_frame_only"));
  ASSERT_EQ(differ.status, 0) << differ.err;
  EXPECT_NE(differ.out.find("they disagree on 1 of 1 thread"), std::string::npos) << differ.out;
  EXPECT_NE(differ.out.find(": DISAGREE: they part at frame 1: libdwfl has 0x"), std::string::npos) << differ.out;
  EXPECT_NE(differ.out.find("[unwinders-disagree]"), std::string::npos) << differ.out;
  CliRun json = corelens("analyze --format json --unwinder cross-check " + core_path("auto", "debug_frame_only"));
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_NE(json.out.find("\"unwinder_cross_check\""), std::string::npos);
  EXPECT_NE(json.out.find("\"agree\": false"), std::string::npos);
}

TEST(Cli, RecursionIsCollapsedUnlessAsked) {
  CliRun r = corelens("analyze " + core_path("auto", "stack_overflow"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("recurse \u00d7 "), std::string::npos) << r.out;
  CliRun full = corelens("analyze --no-collapse " + core_path("auto", "stack_overflow"));
  EXPECT_EQ(full.out.find("recurse \u00d7 "), std::string::npos);
  EXPECT_GT(full.out.size(), r.out.size());
}

TEST(Cli, AStaleExecutableIsReportedAndNotUsed) {
  // Another program's executable has another build-id: its symbols must not name our frames.
  CliRun r = corelens("analyze --modules --exe " + exe_path("auto", "wild_write") + " " + core_path("auto", "null_read"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("symbols: mismatch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[module-build-id-mismatch]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("store_field"), std::string::npos) << "symbols of the wrong file were used";
}

TEST(Cli, SysrootConfinesLookupsAndDebugDirFindsByBuildId) {
  TempDir root;
  std::string exe = fs::canonical(exe_path("auto", "null_read")).string();
  // An empty sysroot: nothing of the host may be used.
  CliRun none = corelens("analyze --modules --sysroot " + root.path() + " " + core_path("auto", "null_read"));
  ASSERT_EQ(none.status, 0) << none.err;
  EXPECT_EQ(none.out.find("in f3"), std::string::npos) << none.out;
  EXPECT_NE(none.out.find("[module-file-missing]"), std::string::npos) << none.out;

  // The executable placed where the core says it was, inside the sysroot.
  fs::create_directories(root.path() + fs::path(exe).parent_path().string());
  fs::copy_file(exe, root.path() + exe);
  CliRun inside = corelens("analyze --modules --sysroot " + root.path() + " " + core_path("auto", "null_read"));
  ASSERT_EQ(inside.status, 0) << inside.err;
  EXPECT_NE(inside.out.find("in f3"), std::string::npos) << inside.out;
  EXPECT_NE(inside.out.find(root.path() + exe), std::string::npos);
  fs::remove(root.path() + exe);

  // Found by its build-id under a debug directory.
  TempDir debug;
  auto info = read_elf_file(exe);
  ASSERT_TRUE(info.has_value());
  std::string id = info->build_id;
  fs::create_directories(debug.path() + "/.build-id/" + id.substr(0, 2));
  fs::copy_file(exe, debug.path() + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2));
  CliRun by_id = corelens("analyze --sysroot " + root.path() + " --debug-dir " + debug.path() + " " +
                       core_path("auto", "null_read"));
  ASSERT_EQ(by_id.status, 0) << by_id.err;
  EXPECT_NE(by_id.out.find("in f3"), std::string::npos) << by_id.out;
}

TEST(Cli, AnUnusableModuleFileIsNamedOnceInItsWarning) {
  // The executable's place inside the sysroot is a directory: the warning names the module, then
  // the file tried and why, each once (the error passes up three layers that each knew the path).
  TempDir root;
  std::string exe = fs::canonical(exe_path("auto", "null_read")).string();
  fs::create_directories(root.path() + exe);
  CliRun r = corelens("analyze --sysroot " + root.path() + " " + core_path("auto", "null_read"));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string want = "warning: " + exe + ": " + root.path() + exe + ": is a directory [module-file-missing]";
  EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
}

TEST(Cli, SysrootLinksResolveInsideTheSysroot) {
  // A root file system as container images and debootstrap make them: an absolute link to where
  // the file lives inside it, which on this machine points nowhere.
  TempDir root;
  std::string exe = fs::canonical(exe_path("auto", "null_read")).string();
  fs::create_directories(root.path() + "/opt/real");
  fs::copy_file(exe, root.path() + "/opt/real/null_read");
  fs::create_directories(root.path() + fs::path(exe).parent_path().string());
  fs::create_symlink("/opt/real/null_read", root.path() + exe);
  CliRun r = corelens("analyze --modules --sysroot " + root.path() + " " + core_path("auto", "null_read"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("in f3"), std::string::npos) << r.out;

  // A link that climbs out with ".." (to this machine's real executable) stays inside: not found.
  fs::remove(root.path() + exe);
  std::string up;
  for (std::size_t depth = std::count(exe.begin(), exe.end(), '/'); depth > 0; --depth) up += "../";
  fs::create_symlink(up + "../../.." + exe, root.path() + exe);
  CliRun out = corelens("analyze --modules --sysroot " + root.path() + " " + core_path("auto", "null_read"));
  ASSERT_EQ(out.status, 0) << out.err;
  EXPECT_EQ(out.out.find("in f3"), std::string::npos) << "a link left the sysroot:\n" << out.out;

  // A loop of links: the module is missing, nothing hangs.
  fs::remove(root.path() + exe);
  fs::create_symlink(exe + ".b", root.path() + exe);
  fs::create_symlink(exe, root.path() + exe + ".b");
  CliRun loop = corelens("analyze --sysroot " + root.path() + " " + core_path("auto", "null_read"));
  EXPECT_EQ(loop.status, 0) << loop.err;
}

// The kernel writes its notes first: half of its core still has every thread (gcore writes them
// at the end, so a half gcore core has none left).
TEST(Cli, ATruncatedCoreStillReportsWithADiagnostic) {
  CORELENS_REQUIRE("kernel-cores", kernel_core_problem().empty(),
                   "the kernel writes no core into the working directory here: " + kernel_core_problem());
  ASSERT_TRUE(read_text_file(cores_dir("auto") + "/threads_blocked.method").starts_with("kernel"));
  TempDir dir;
  std::string copy = dir.path() + "/core";
  fs::copy_file(core_path("auto", "threads_blocked"), copy);
  ASSERT_EQ(::truncate(copy.c_str(), static_cast<off_t>(fs::file_size(copy) / 2)), 0);
  CliRun r = corelens("analyze " + copy);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("the core is truncated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("crash_in_main_thread"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace corelens::testing
