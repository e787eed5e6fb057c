// `corelens run`: the sample programs run under it, mostly with the kernel's own cores turned off
// (ulimit -c 0). Each crash is caught exactly once, and the core corelens writes analyses like
// the kernel's core of the same process, which the kernel still writes when the core limit allows
// (signal, si_code, crashing thread, frames with file:line, the notes in the kernel's order, the
// same mappings dumped the same way); gdb and eu-stack read it with the same frames as ours, and
// compressed copies of it analyse the same. Crashes in grandchildren (an orphaned one too), after
// exec and in a worker thread are caught once each. Output and exit status pass through; a program
// that survives its own SIGSEGV, a fork-heavy script and a multithreaded program are not
// reported. CI reports (JUnit, SARIF, GitHub, Markdown) point at the crash site.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "core/model/strings.hpp"
#include "core/report/json_report.hpp"
#include "tests/integration/peer_tools.hpp"
#include "tests/integration/samples.hpp"
#include "tests/support/core_pattern.hpp"
#include "tests/support/opt_out.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

struct Shell {
  int status = -1;
  std::string out, err;
};

// Runs COMMAND under sh, with the kernel's cores off unless KERNEL_CORE_LIMIT says otherwise.
Shell shell(const std::string& command, const std::string& kernel_core_limit = "0") {
  static int n = 0;
  std::string err = ::testing::TempDir() + "/corelens-run-err-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
  Shell s;
  std::string out = run_command("ulimit -c " + kernel_core_limit + "; ulimit -s 8192; ( " + command + " ) 2>'" +
                                err + "' </dev/null; echo \"@status=$?\"");
  auto pos = out.rfind("@status=");
  if (pos != std::string::npos) {
    s.status = std::atoi(out.c_str() + pos + 8);
    out.erase(pos);
  }
  s.out = out;
  s.err = read_text_file(err);
  fs::remove(err);
  return s;
}

