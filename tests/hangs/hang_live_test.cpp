// The samples that hang on purpose, alive: `corelens analyze --pid` stops them for a moment,
// finds what they recorded of themselves, and lets them go: afterwards the process is still
// there and its threads sleep where they slept (state S, not t: not left stopped). Then
// `corelens snapshot` writes a core of one, which reads the same; and the errors a user can act
// on (no such process, another tracer, not permitted).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/hangs/hang_records.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A sample running with CORELENS_HANG_LIVE=1 (no watchdog: it hangs until killed), its standard
// output in a file; killed and reaped when the test ends.
class LiveSample {
 public:
  LiveSample(const std::string& name, int threads) {
    dir_ = fs::temp_directory_path() / ("corelens-live-" + name + "-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    out_ = (dir_ / "out").string();
    std::string exe = std::string(CORELENS_SAMPLES_BIN_DIR) + "/" + name;
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
      ::dup2(fd, 1);
      ::setenv("CORELENS_HANG_LIVE", "1", 1);
      ::execl(exe.c_str(), exe.c_str(), nullptr);
      ::_exit(127);
    }
    // Until it has said everything and every thread sleeps (for 200 ms in a row).
    for (int i = 0, steady = 0; i < 1500 && steady < 10; ++i) {
      std::this_thread::sleep_for(20ms);
      steady = parse_hang_record(read_text_file(out_)).complete() && all_threads_asleep(pid_, threads) ? steady + 1 : 0;
    }
  }
  ~LiveSample() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }
  pid_t pid() const { return pid_; }
  HangRecord record() const { return parse_hang_record(read_text_file(out_)); }
  std::string dir() const { return dir_.string(); }

 private:
  fs::path dir_;
  std::string out_;
  pid_t pid_ = -1;
};

std::string cli() { return CORELENS_CLI; }

