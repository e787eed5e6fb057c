// debuginfod with a budget (issue 21), against a local stand-in server the test starts
// (debuginfod_stand_in.py on 127.0.0.1): files served at once, served slowly, not found, and a
// server that accepts and never answers. `corelens analyze --sysroot EMPTY --debug-dir EMPTY`
// finds no module file on disk, so every module's executable (and debug info) is asked of
// debuginfod. The analysis must end within its
// budget (a generous watchdog, `timeout 120`, catches a hang; no timing is asserted), use every
// file served, list the others with their build-ids, and find fetched files in libdebuginfod's
// cache the next time without the server.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/samples.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSample = "raise_segv";  // read here only: the gone-binary tests move other samples' files

std::string core_file() { return std::string(CORELENS_BINARIES_CORES) + "/" + kSample + "/core"; }

// A scratch directory under the build tree, fresh for each test.
std::string scratch(const std::string& name) {
  std::string dir = std::string(CORELENS_BINARIES_CORES) + "/debuginfod/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir + "/empty-sysroot");
  fs::create_directories(dir + "/server");
  return dir;
}

class StandIn {
 public:
  StandIn(const std::string& root, const std::string& mode) {
    const std::string port_file = root + "/port";
    pid_ = fork();
    if (pid_ == 0) {
      execlp("python3", "python3", CORELENS_STAND_IN, root.c_str(), mode.c_str(), port_file.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::ifstream in(port_file);
      if (!(in >> port_)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~StandIn() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  StandIn(const StandIn&) = delete;
  StandIn& operator=(const StandIn&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// The analysis with the files in place, and the server's files: each module's ELF file under
// its build-id as "executable", and its separate debug file (or the file itself) as "debuginfo".
const Report& original() {
  static const Report r = [] {
    AnalyzeOptions options;
    options.locator.debug_dirs = {"/usr/lib/debug"};
    auto a = analyze_file(core_file(), options);
    EXPECT_TRUE(a.has_value());
    return a ? *a : Report{};
  }();
  return r;
}

std::vector<std::string> serve_modules(const std::string& root) {
  std::vector<std::string> ids;
  for (const auto& m : original().modules) {
    if (m.build_id.empty() || m.file.empty() || m.path == "[vdso]") continue;
    fs::create_directories(root + "/" + m.build_id);
    fs::copy_file(m.file, root + "/" + m.build_id + "/executable");
    fs::copy_file(m.debug_file.empty() ? m.file : m.debug_file, root + "/" + m.build_id + "/debuginfo");
    ids.push_back(m.build_id);
  }
  return ids;
}

struct Analysis {
  int status = -1;
  json report;
};

Analysis analyze_with(const std::string& dir, const std::string& url, double budget) {
  std::string cmd = "env DEBUGINFOD_URLS='" + url + "' DEBUGINFOD_CACHE_PATH='" + dir + "/cache' timeout -k 5 120 '" +
                    CORELENS_CLI + "' analyze --format json --sysroot '" + dir + "/empty-sysroot' --debug-dir '" + dir +
                    "/empty-sysroot' --debuginfod-timeout " +
                    std::to_string(budget) + " '" + core_file() + "' 2>/dev/null";
  Analysis r;
  std::string out = run_command(cmd, &r.status);
  r.report = json::parse(out, nullptr, false);
  return r;
}

const json* module_with(const json& report, const std::string& build_id) {
  for (const auto& m : report["modules"]) {
    if (m["build_id"].is_string() && m["build_id"] == build_id) return &m;
  }
  return nullptr;
}

// Every served module's file was used, and the report is the one made with the files on disk.
void expect_served(const Analysis& run, const std::vector<std::string>& ids) {
  ASSERT_NE(run.status, 124) << "the analysis did not finish (watchdog)";
  ASSERT_FALSE(run.report.is_discarded());
  for (const auto& id : ids) {
    const json* m = module_with(run.report, id);
    ASSERT_NE(m, nullptr) << id;
    EXPECT_EQ((*m)["symbols"]["source"], "debuginfod") << m->dump();
  }
  ASSERT_TRUE(original().analysis.has_value());
  EXPECT_EQ(run.report["analysis"]["why"], original().analysis->why);
  EXPECT_EQ(run.report["analysis"]["category"], original().analysis->classification.category);
  const auto& frames = run.report["threads"][0]["frames"];
  const auto& want = original().threads.front().frames;
  ASSERT_EQ(frames.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(frames[i]["function"].is_string() ? frames[i]["function"].get<std::string>() : "", want[i].function) << i;
  }
}

TEST(Debuginfod, ServedFilesAreUsedAndCached) {
  std::string dir = scratch("served");
  auto ids = serve_modules(dir + "/server");
  ASSERT_FALSE(ids.empty());
  {
    StandIn server(dir + "/server", "serve");
    ASSERT_NE(server.port(), 0) << "the stand-in server did not start";
    expect_served(analyze_with(dir, server.url(), 30), ids);
  }
  // Again, with a server that has nothing: everything comes from libdebuginfod's cache.
  StandIn empty(dir + "/server", "notfound");
  ASSERT_NE(empty.port(), 0);
  expect_served(analyze_with(dir, empty.url(), 30), ids);
}

TEST(Debuginfod, SlowServerWithinTheBudget) {
  std::string dir = scratch("slow");
  auto ids = serve_modules(dir + "/server");
  StandIn server(dir + "/server", "slow");
  ASSERT_NE(server.port(), 0);
  expect_served(analyze_with(dir, server.url(), 60), ids);
}

// Not found, or no answer within the budget: the report is made anyway, and each module says
// what happened, with its build-id.
void expect_listed(const Analysis& run, const std::string& words) {
  ASSERT_NE(run.status, 124) << "the analysis did not finish within its budget (watchdog)";
  ASSERT_FALSE(run.report.is_discarded());
  ASSERT_TRUE(run.report["analysis"].is_object());
  int listed = 0;
  for (const auto& m : run.report["modules"]) {
    if (m["path"] == "[vdso]" || !m["build_id"].is_string()) continue;
    EXPECT_EQ(m["symbols"]["source"], "none") << m.dump();
    std::string note = m["symbols"]["note"].is_string() ? m["symbols"]["note"].get<std::string>() : "";
    EXPECT_NE(note.find("debuginfod: executable " + words + " (build-id " + m["build_id"].get<std::string>() + ")"),
              std::string::npos)
        << note;
    ++listed;
  }
  EXPECT_GE(listed, 3);  // the executable, libc, ld.so
}

TEST(Debuginfod, NotFound) {
  std::string dir = scratch("notfound");
  StandIn server(dir + "/server", "notfound");
  ASSERT_NE(server.port(), 0);
  expect_listed(analyze_with(dir, server.url(), 30), "not found");
}

TEST(Debuginfod, ServerThatNeverAnswersCostsOnlyTheBudget) {
  std::string dir = scratch("hang");
  StandIn server(dir + "/server", "hang");
  ASSERT_NE(server.port(), 0);
  Analysis run = analyze_with(dir, server.url(), 3);
  expect_listed(run, "no answer within the budget");
  // Every look-up reached the server: they were all made.
  std::ifstream log(dir + "/server/requests.log");
  int requests = 0;
  for (std::string line; std::getline(log, line);) ++requests;
  EXPECT_GE(requests, 6);  // the executable and debug info of each
}

}  // namespace
}  // namespace corelens::testing
