// corelens at home on a Linux desktop (issue 9), as a user runs it, on real sample cores: gdb's
// and coredumpctl's argument orders, `corelens` alone listing systemd-coredump's crashes,
// colour only where it belongs, the exit status of every command, --version's libraries
// (compared with what eu-stack and zstd say of theirs).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/integration/samples.hpp"
#include "tests/support/opt_out.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = 0;
  std::string out;
  std::string err;
};

// PROGRAM with ARGS through the shell (ENV: "VAR=value ..." put before it).
Outcome run(const std::string& program, const std::string& args, const std::string& env = "") {
  static int counter = 0;
  std::string err_file = ::testing::TempDir() + "/corelens-distro-err-" + std::to_string(::getpid()) + "-" +
                         std::to_string(counter++);
  Outcome r;
  r.out = run_command(env + (env.empty() ? "" : " ") + program + " " + args + " 2>" + err_file, &r.status);
  r.err = read_text_file(err_file);
  fs::remove(err_file);
  return r;
}
Outcome corelens(const std::string& args, const std::string& env = "") { return run(CORELENS_CLI, args, env); }

// corelens-gui's tests: built with it; where Qt6 was not found (CORELENS_GUI_MISSING) they fail, or
// are skipped when CORELENS_SKIP names gui; with -DCORELENS_BUILD_GUI=OFF there are none.
#if defined(CORELENS_GUI) || defined(CORELENS_GUI_MISSING)
#define CORELENS_GUI_TESTS 1
#ifdef CORELENS_GUI
const std::string gui_program = CORELENS_GUI;
#else
const std::string gui_program;
#endif
#define REQUIRE_GUI() \
  CORELENS_REQUIRE("gui", !gui_program.empty(), "corelens-gui was not built: Qt6 Widgets was not found (Debian package qt6-base-dev)")
#endif

class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "/corelens-distro-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string strip_escapes(const std::string& s) { return std::regex_replace(s, std::regex("\x1b\\[[0-9;]*m"), ""); }
bool has_escape(const std::string& s) { return s.find('\x1b') != std::string::npos; }

const std::string null_core = core_path("auto", "null_read");
const std::string null_exe = exe_path("auto", "null_read");

// ---- argument orders -----------------------------------------------------------------------------

TEST(ArgumentOrder, GdbsDashC) {
  Outcome plain = corelens("analyze " + null_core);
  ASSERT_EQ(plain.status, 0) << plain.err;
  for (std::string args : {null_exe + " -c " + null_core, null_exe + " --core " + null_core, "-c " + null_core,
                           "analyze --core=" + null_core, "analyze " + null_exe + " " + null_core}) {
    Outcome r = corelens(args);
    EXPECT_EQ(r.status, 0) << args << ": " << r.err;
    EXPECT_EQ(r.out, plain.out) << args;
  }
  EXPECT_EQ(corelens("-c " + null_core + " -c " + null_core).status, 64);
  EXPECT_EQ(corelens(null_exe + " -c").status, 64);
  EXPECT_EQ(corelens("a b -c " + null_core).status, 64);  // three files
}

// `coredumpctl debug --debugger=corelens --debugger-arguments="--format json"` runs the debugger
// as DEBUGGER [ARGS...] EXE -c CORE (systemd's coredumpctl.c, run_debug()).
TEST(ArgumentOrder, CoredumpctlDebug) {
  Outcome r = corelens("--format json " + null_exe + " -c " + null_core);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"schema_version\""), std::string::npos) << r.out;
  Outcome text = corelens("--no-collapse " + null_exe + " -c " + null_core);
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("in f3 +0x"), std::string::npos) << text.out;
}