// Let go, a thread runs for a moment (back from the stop into the call it sleeps in): asleep
// again within two seconds, however loaded the machine.
bool back_asleep(pid_t pid, int threads) {
  for (int i = 0; i < 100; ++i) {
    if (all_threads_asleep(pid, threads)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

class HangLive : public ::testing::TestWithParam<HangSample> {};

TEST_P(HangLive, AnalyzesAndLetsItRunOn) {
  LiveSample p(GetParam().name, GetParam().threads);
  ASSERT_TRUE(all_threads_asleep(p.pid(), GetParam().threads)) << "the sample did not settle: " << thread_states(p.pid());
  int status = 0;
  std::string out = run_command(cli() + " analyze --format json --pid " + std::to_string(p.pid()), &status);
  ASSERT_EQ(status, 0) << out;
  nlohmann::json report = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << out;
  EXPECT_EQ(report.at("dump").at("producer"), "live");
  EXPECT_TRUE(report.at("signal").is_null());
  EXPECT_TRUE(report.at("crashed_thread").is_null());
  ASSERT_TRUE(report.contains("live"));
  EXPECT_GT(report.at("live").at("stopped_us").get<std::int64_t>(), 0);
  EXPECT_EQ(static_cast<int>(report.at("threads").size()), GetParam().threads);
  expect_report_matches(report, p.record(), true);
  // It runs on: still there, every thread back asleep where it was, none left stopped.
  EXPECT_EQ(::kill(p.pid(), 0), 0);
  EXPECT_TRUE(back_asleep(p.pid(), GetParam().threads)) << thread_states(p.pid());
  EXPECT_EQ(thread_states(p.pid()).find_first_of("tT"), std::string::npos);
  // And can be read again: nothing of the first attach is left behind.
  std::string again = run_command(cli() + " analyze --pid " + std::to_string(p.pid()), &status);
  EXPECT_EQ(status, 0) << again;
  EXPECT_NE(again.find("Stopped   "), std::string::npos) << again;
}

INSTANTIATE_TEST_SUITE_P(Samples, HangLive, ::testing::ValuesIn(hang_samples()),
                         [](const auto& p) { return p.param.name; });

TEST(HangSnapshot, WritesACoreThatReadsTheSame) {
  LiveSample p("hang_abba", 3);
  std::string core = p.dir() + "/abba.core";
  int status = 0;
  std::string out = run_command(cli() + " snapshot " + std::to_string(p.pid()) + " -o " + core + " 2>&1", &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("was stopped for"), std::string::npos) << out;
  EXPECT_TRUE(back_asleep(p.pid(), 3)) << thread_states(p.pid());
  std::string json = run_command(cli() + " analyze --format json " + core, &status);
  ASSERT_EQ(status, 0) << json;
  nlohmann::json report = nlohmann::json::parse(json, nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_TRUE(report.at("signal").is_null()) << "a snapshot carries no signal";
  expect_report_matches(report, p.record(), true);
  // Never overwrites.
  std::string second = run_command(cli() + " snapshot " + std::to_string(p.pid()) + " -o " + core + " 2>&1", &status);
  EXPECT_EQ(status, 66) << second;
}

// The kernel rewrites a thread's rseq area (struct pthread's rseq_area: the CPU it runs on) each
// time the thread returns to user space, so it differs between any two reads of a live process
// that ran in between: left out of the comparison, everything else must be equal.
void drop_rseq_area(nlohmann::json& v) {
  if (v.is_array()) {
    for (auto& e : v) drop_rseq_area(e);
    return;
  }
  if (!v.is_object()) return;
  if (v.value("name", "") == "rseq_area") v = "rseq_area";
  if (!v.is_object()) return;
  if (v.contains("value") && v.at("value").is_string()) {
    std::string s = v.at("value");
    std::size_t at = s.find("rseq_area = {");
    if (at != std::string::npos) {
      std::size_t i = s.find('{', at);
      for (int depth = 0; i < s.size(); ++i) {
        if (s[i] == '{') ++depth;
        else if (s[i] == '}' && --depth == 0) break;
      }
      s.replace(at, std::min(i + 1, s.size()) - at, "rseq_area = <rewritten by the kernel>");
      v["value"] = s;
    }
  }
  if (v.contains("members")) drop_rseq_area(v["members"]);
}

// --locals on a live process: the same values, frame for frame, as in a core of the same process
// at the same moment (a snapshot taken right after; the hung process does not change between).
// The core's values are the ones tests/values compares with gdb's.
TEST(HangLive, LocalsEqualThoseOfACoreOfTheSameProcess) {
  for (const auto& [name, threads] : {std::pair{"hang_abba", 3}, std::pair{"hang_ring", 4}}) {
    SCOPED_TRACE(name);
    LiveSample p(name, threads);
    ASSERT_TRUE(all_threads_asleep(p.pid(), threads)) << thread_states(p.pid());
    int status = 0;
    std::string pid = std::to_string(p.pid());
    std::string live = run_command(cli() + " analyze --locals --format json --pid " + pid, &status);
    ASSERT_EQ(status, 0) << live;
    std::string core = p.dir() + "/same.core";
    std::string out = run_command(cli() + " snapshot " + pid + " -o " + core + " 2>&1", &status);
    ASSERT_EQ(status, 0) << out;
    std::string cored = run_command(cli() + " analyze --locals --format json " + core, &status);
    ASSERT_EQ(status, 0) << cored;
    nlohmann::json a = nlohmann::json::parse(live, nullptr, false), b = nlohmann::json::parse(cored, nullptr, false);
    ASSERT_FALSE(a.is_discarded() || b.is_discarded());
    ASSERT_EQ(a.at("threads").size(), b.at("threads").size());
    std::size_t compared = 0;
    for (std::size_t t = 0; t < a.at("threads").size(); ++t) {
      const auto& ta = a.at("threads")[t];
      const auto& tb = b.at("threads")[t];
      ASSERT_EQ(ta.at("tid"), tb.at("tid"));
      ASSERT_EQ(ta.at("frames").size(), tb.at("frames").size()) << "thread " << ta.at("tid");
      for (std::size_t f = 0; f < ta.at("frames").size(); ++f) {
        const auto& fa = ta.at("frames")[f];
        ASSERT_TRUE(fa.contains("variables")) << "--locals ignored: " << fa.dump();
        nlohmann::json va = fa.at("variables"), vb = tb.at("frames")[f].at("variables");
        drop_rseq_area(va);
        drop_rseq_area(vb);
        EXPECT_EQ(va, vb) << fa.value("function", nlohmann::json()).dump();
        compared += fa.at("variables").size();
      }
    }
    EXPECT_GT(compared, 0u) << "no variable in any frame";
    // The text report shows them too: the worker's order, with the lock it waits for.
    std::string text = run_command(cli() + " analyze --locals --pid " + pid, &status);
    ASSERT_EQ(status, 0) << text;
    if (std::string(name) == "hang_abba") {
      EXPECT_NE(text.find("second_name = "), std::string::npos) << text;
    }
    EXPECT_TRUE(back_asleep(p.pid(), threads)) << thread_states(p.pid());
  }
}

TEST(HangLiveErrors, NoSuchProcess) {
  int status = 0;
  // A pid that is not in use: a child that has been reaped.
  pid_t gone = ::fork();
  if (gone == 0) ::_exit(0);
  ::waitpid(gone, nullptr, 0);
  std::string out = run_command(cli() + " analyze --pid " + std::to_string(gone) + " 2>&1", &status);
  EXPECT_EQ(status, 66) << out;
  EXPECT_NE(out.find("no such process"), std::string::npos) << out;
  out = run_command(cli() + " snapshot " + std::to_string(gone) + " -o /nonexistent/x 2>&1", &status);
  EXPECT_EQ(status, 66) << out;
}

TEST(HangLiveErrors, AnotherTracer) {
  LiveSample p("hang_condvar", 2);
  ASSERT_EQ(::ptrace(PTRACE_SEIZE, p.pid(), nullptr, nullptr), 0) << std::strerror(errno);
  int status = 0;
  std::string out = run_command(cli() + " analyze --pid " + std::to_string(p.pid()) + " 2>&1", &status);
  EXPECT_EQ(status, 75) << out;
  EXPECT_NE(out.find("already traced by pid " + std::to_string(::getpid())), std::string::npos) << out;
  ::ptrace(PTRACE_DETACH, p.pid(), nullptr, nullptr);
}

TEST(HangLiveErrors, NotPermitted) {
  LiveSample p("hang_condvar", 2);
  int status = 0;
  std::string out;
  if (::getuid() == 0) {
    // As root: corelens as nobody, on root's process.
    ASSERT_EQ(std::system("command -v setpriv >/dev/null"), 0) << "setpriv (util-linux) is needed";
    out = run_command("setpriv --reuid=65534 --regid=65534 --clear-groups " + cli() + " analyze --pid " +
                          std::to_string(p.pid()) + " 2>&1",
                      &status);
  } else {
    out = run_command(cli() + " analyze --pid 1 2>&1", &status);  // init: another user's
  }
  EXPECT_EQ(status, 77) << out;
  EXPECT_NE(out.find("not permitted to trace process"), std::string::npos) << out;
  EXPECT_NE(out.find("CAP_SYS_PTRACE"), std::string::npos) << out;
  EXPECT_TRUE(back_asleep(p.pid(), 2)) << thread_states(p.pid());
}

}  // namespace
}  // namespace corelens::testing