class TempDir {
 public:
  TempDir() {
    std::string t = ::testing::TempDir() + "/corelens-run-XXXXXX";
    path_ = ::mkdtemp(t.data()) ? t : "";
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::vector<std::string> cores() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) {
      if (e.path().extension() == ".core") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // The ELF cores a plain file name core_pattern ("core", "core.%p", "%e.core" ...) made here.
  std::vector<std::string> kernel_cores() const { return elf_core_files(path_); }

 private:
  std::string path_;
};

std::string cli() { return CORELENS_CLI; }
// corelens, running COMMAND with the core limit the shell gave: AddressSanitizer's runtime lowers
// the limit of the process it runs in, and so of everything corelens runs, unless told not to.
std::string cli_keeping_core_limit() {
  return "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}disable_coredump=0\" " + cli();
}
std::string sample_exe(const std::string& name) { return fs::canonical(exe_path("auto", name)).string(); }

Report analyse(const std::string& core) {
  AnalyzeOptions o;
  o.locator.debug_dirs = {"/usr/lib/debug"};
  auto r = analyze_file(core, o);
  EXPECT_TRUE(r) << core << ": " << (r ? "" : r.error().message);
  return r ? *r : Report{};
}

const ThreadReport* crashed(const Report& r) {
  for (const auto& t : r.threads) {
    if (t.crashed) return &t;
  }
  return nullptr;
}

// "function file:line" for the frames of the sample's own executable.
std::vector<std::string> own_frames(const Report& r, const std::string& sample) {
  std::vector<std::string> out;
  const ThreadReport* t = crashed(r);
  if (t == nullptr) return out;
  for (const auto& f : t->frames) {
    if (fs::path(f.module).filename() == sample) {
      out.push_back(comparable_name(f.function) + " " + fs::path(f.file).filename().string() + ":" + std::to_string(f.line));
    }
  }
  return out;
}

// The crash analysis (core/analysis, issue 4) classifies and signs both cores alike, when the
// tree has it.
template <typename R>
void expect_same_analysis(const R& ours, const R& kernel) {
  if constexpr (requires { ours.analysis->signature.readable; }) {
    ASSERT_TRUE(ours.analysis && kernel.analysis);
    EXPECT_EQ(ours.analysis->classification.category, kernel.analysis->classification.category);
    EXPECT_EQ(ours.analysis->signature.readable, kernel.analysis->signature.readable);
  }
}

class RunSample : public ::testing::TestWithParam<std::string> {};

TEST_P(RunSample, CoreMatchesTheKernels) {
  const std::string sample = GetParam();
  const SampleExpectation* expect = find_sample(sample);
  ASSERT_NE(expect, nullptr);
  CORELENS_REQUIRE("kernel-cores", kernel_core_problem().empty(),
                   "the kernel writes no core into the working directory here: " + kernel_core_problem());

  // The kernel's core of the very process corelens caught: another run of the sample would lay
  // its memory out differently (ASLR moves the gaps that PMD-aligned libraries leave, and small
  // anonymous mappings merge or not depending on where they land).
  Shell direct = shell(sample_exe(sample));
  TempDir keep, cwd;
  Shell traced = shell("cd '" + cwd.path() + "' && " + cli_keeping_core_limit() + " run --keep-cores " + keep.path() +
                           " -- " +
                           sample_exe(sample),
                       "unlimited");
  auto kernel_cores = cwd.kernel_cores();
  ASSERT_EQ(kernel_cores.size(), 1u) << "corelens run let the process die without its kernel core\n" << traced.err;
  Report kernel = analyse(kernel_cores[0]);
  ASSERT_EQ(kernel.producer, "kernel");
  EXPECT_EQ(traced.status, direct.status) << traced.err;
  EXPECT_EQ(traced.status, 128 + expect->signal);
  EXPECT_EQ(traced.out, direct.out);
  EXPECT_NE(traced.err.find("1 crash caught"), std::string::npos) << traced.err;

  auto cores = keep.cores();
  ASSERT_EQ(cores.size(), 1u) << traced.err;
  Report ours = analyse(cores[0]);
  EXPECT_EQ(ours.producer, "kernel") << "notes not in the kernel's layout";
  ASSERT_TRUE(ours.signal);
  ASSERT_TRUE(kernel.signal);
  EXPECT_EQ(ours.signal->number, kernel.signal->number);
  EXPECT_EQ(ours.signal->code_name, kernel.signal->code_name);
  EXPECT_EQ(ours.signal->code_name, expect->code_name);
  EXPECT_EQ(ours.signal->address.has_value(), kernel.signal->address.has_value());
  EXPECT_EQ(ours.threads.size(), kernel.threads.size());
  ASSERT_TRUE(ours.crashed_tid && ours.process.pid && kernel.crashed_tid && kernel.process.pid);
  EXPECT_EQ(*ours.crashed_tid == *ours.process.pid, *kernel.crashed_tid == *kernel.process.pid);
  ASSERT_FALSE(ours.threads.empty());
  EXPECT_TRUE(ours.threads.front().crashed) << "the crashing thread comes first";
  EXPECT_EQ(ours.process.name, kernel.process.name);

  auto ours_frames = own_frames(ours, sample), kernel_frames = own_frames(kernel, sample);
  EXPECT_FALSE(ours_frames.empty());
  EXPECT_EQ(ours_frames, kernel_frames);
  expect_same_analysis(ours, kernel);

  // The notes, in the kernel's order and sizes.
  ASSERT_EQ(ours.notes.size(), kernel.notes.size());
  for (std::size_t i = 0; i < ours.notes.size(); ++i) {
    EXPECT_EQ(ours.notes[i].type_name + "/" + ours.notes[i].name, kernel.notes[i].type_name + "/" + kernel.notes[i].name) << i;
    if (ours.notes[i].type_name != "NT_FILE" && ours.notes[i].type_name != "NT_AUXV") {
      EXPECT_EQ(ours.notes[i].size, kernel.notes[i].size) << ours.notes[i].type_name;
    }
  }
  // The same memory areas, dumped the same way.
  auto areas = [](const Report& r) {
    std::vector<std::string> s;
    for (const auto& m : r.mappings) {
      s.push_back(hex(m.start) + "-" + hex(m.end) + " " + m.perms + " " + m.path + " saved " + std::to_string(m.saved));
    }
    return s;
  };
  EXPECT_EQ(areas(ours), areas(kernel));

  // eu-stack reads our core and finds the crash site.
  int status = 0;
  std::string eu = run_command("eu-stack -i --core '" + cores[0] + "' -e '" + sample_exe(sample) + "' 2>&1", &status);
  EXPECT_NE(eu.find(expect->own_frames.front()), std::string::npos) << eu;
}

INSTANTIATE_TEST_SUITE_P(Samples, RunSample,
                         ::testing::Values("null_read", "wild_write", "readonly_write", "assert_fail",
                                           "uncaught_exception", "stack_overflow", "divide_by_zero",
                                           "illegal_instruction", "threads_blocked", "inlined_o2"));

// ---- Our cores as other tools read them ------------------------------------------------------------

// The report as JSON without what must differ between a core and its compressed copy.
nlohmann::json normalised(const Report& r) {
  auto j = nlohmann::json::parse(report_to_json(r));
  j["dump"].erase("path");
  auto& d = j["diagnostics"];
  for (auto it = d.begin(); it != d.end();) {
    if ((*it).value("code", "") == "decompressed") it = d.erase(it);
    else ++it;
  }
  return j;
}

// COMMAND compresses $IN to $OUT, as systemd-coredump stores cores.
const std::vector<std::pair<std::string, std::string>>& compressors() {
  static const std::vector<std::pair<std::string, std::string>> c = {
      {"zst", "zstd -q -f -o \"$OUT\" \"$IN\""}, {"xz", "xz -c -T1 \"$IN\" > \"$OUT\""}, {"lz4", "lz4 -q -f \"$IN\" \"$OUT\""}};
  return c;
}
std::string compressed_copy(const std::string& core, const std::string& ext, const std::string& command) {
  std::string out = core + "." + ext;
  int status = 0;
  run_command("IN='" + core + "' OUT='" + out + "'; " + command, &status);
  EXPECT_EQ(status, 0) << command;
  return out;
}

class RunCore : public ::testing::TestWithParam<std::string> {};

// Independent of the kernel's own cores (RunSample skips without them): the core `run` writes
// opens in eu-stack and gdb with our frames, and its compressed copies analyse the same.
TEST_P(RunCore, ReadByGdbAndEuStackAsByUsAndTheSameCompressed) {
  const std::string sample = GetParam();
  TempDir keep;
  Shell traced = shell(cli() + " run --keep-cores " + keep.path() + " -- " + sample_exe(sample));
  auto cores = keep.cores();
  ASSERT_EQ(cores.size(), 1u) << traced.err;
  Report ours = analyse(cores[0]);
  ASSERT_FALSE(ours.threads.empty());
  EXPECT_FALSE(own_frames(ours, sample).empty());
  expect_eu_stack_agrees(ours, cores[0], sample_exe(sample));
  expect_gdb_agrees(ours, cores[0], sample_exe(sample));
  auto original = normalised(ours);
  for (const auto& [ext, command] : compressors()) {
    SCOPED_TRACE(ext);
    Report packed = analyse(compressed_copy(cores[0], ext, command));
    EXPECT_EQ(normalised(packed), original);
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, RunCore,
                         ::testing::Values("null_read", "wild_write", "readonly_write", "assert_fail",
                                           "uncaught_exception", "stack_overflow", "divide_by_zero",
                                           "illegal_instruction", "threads_blocked", "inlined_o2"));

TEST(Run, ThreadsBlockedHasEveryThreadCrashingFirst) {
  TempDir keep;
  Shell traced = shell(cli() + " run --keep-cores " + keep.path() + " -- " + sample_exe("threads_blocked"));
  auto cores = keep.cores();
  ASSERT_EQ(cores.size(), 1u) << traced.err;
  Report r = analyse(cores[0]);
  ASSERT_EQ(r.threads.size(), 12u);
  EXPECT_TRUE(r.threads.front().crashed);
  EXPECT_EQ(r.threads.front().tid, *r.process.pid);  // main thread crashes in this sample
  std::set<std::string> tops;
  for (const auto& t : r.threads) {
    for (const auto& f : t.frames) {
      if (f.function.starts_with("worker_") || f.function == "crash_in_main_thread") tops.insert(f.function);
    }
  }
  EXPECT_EQ(tops.size(), 12u) << "every worker and the crashing main thread are unwound";
}

TEST(Run, HandledSignalIsNotReported) {
  TempDir keep;
  Shell traced = shell(cli() + " run --keep-cores " + keep.path() + " -- " + CORELENS_TEST_HANDLES_SEGV);
  EXPECT_EQ(traced.status, 0) << traced.err;
  EXPECT_EQ(traced.out, "recovered\n");
  EXPECT_TRUE(keep.cores().empty());
  EXPECT_EQ(traced.err.find("crash"), std::string::npos) << traced.err;
}

TEST(Run, ForkHeavyScriptPassesThrough) {
  std::string script = "i=0; while [ $i -lt 3000 ]; do /bin/true; i=$((i+1)); done; echo done $i; exit 3";
  TempDir keep;
  Shell traced = shell(cli() + " run --keep-cores " + keep.path() + " -- sh -c '" + script + "'");
  EXPECT_EQ(traced.status, 3) << traced.err;
  EXPECT_EQ(traced.out, "done 3000\n");
  EXPECT_TRUE(keep.cores().empty());
  EXPECT_EQ(traced.err, "");
}

TEST(Run, MultithreadedProgramPassesThrough) {
  Shell direct = shell(CORELENS_TEST_THREADS_EXIT);
  Shell traced = shell(cli() + " run -- " + CORELENS_TEST_THREADS_EXIT);
  EXPECT_EQ(direct.status, 7);
  EXPECT_EQ(traced.status, 7) << traced.err;
  EXPECT_EQ(traced.out, direct.out);
  EXPECT_EQ(traced.err, "");
}

TEST(Run, CrashesInsideAShellScriptAreCaughtAndReportedForCi) {
  TempDir keep, out;
  std::string script = sample_exe("null_read") + "; echo after=\\$?; sh -c 'exec " + sample_exe("divide_by_zero") +
                       "'; echo after2=\\$?; exit 0";
  std::string root = fs::path(CORELENS_SAMPLES_SOURCE_DIR).parent_path().string();
  Shell traced = shell(cli() + " run --keep-cores " + keep.path() + " --junit " + out.path() + "/j.xml --sarif " +
                       out.path() + "/s.sarif --markdown " + out.path() + "/m.md --github --source-root " + root +
                       " -- sh -c \"" + script + "\"");
  EXPECT_EQ(traced.status, 0) << traced.err;
  EXPECT_NE(traced.out.find("after=139"), std::string::npos) << traced.out;
  EXPECT_NE(traced.out.find("after2=136"), std::string::npos) << traced.out;
  EXPECT_EQ(keep.cores().size(), 2u) << traced.err;
  EXPECT_NE(traced.err.find("2 crashes caught"), std::string::npos) << traced.err;

  int null_line = marker_line("null_read.c", "CRASH-SITE");
  int div_line = marker_line("divide_by_zero.c", "CRASH-SITE");
  EXPECT_NE(traced.out.find("::error file=samples/null_read.c,line=" + std::to_string(null_line)), std::string::npos)
      << traced.out;
  EXPECT_NE(traced.out.find("::error file=samples/divide_by_zero.c,line=" + std::to_string(div_line)), std::string::npos)
      << traced.out;

  auto sarif = nlohmann::json::parse(read_text_file(out.path() + "/s.sarif"));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  const auto& loc = results[0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"], "samples/null_read.c");
  EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
  EXPECT_EQ(loc["region"]["startLine"], null_line);
  EXPECT_FALSE(results[0]["stacks"][0]["frames"].empty());
  EXPECT_FALSE(results[0]["codeFlows"][0]["threadFlows"][0]["locations"].empty());
  EXPECT_FALSE(results[0]["partialFingerprints"]["corelensCrashSignature/v1"].get<std::string>().empty());

  // JUnit: well-formed, one failing test case per group (checked by Python's XML parser).
  int status = 0;
  std::string junit = run_command(
      "python3 -c \"import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); "
      "cs=r.findall('.//testcase'); print(len(cs), sum(1 for c in cs if c.find('failure') is not None), "
      "r.find('testsuite').get('failures'))\" " + out.path() + "/j.xml", &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(junit, "2 2 2\n");
  std::string md = read_text_file(out.path() + "/m.md");
  EXPECT_NE(md.find("## corelens: 2 crashes in 2 groups"), std::string::npos) << md;
}

TEST(Run, CrashInAWorkerThreadWithTheOthersAlive) {
  TempDir keep;
  Shell traced = shell(cli() + " run --keep-cores " + keep.path() + " -- " + CORELENS_TEST_THREAD_CRASH);
  EXPECT_EQ(traced.status, 128 + SIGSEGV) << traced.err;
  EXPECT_NE(traced.err.find("1 crash caught"), std::string::npos) << traced.err;
  EXPECT_NE(traced.err.find(", thread "), std::string::npos) << "the crashing thread is named:\n" << traced.err;
  auto cores = keep.cores();
  ASSERT_EQ(cores.size(), 1u) << traced.err;
  Report r = analyse(cores[0]);
  ASSERT_TRUE(r.signal && r.crashed_tid && r.process.pid);
  EXPECT_EQ(r.signal->name, "SIGSEGV");
  EXPECT_EQ(r.signal->code_name, "SEGV_MAPERR");
  EXPECT_NE(*r.crashed_tid, *r.process.pid) << "a worker crashed, not main";
  ASSERT_EQ(r.threads.size(), 5u) << "main, three blocked workers and the crashing one";
  EXPECT_TRUE(r.threads.front().crashed);
  EXPECT_EQ(r.threads.front().tid, *r.crashed_tid);
  std::vector<std::string> top;
  for (const auto& f : r.threads.front().frames) top.push_back(comparable_name(f.function));
  ASSERT_GE(top.size(), 2u);
  EXPECT_EQ(top[0], "write_through");
  EXPECT_EQ(top[1], "crashing_worker");
  int blocked = 0;
  for (const auto& t : r.threads) {
    for (const auto& f : t.frames) blocked += f.function == "blocked_worker";
  }
  EXPECT_EQ(blocked, 3);
  // The three blocked workers make one group, named by the libc wait and by who waits there.
  ASSERT_TRUE(r.analysis);
  ASSERT_EQ(r.analysis->thread_groups.size(), 1u);
  EXPECT_EQ(r.analysis->thread_groups[0].tids.size(), 3u);
  EXPECT_TRUE(r.analysis->thread_groups[0].caller.ends_with("!blocked_worker")) << r.analysis->thread_groups[0].caller;
  expect_eu_stack_agrees(r, cores[0], CORELENS_TEST_THREAD_CRASH);
  expect_gdb_agrees(r, cores[0], CORELENS_TEST_THREAD_CRASH);
}

TEST(Run, OrphanedGrandchildCrashingAfterItsParentExitedIsCaught) {
  // The subshell exits at once, leaving its child (the command's grandchild, now an orphan) to
  // sleep, exec the sample and crash; cat keeps the command alive until that grandchild's end
  // closes the pipe, so the crash happens while `run` still traces the tree.
  TempDir keep;
  std::string script = "(sh -c 'sleep 0.3; exec " + sample_exe("null_read") + "' &) | cat; echo root-done";
  Shell traced = shell(cli() + " run --keep-cores " + keep.path() + " -- sh -c \"" + script + "\"");
  EXPECT_EQ(traced.status, 0) << traced.err;
  EXPECT_EQ(traced.out, "root-done\n");
  EXPECT_NE(traced.err.find("1 crash caught"), std::string::npos) << traced.err;
  auto cores = keep.cores();
  ASSERT_EQ(cores.size(), 1u) << traced.err;
  Report r = analyse(cores[0]);
  EXPECT_EQ(r.process.name, "null_read");
  EXPECT_EQ(own_frames(r, "null_read"), own_frames(sample_report("auto", "null_read"), "null_read"));
}

TEST(Run, CompressedCoresGiveTheSameCiReports) {
  // `collect` over each core `run` wrote and over its compressed copies: the same SARIF, byte for
  // byte, and the same JUnit but for the core's name.
  TempDir keep, out;
  std::string root = fs::path(CORELENS_SAMPLES_SOURCE_DIR).parent_path().string();
  Shell traced = shell(cli() + " run --keep-cores " + keep.path() + " -- sh -c '" + sample_exe("assert_fail") + "; " +
                       sample_exe("threads_blocked") + "; exit 0'");
  auto cores = keep.cores();
  ASSERT_EQ(cores.size(), 2u) << traced.err;
  auto reports = [&](const std::string& core, std::string* junit) {
    int status = 0;
    run_command(cli() + " collect --source-root " + root + " --sarif " + out.path() + "/r.sarif --junit " + out.path() +
                    "/r.xml '" + core + "' >/dev/null 2>&1", &status);
    EXPECT_EQ(status, 0) << core;
    *junit = read_text_file(out.path() + "/r.xml");
    for (const std::string& s : {core, fs::path(core).filename().string()}) {
      for (auto p = junit->find(s); p != std::string::npos; p = junit->find(s)) junit->replace(p, s.size(), "CORE");
    }
    return read_text_file(out.path() + "/r.sarif");
  };
  for (const auto& core : cores) {
    std::string junit, packed_junit;
    std::string sarif = reports(core, &junit);
    ASSERT_NE(sarif.find("\"results\""), std::string::npos);
    for (const auto& [ext, command] : compressors()) {
      SCOPED_TRACE(core + "." + ext);
      EXPECT_EQ(reports(compressed_copy(core, ext, command), &packed_junit), sarif);
      EXPECT_EQ(packed_junit, junit);
    }
  }
}

TEST(Run, ExitStatusOfMissingCommandIsTheShells) {
  Shell traced = shell(cli() + " run -- /nonexistent/corelens-no-such-command");
  EXPECT_EQ(traced.status, 127);
  EXPECT_NE(traced.err.find("No such file"), std::string::npos) << traced.err;
}

TEST(Run, FailOnCrashAndCoreSizeCap) {
  TempDir keep;
  Shell traced = shell(cli() + " run --fail-on-crash --max-core-size 64K --keep-cores " + keep.path() +
                       " -- sh -c '" + sample_exe("null_read") + "; exit 0'");
  EXPECT_EQ(traced.status, 1) << traced.err;
  auto cores = keep.cores();
  ASSERT_EQ(cores.size(), 1u);
  EXPECT_LE(fs::file_size(cores[0]), 64u * 1024);
  EXPECT_NE(traced.err.find("--max-core-size"), std::string::npos) << traced.err;
  // Cut, it still names the signal and the crashing thread (the notes come first).
  Report r = analyse(cores[0]);
  ASSERT_TRUE(r.signal);
  EXPECT_EQ(r.signal->name, "SIGSEGV");
}

// Locale files and a file mapped whole as data are on the memory map, not on the module list,
// and draw no "module file missing" warning: the modules are exactly gdb's shared libraries, plus
// the executable and the vDSO. Our core and the kernel's core of the same process alike: the
// kernel saves no page of a data file.
TEST(Run, FilesMappedAsDataAreNotModules) {
  TempDir keep, cwd;
  std::string data = fs::weakly_canonical(cwd.path() + "/glyphs.bin").string();
  {
    std::ofstream f(data, std::ios::binary);
    f << std::string(3 * 4096, 'g');
  }
  Shell traced = shell("cd '" + cwd.path() + "' && " + cli_keeping_core_limit() + " run --keep-cores " + keep.path() +
                           " -- " +
                           CORELENS_TEST_MAPS_DATA_FILES + " " + data,
                       "unlimited");
  ASSERT_EQ(traced.status, 128 + SIGSEGV) << traced.err;
  std::vector<std::string> cores = keep.cores();
  ASSERT_EQ(cores.size(), 1u) << traced.err;
  const std::string no_kernel_core = kernel_core_problem();
  if (no_kernel_core.empty()) {
    ASSERT_EQ(cwd.kernel_cores().size(), 1u) << "the kernel wrote no core of the process\n" << traced.err;
    cores.push_back(cwd.kernel_cores().front());
  }
  for (const auto& core : cores) {
    SCOPED_TRACE(core);
    Report r = analyse(core);
    for (const auto& d : r.diagnostics) EXPECT_NE(d.code, "module-file-missing") << d.message;
    std::set<std::string> libraries, data_files;
    for (const auto& m : r.modules) {
      if (!m.is_main_executable && m.path != "[vdso]") libraries.insert(fs::path(m.path).filename().string());
    }
    for (const auto& m : r.mappings) {
      if (m.path == data || m.path.starts_with("/usr/lib/locale/")) data_files.insert(m.path);
    }
    EXPECT_TRUE(data_files.count(data)) << "the data file is on the memory map";
    EXPECT_GE(data_files.size(), 2u) << "setlocale mapped no locale file";
    for (const auto& m : r.modules) EXPECT_EQ(data_files.count(m.path), 0u) << m.path;

    std::string gdb = run_command("gdb -nx -batch -ex 'info sharedlibrary' '" + std::string(CORELENS_TEST_MAPS_DATA_FILES) +
                                  "' '" + core + "' 2>&1");
    std::set<std::string> gdb_libraries;
    std::istringstream lines(gdb);
    for (std::string line; std::getline(lines, line);) {
      auto slash = line.find(" /");
      // gdb names them as the link map does (/lib64/...), NT_FILE by their real path (/usr/lib/...).
      if (line.starts_with("0x") && slash != std::string::npos) {
        gdb_libraries.insert(fs::path(line.substr(slash + 1)).filename().string());
      }
    }
    EXPECT_FALSE(gdb_libraries.empty()) << gdb;
    EXPECT_EQ(libraries, gdb_libraries) << gdb;
    ASSERT_FALSE(r.threads.empty());
    ASSERT_FALSE(r.threads.front().frames.empty());
    EXPECT_EQ(r.threads.front().frames.front().function, "use_tables");
  }
  CORELENS_REQUIRE("kernel-cores", no_kernel_core.empty(),
                   "only corelens' core was checked: the kernel writes no core here: " + no_kernel_core);
}

}  // namespace
}  // namespace corelens::testing