#ifdef CORELENS_GUI_TESTS
TEST(ArgumentOrder, GuiTakesCoredumpctlsOrder) {
  REQUIRE_GUI();
  TempDir dir;
  std::string env = "QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME=" + dir.path() + " XDG_RUNTIME_DIR=" + dir.path();
  Outcome r = run(gui_program, "--screenshot " + dir.path() + "/a.png " + null_exe + " -c " + null_core, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::file_size(dir.path() + "/a.png") > 10000);
  EXPECT_EQ(run(gui_program, null_exe + " -c", env).status, 64);
  EXPECT_EQ(run(gui_program, "-c " + null_core + " --core " + null_core, env).status, 64);
}
#endif

// ---- corelens alone ------------------------------------------------------------------------------

// Real cores under the names systemd-coredump gives them, one compressed as it compresses them.
TEST(RecentCrashes, ListsSystemdCoredumpsNewestFirst) {
  TempDir dir;
  const std::string boot = "0123456789abcdef0123456789abcdef";
  std::string older = dir.path() + "/core.null_read.1000." + boot + ".4242.1700000000000000";
  std::string newer = dir.path() + "/core.divide_by_zero.1000." + boot + ".4343.1800000000000000.zst";
  fs::copy_file(null_core, older);
  int st = 0;
  run_command("zstd -q -o " + newer + " " + core_path("auto", "divide_by_zero"), &st);
  ASSERT_EQ(st, 0);
  std::ofstream(dir.path() + "/not-a-core.txt") << "hello\n";  // not named as a core: ignored

  Outcome r = corelens("", "CORELENS_COREDUMP_DIR=" + dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Recent crashes kept by systemd-coredump in " + dir.path()), std::string::npos) << r.out;
  std::size_t fpe = r.out.find("SIGFPE");
  std::size_t segv = r.out.find("SIGSEGV");
  ASSERT_NE(fpe, std::string::npos) << r.out;
  ASSERT_NE(segv, std::string::npos) << r.out;
  EXPECT_LT(fpe, segv) << "newest first:\n" << r.out;
  EXPECT_NE(r.out.find("4343"), std::string::npos);
  EXPECT_NE(r.out.find("/divide_by_zero"), std::string::npos) << r.out;  // the executable, from the core
  EXPECT_EQ(r.out.find("not-a-core"), std::string::npos);
  EXPECT_NE(r.out.find("corelens analyze " + newer), std::string::npos) << r.out;
  // The command it suggests works, on the compressed core too.
  Outcome a = corelens("analyze " + newer);
  EXPECT_EQ(a.status, 0) << a.err;
  EXPECT_NE(a.out.find("SIGFPE"), std::string::npos);
}

TEST(RecentCrashes, NoneKeptOrNoSystemd) {
  TempDir dir;
  Outcome empty = corelens("", "CORELENS_COREDUMP_DIR=" + dir.path());
  EXPECT_EQ(empty.status, 0) << empty.err;
  EXPECT_NE(empty.out.find("No crashes kept by systemd-coredump"), std::string::npos) << empty.out;
  // A damaged core is listed with what could be read of it, not a failure.
  std::ofstream(dir.path() + "/core.broken.0.0123456789abcdef0123456789abcdef.77.1700000000000000") << "junk";
  Outcome broken = corelens("", "CORELENS_COREDUMP_DIR=" + dir.path());
  EXPECT_EQ(broken.status, 0) << broken.err;
  EXPECT_NE(broken.out.find("broken (not an ELF file"), std::string::npos) << broken.out;
  Outcome none = corelens("", "CORELENS_COREDUMP_DIR=" + dir.path() + "/nothing");
  EXPECT_EQ(none.status, 64);
  EXPECT_TRUE(none.out.empty());
  EXPECT_NE(none.err.find("corelens --help"), std::string::npos) << none.err;
}

// ---- colour --------------------------------------------------------------------------------------

// A terminal for the command: util-linux's script(1) runs it on a pseudo-terminal.
Outcome on_terminal(const std::string& args, const std::string& env = "") {
  return run("script -qec", "'" + env + (env.empty() ? "" : " ") + CORELENS_CLI + " " + args + "' /dev/null", "");
}

TEST(Color, OnlyOnATerminalUnlessAsked) {
  Outcome piped = corelens("analyze " + null_core);
  ASSERT_EQ(piped.status, 0);
  EXPECT_FALSE(has_escape(piped.out));
  Outcome always = corelens("analyze --color=always " + null_core);
  ASSERT_EQ(always.status, 0);
  EXPECT_TRUE(has_escape(always.out));
  // Colour only adds escapes: the words are the plain report's.
  EXPECT_EQ(strip_escapes(always.out), piped.out);
  EXPECT_EQ(corelens("analyze --color always " + null_core).out, always.out);
  EXPECT_FALSE(has_escape(corelens("analyze --color=never " + null_core).out));
  EXPECT_FALSE(has_escape(corelens("analyze --color=auto " + null_core).out));
  // JSON is never coloured.
  EXPECT_FALSE(has_escape(corelens("analyze --format json --color=always " + null_core).out));

  Outcome tty = on_terminal("analyze " + null_core);
  ASSERT_EQ(tty.status, 0) << tty.err;
  EXPECT_TRUE(has_escape(tty.out)) << tty.out;
  EXPECT_FALSE(has_escape(on_terminal("analyze --color=never " + null_core).out));
  EXPECT_FALSE(has_escape(on_terminal("analyze " + null_core, "TERM=dumb").out));
}

TEST(Color, NoColorIsRespected) {
  EXPECT_FALSE(has_escape(on_terminal("analyze " + null_core, "NO_COLOR=1").out));
  // An empty NO_COLOR is as if unset (no-color.org).
  EXPECT_TRUE(has_escape(on_terminal("analyze " + null_core, "NO_COLOR=").out));
  // A flag on the command line wins over the environment.
  EXPECT_TRUE(has_escape(corelens("analyze --color=always " + null_core, "NO_COLOR=1").out));
}

TEST(Color, SpansForSignalThreadFunctionsAndUntrustedFrames) {
  Outcome r = corelens("analyze --color=always " + null_core);
  EXPECT_NE(r.out.find("Signal    \x1b[1;31mSIGSEGV (Segmentation fault)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\x1b[1;31mThread "), std::string::npos) << r.out;  // the crashing thread's header
  EXPECT_NE(r.out.find(" (crashed)\x1b[0m:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in \x1b[33mf3\x1b[0m +0x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("at \x1b[32m"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\x1b[35m("), std::string::npos) << "no untrusted frame here";
  // no_unwind_info_nofp has no CFI and no frame pointers: its callers are found by scanning.
  Outcome scan = corelens("analyze --color=always " + core_path("auto", "no_unwind_info_nofp"));
  ASSERT_EQ(scan.status, 0) << scan.err;
  EXPECT_NE(scan.out.find("\x1b[35m(scan)\x1b[0m"), std::string::npos) << scan.out;
  EXPECT_EQ(corelens("analyze --color=sometimes " + null_core).status, 64);
  // collect's text reports follow the same rules.
  TempDir dir;
  fs::copy_file(null_core, dir.path() + "/core.1");
  EXPECT_TRUE(has_escape(corelens("collect --color=always " + dir.path()).out));
  EXPECT_FALSE(has_escape(corelens("collect " + dir.path()).out));
  EXPECT_EQ(corelens("collect --color=maybe " + dir.path()).status, 64);
}

// ---- exit status of every command ----------------------------------------------------------------

// Errors are one line (and a hint) on stderr, nothing on stdout.
void expect_error(const Outcome& r, int status, const std::string& what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.err;
  EXPECT_TRUE(r.out.empty()) << what << ": " << r.out;
  EXPECT_FALSE(r.err.empty()) << what;
}

// Every command's --help ends with the exit status it documents (the man page has the same
// text: install.man checks).
TEST(ExitStatus, DocumentedInEveryHelp) {
  for (std::string args : {"--help", "analyze --help", "run --help", "collect --help", "triage --help", "history --help"}) {
    Outcome r = corelens(args);
    EXPECT_EQ(r.status, 0) << args;
    EXPECT_TRUE(r.out.starts_with("usage: corelens")) << args;
    EXPECT_NE(r.out.find("\nexit status"), std::string::npos) << args << ":\n" << r.out;
    EXPECT_NE(r.out.find("\n  64 "), std::string::npos) << args;
  }
}

#ifdef CORELENS_GUI_TESTS
TEST(ExitStatus, DocumentedInTheGuisHelp) {
  REQUIRE_GUI();
  Outcome g = run(gui_program, "--help", "QT_QPA_PLATFORM=offscreen");
  EXPECT_NE(g.out.find("\nexit status:\n  0 "), std::string::npos) << g.out;
}
#endif

TEST(ExitStatus, Analyze) {
  TempDir dir;
  std::ofstream(dir.path() + "/text") << "not a core\n";
  expect_error(corelens("analyze --bogus " + null_core), 64, "unknown option");
  expect_error(corelens("analyze"), 64, "no core");
  expect_error(corelens("analyze " + dir.path() + "/text"), 65, "not a dump");
  expect_error(corelens("analyze " + dir.path() + "/missing"), 66, "missing file");
  EXPECT_EQ(corelens("analyze " + null_core).status, 0);
  EXPECT_EQ(corelens("--help").status, 0);
}

TEST(ExitStatus, RunCommand) {
  expect_error(corelens("run --bogus -- true"), 64, "unknown option");
  expect_error(corelens("run"), 64, "no command");
  EXPECT_EQ(corelens("run -- /nonexistent/program").status, 127);
  EXPECT_EQ(corelens("run -- /tmp").status, 126);  // a directory: found, not runnable
  EXPECT_EQ(corelens("run -- sh -c 'exit 3'").status, 3);  // the command's own status
  // A command killed by a signal: corelens dies of the same signal, so the shell says 128+11.
  std::string crash = std::string(CORELENS_SAMPLES_BIN) + "/null_read";
  std::string shell = run_command("(" + std::string(CORELENS_CLI) + " run --quiet -- " + crash + ") >/dev/null 2>&1; echo $?");
  EXPECT_EQ(shell, "139\n");
  EXPECT_EQ(corelens("run --quiet --fail-on-crash -- sh -c '" + crash + "; exit 0'").status, 1);
  EXPECT_EQ(corelens("run --quiet -- sh -c '" + crash + "; exit 0'").status, 0);
}

TEST(ExitStatus, Collect) {
  TempDir dir;
  expect_error(corelens("collect"), 64, "no input");
  expect_error(corelens("collect --bogus " + dir.path()), 64, "unknown option");
  expect_error(corelens("collect " + dir.path() + "/missing"), 66, "missing file");
  EXPECT_EQ(corelens("collect " + dir.path()).status, 0);  // none found is no error
  EXPECT_EQ(corelens("collect --fail-on-crash " + dir.path()).status, 0);
  fs::copy_file(null_core, dir.path() + "/core.1");
  EXPECT_EQ(corelens("collect --fail-on-crash " + dir.path()).status, 1);
}

TEST(ExitStatus, Triage) {
  TempDir dir;
  expect_error(corelens("triage"), 64, "no input");
  expect_error(corelens("triage --jobs 0 " + dir.path()), 64, "bad --jobs");
  expect_error(corelens("triage " + dir.path()), 64, "no dump found");
  std::ofstream(dir.path() + "/text") << "not a core\n";
  EXPECT_EQ(corelens("triage --no-progress " + null_core + " " + dir.path() + "/text").status, 1);
  EXPECT_EQ(corelens("triage --no-progress " + null_core).status, 0);
}

TEST(ExitStatus, History) {
  TempDir dir;
  std::ofstream(dir.path() + "/text") << "not a database\n";
  expect_error(corelens("history"), 64, "no --db");
  expect_error(corelens("history --db " + dir.path() + "/h.sqlite --since soon"), 64, "bad --since");
  expect_error(corelens("history --db " + dir.path() + "/text"), 66, "not an SQLite file");
  expect_error(corelens("history --db postgresql://nobody@127.0.0.1:1/none"), 66, "no server there");
  expect_error(corelens("triage --no-progress --db " + dir.path() + "/text " + null_core), 66, "triage: not an SQLite file");
  EXPECT_EQ(corelens("history --db " + dir.path() + "/h.sqlite").status, 0);  // a new, empty history
}

#ifdef CORELENS_GUI_TESTS
TEST(ExitStatus, Gui) {
  REQUIRE_GUI();
  TempDir dir;
  std::string env = "QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME=" + dir.path() + " XDG_RUNTIME_DIR=" + dir.path();
  std::ofstream(dir.path() + "/text") << "not a core\n";
  EXPECT_EQ(run(gui_program, "--bogus", env).status, 64);
  EXPECT_EQ(run(gui_program, "--screenshot " + dir.path() + "/x.png", env).status, 64);  // no core
  EXPECT_EQ(run(gui_program, "--screenshot " + dir.path() + "/x.png " + dir.path() + "/text", env).status, 1);
  EXPECT_EQ(run(gui_program, "--help", env).status, 0);
}
#endif

// ---- --version -----------------------------------------------------------------------------------

// The versions --version reports are the ones the tools built on the same libraries report.
TEST(Version, NamesTheLibrariesAsTheirOwnToolsDo) {
  Outcome v = corelens("--version");
  ASSERT_EQ(v.status, 0);
  EXPECT_TRUE(v.out.starts_with("corelens 0.")) << v.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(v.out, m, std::regex(R"(\n  elfutils \(libdw\) +([0-9.]+)\n)"))) << v.out;
  std::string eu = run_command("eu-stack --version");
  EXPECT_NE(eu.find("(elfutils) " + m[1].str()), std::string::npos) << eu << " vs " << v.out;
  ASSERT_TRUE(std::regex_search(v.out, m, std::regex(R"(\n  zstd +([0-9.]+)\n)"))) << v.out;
  std::string zstd = run_command("zstd --version");
  EXPECT_NE(zstd.find("v" + m[1].str()), std::string::npos) << zstd << " vs " << v.out;
  for (const char* lib : {"libunwind", "capstone", "xz (liblzma)", "lz4", "zlib", "sqlite"}) {
    EXPECT_NE(v.out.find(std::string("\n  ") + lib + " "), std::string::npos) << lib << "\n" << v.out;
  }
  ASSERT_TRUE(std::regex_search(v.out, m, std::regex(R"(\n  libpq +([0-9.]+)\n)"))) << v.out;
  std::string pg_config = run_command("pg_config --version");  // libpq-dev's: "PostgreSQL 15.18 (Debian ...)"
  EXPECT_NE(pg_config.find("PostgreSQL " + m[1].str() + " "), std::string::npos) << pg_config << " vs " << v.out;
}

#ifdef CORELENS_GUI_TESTS
TEST(Version, TheGuiNamesQtAndTheLibraries) {
  REQUIRE_GUI();
  Outcome g = run(gui_program, "--version", "QT_QPA_PLATFORM=offscreen");
  EXPECT_EQ(g.status, 0);
  EXPECT_TRUE(g.out.starts_with("corelens-gui 0.")) << g.out;
  EXPECT_NE(g.out.find("\n  Qt "), std::string::npos) << g.out;
  EXPECT_NE(g.out.find("\n  elfutils (libdw) " ), std::string::npos) << g.out;
}
#endif

}  // namespace
}  // namespace corelens::testing
