// A live process keeps running whatever happens to corelens while it holds it stopped: Ctrl-C,
// SIGTERM, SIGHUP (corelens lets it go, then dies of the signal), SIGKILL (the kernel lets it
// go), Ctrl-Z (corelens lets it go, then stops; continued, it starts over and finishes). The
// process is live_ticker, whose threads count: each counter growing afterwards shows each
// thread running again. corelens is caught at the moment it holds the process with the test hook
// CORELENS_TEST_HOLD_STOPPED (parsers/live/ptrace_stop.hpp): no timing guesses.
//
// And `corelens snapshot` never leaves a half-written core, nor replaces a file: interrupted,
// killed or failing, it leaves the directory as it was. Last, the same ticker built as a 32-bit
// (i386) program, read by the 64-bit corelens.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/hangs/hang_records.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kCounters = 4;        // live_ticker's counting threads, main first
constexpr int kTickerThreads = 5;   // and the one that waits in read(2)

// Waits up to a minute for PREDICATE; a bound against a hang, not a timing assertion.
template <typename F>
bool eventually(F predicate) {
  for (int i = 0; i < 3000; ++i) {
    if (predicate()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

fs::path fresh_dir(const std::string& what) {
  fs::path dir = fs::temp_directory_path() / ("corelens-" + what + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The errno with which execve refuses EXE, 0 when it runs (the child is killed at once): a
// close-on-exec pipe carries the child's errno back, and closes without a word when exec succeeds.
int exec_errno(const std::string& exe) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::execl(exe.c_str(), exe.c_str(), nullptr);
    int error = errno;
    (void)!::write(fds[1], &error, sizeof error);
    ::_exit(127);
  }
  ::close(fds[1]);
  int error = 0;
  ssize_t n = ::read(fds[0], &error, sizeof error);
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return n == sizeof error ? error : 0;
}

// live_ticker running, its counters in a file.
class Ticker {
 public:
  explicit Ticker(const std::string& name = "live_ticker") : dir_(fresh_dir("ticker")) {
    std::string out = (dir_ / "ticks").string();
    std::string exe = std::string(CORELENS_SAMPLES_BIN_DIR) + "/" + name;
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::execl(exe.c_str(), exe.c_str(), nullptr);
      ::_exit(127);
    }
    started_ = eventually([&] {
      auto t = ticks();
      return t.size() == kCounters && std::all_of(t.begin(), t.end(), [](unsigned long n) { return n > 0; }) &&
             thread_states(pid_).size() == kTickerThreads;
    });
  }
  ~Ticker() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }
  pid_t pid() const { return pid_; }
  bool started() const { return started_; }
  // Each thread's count, the main thread's first; empty when unreadable.
  std::vector<unsigned long> ticks() const {
    std::istringstream in(read_text_file((dir_ / "ticks").string()));
    std::string word;
    std::vector<unsigned long> out;
    if (!(in >> word) || word != "ticks") return {};
    for (unsigned long n; out.size() < kCounters && in >> n;) out.push_back(n);
    return out;
  }
  // Every thread counted past BEFORE: every one runs.
  bool runs_on(const std::vector<unsigned long>& before) const {
    return eventually([&] {
      auto now = ticks();
      if (now.size() != before.size()) return false;
      for (std::size_t i = 0; i < now.size(); ++i) {
        if (now[i] <= before[i]) return false;
      }
      return true;
    });
  }
  bool all_stopped() const { return thread_states(pid_) == std::string(kTickerThreads, 't'); }
  bool none_stopped() const {
    std::string s = thread_states(pid_);
    return s.size() == kTickerThreads && s.find_first_of("tT") == std::string::npos;
  }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  bool started_ = false;
};

// corelens ARGS run with the hold hook, in a process group of its own (so that SIGTSTP stops it,
// as a shell's job control would), its output in files.
class HeldCorelens {
 public:
  explicit HeldCorelens(const std::vector<std::string>& args, const fs::path& dir) : dir_(dir) {
    hold_ = (dir_ / "held").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      int out = ::open((dir_ / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = ::open((dir_ / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::setenv("CORELENS_TEST_HOLD_STOPPED", hold_.c_str(), 1);
      std::vector<char*> argv{const_cast<char*>(CORELENS_CLI)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(CORELENS_CLI, argv.data());
      ::_exit(127);
    }
  }
  ~HeldCorelens() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // Until corelens holds the process (the hook wrote its file).
  bool wait_held() const {
    return eventually([&] { return read_text_file(hold_).starts_with("held"); });
  }
  // Lets the hook go on (it waits while its file is there).
  void let_go() const { fs::remove(hold_); }
  // Waits for corelens to end (or, with WUNTRACED, to stop).
  int wait(int options = 0) {
    int status = 0;
    ::waitpid(pid_, &status, options);
    if (WIFEXITED(status) || WIFSIGNALED(status)) reaped_ = true;
    return status;
  }
  std::string out() const { return read_text_file((dir_ / "stdout").string()); }
  std::string err() const { return read_text_file((dir_ / "stderr").string()); }

 private:
  fs::path dir_;
  std::string hold_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// The files in DIR other than corelens's own outputs.
std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name != "stdout" && name != "stderr" && name != "held") out.push_back(name);
  }
  return out;
}

std::string signal_name(int sig) { return std::string("SIG") + sigabbrev_np(sig); }

struct SignalCase {
  bool snapshot;
  int signal;
};

void PrintTo(const SignalCase& c, std::ostream* os) { *os << (c.snapshot ? "snapshot " : "analyze ") << signal_name(c.signal); }

class LiveSignals : public ::testing::TestWithParam<SignalCase> {};

// A signal that ends corelens: the process was let go first, every thread counts on, none is left
// stopped; corelens itself ended of that very signal (given back after the detach), and a
// snapshot left no file behind.
TEST_P(LiveSignals, EndingCorelensLeavesTheProcessRunning) {
  const auto [snapshot, sig] = GetParam();
  Ticker ticker;
  ASSERT_TRUE(ticker.started()) << "live_ticker did not start counting";
  fs::path dir = fresh_dir("held");
  std::string core = (dir / "ticker.core").string();
  std::vector<std::string> args = snapshot ? std::vector<std::string>{"snapshot", std::to_string(ticker.pid()), "-o", core}
                                           : std::vector<std::string>{"analyze", "--pid", std::to_string(ticker.pid())};
  HeldCorelens corelens(args, dir);
  ASSERT_TRUE(corelens.wait_held()) << corelens.err();
  ASSERT_TRUE(ticker.all_stopped()) << "held, yet: " << thread_states(ticker.pid());
  std::vector<unsigned long> before = ticker.ticks();
  ASSERT_EQ(::kill(corelens.pid(), sig), 0);
  int status = corelens.wait();
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status << ": " << corelens.err();
  EXPECT_EQ(WTERMSIG(status), sig);
  EXPECT_TRUE(ticker.runs_on(before)) << thread_states(ticker.pid());
  EXPECT_TRUE(ticker.none_stopped()) << thread_states(ticker.pid());
  EXPECT_TRUE(files_in(dir).empty()) << files_in(dir).front();
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Signals, LiveSignals,
                         ::testing::Values(SignalCase{false, SIGINT}, SignalCase{false, SIGTERM},
                                           SignalCase{false, SIGHUP}, SignalCase{false, SIGKILL},
                                           SignalCase{true, SIGINT}, SignalCase{true, SIGTERM},
                                           SignalCase{true, SIGHUP}, SignalCase{true, SIGKILL}),
                         [](const auto& p) {
                           return std::string(p.param.snapshot ? "Snapshot" : "Analyze") + signal_name(p.param.signal).substr(3);
                         });

// Ctrl-Z: corelens lets the process go and only then stops; while corelens is stopped the process
// runs. Continued, corelens stops the process again, starts over and finishes its work.
class LiveCtrlZ : public ::testing::TestWithParam<bool> {};

TEST_P(LiveCtrlZ, StopsCorelensNotTheProcess) {
  const bool snapshot = GetParam();
  Ticker ticker;
  ASSERT_TRUE(ticker.started());
  fs::path dir = fresh_dir("ctrlz");
  std::string core = (dir / "ticker.core").string();
  std::vector<std::string> args = snapshot ? std::vector<std::string>{"snapshot", std::to_string(ticker.pid()), "-o", core}
                                           : std::vector<std::string>{"analyze", "--format", "json", "--pid",
                                                                      std::to_string(ticker.pid())};
  HeldCorelens corelens(args, dir);
  ASSERT_TRUE(corelens.wait_held()) << corelens.err();
  ASSERT_TRUE(ticker.all_stopped()) << thread_states(ticker.pid());
  std::vector<unsigned long> before = ticker.ticks();
  ASSERT_EQ(::kill(corelens.pid(), SIGTSTP), 0);
  int status = corelens.wait(WUNTRACED);
  ASSERT_TRUE(WIFSTOPPED(status)) << "status " << status << ": " << corelens.err();
  EXPECT_EQ(WSTOPSIG(status), SIGTSTP);
  corelens.let_go();  // the first attempt's hook is over (the signal ended it); the next one waits anew
  EXPECT_TRUE(ticker.runs_on(before)) << "corelens stopped, the process too: " << thread_states(ticker.pid());
  EXPECT_TRUE(ticker.none_stopped()) << thread_states(ticker.pid());
  EXPECT_TRUE(files_in(dir).empty());
  // Continued: it holds the process again (the hook says so), then finishes.
  ASSERT_EQ(::kill(corelens.pid(), SIGCONT), 0);
  ASSERT_TRUE(corelens.wait_held()) << corelens.err();
  EXPECT_TRUE(ticker.all_stopped()) << thread_states(ticker.pid());
  before = ticker.ticks();
  corelens.let_go();
  status = corelens.wait();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << ": " << corelens.err();
  EXPECT_TRUE(ticker.runs_on(before));
  EXPECT_TRUE(ticker.none_stopped()) << thread_states(ticker.pid());
  std::string json = snapshot ? run_command(std::string(CORELENS_CLI) + " analyze --format json " + core) : corelens.out();
  nlohmann::json report = nlohmann::json::parse(json, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << json;
  EXPECT_EQ(report.at("threads").size(), std::size_t{kTickerThreads});
  if (snapshot) EXPECT_TRUE(report.at("signal").is_null()) << "a snapshot carries no signal";
  else EXPECT_EQ(report.at("dump").at("producer"), "live");
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Modes, LiveCtrlZ, ::testing::Bool(),
                         [](const auto& p) { return std::string(p.param ? "Snapshot" : "Analyze"); });

// A file that appears under the snapshot's name while it is written is not replaced: the core
// gets its name only when complete, and only if the name is free.
TEST(SnapshotFile, NeverReplacesAFileThatAppearedMeanwhile) {
  Ticker ticker;
  ASSERT_TRUE(ticker.started());
  fs::path dir = fresh_dir("race");
  fs::path core = dir / "ticker.core";
  HeldCorelens corelens({"snapshot", std::to_string(ticker.pid()), "-o", core.string()}, dir);
  ASSERT_TRUE(corelens.wait_held()) << corelens.err();
  std::ofstream(core) << "precious";
  corelens.let_go();
  int status = corelens.wait();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 66) << corelens.err();
  EXPECT_NE(corelens.err().find("exists; not overwritten"), std::string::npos) << corelens.err();
  EXPECT_EQ(read_text_file(core.string()), "precious");
  EXPECT_EQ(files_in(dir), std::vector<std::string>{"ticker.core"}) << "a temporary file left behind";
  EXPECT_TRUE(ticker.none_stopped()) << thread_states(ticker.pid());
  fs::remove_all(dir);
}

// A write that fails (here: past RLIMIT_FSIZE, SIGXFSZ ignored as a shell's `ulimit -f` leaves
// it) leaves nothing: no core, no temporary file; the process runs on.
TEST(SnapshotFile, AFailedWriteLeavesNoFile) {
  Ticker ticker;
  ASSERT_TRUE(ticker.started());
  fs::path dir = fresh_dir("full");
  fs::path core = dir / "ticker.core";
  pid_t child = ::fork();
  if (child == 0) {
    rlimit small{64 << 10, 64 << 10};
    ::setrlimit(RLIMIT_FSIZE, &small);
    ::signal(SIGXFSZ, SIG_IGN);
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    std::string pid = std::to_string(ticker.pid());
    ::execl(CORELENS_CLI, CORELENS_CLI, "snapshot", pid.c_str(), "-o", core.c_str(), nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 66);
  EXPECT_TRUE(files_in(dir).empty()) << files_in(dir).front();
  std::vector<unsigned long> before = ticker.ticks();
  EXPECT_TRUE(ticker.runs_on(before));
  EXPECT_TRUE(ticker.none_stopped()) << thread_states(ticker.pid());
  fs::remove_all(dir);
}

// A 32-bit (i386) program, read by the 64-bit corelens: the kernel gives its registers in i386's
// layout, the dump is an i386 one, every thread unwinds to the sample's own functions and is seen
// sleeping in clock_nanosleep; it counts on afterwards. `snapshot` refuses it (its core writer
// lays out x86_64 cores only), and it keeps running through Ctrl-C as a 64-bit one does.
TEST(Live32Bit, ReadAndLetGo) {
  std::string exe = std::string(CORELENS_SAMPLES_BIN_DIR) + "/live_ticker_m32";
  ASSERT_TRUE(fs::exists(exe)) << "live_ticker_m32 was not built: i686-linux-gnu-gcc (gcc-i686-linux-gnu) is needed";
  // A kernel built without IA32 emulation (or booted with ia32_emulation=0, as some VMs' are)
  // refuses every i386 program; that is the one reason this test may not run, listed in
  // tests/expected-skips.txt. Any other failure to start it fails the test.
  int exec_error = exec_errno(exe);
  if (exec_error == ENOEXEC) GTEST_SKIP() << "this kernel does not run i386 programs (execve: ENOEXEC)";
  ASSERT_EQ(exec_error, 0) << exe << ": " << std::strerror(exec_error);
  Ticker ticker("live_ticker_m32");
  ASSERT_TRUE(ticker.started());
  int status = 0;
  std::string pid = std::to_string(ticker.pid());
  std::string out = run_command(std::string(CORELENS_CLI) + " analyze --format json --pid " + pid, &status);
  ASSERT_EQ(status, 0) << out;
  std::vector<unsigned long> before = ticker.ticks();
  nlohmann::json report = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << out;
  EXPECT_EQ(report.at("dump").at("arch"), "i386");
  ASSERT_EQ(report.at("threads").size(), std::size_t{kTickerThreads});
  // Every thread unwinds to the sample's own functions. The reader waits in read(2), its call
  // read from i386's registers (orig_eax, ebx ...); a counting thread stopped in its millisecond's
  // sleep (not always: on a loaded machine it may be just back from it) in clock_nanosleep.
  std::map<int, std::string> functions;
  for (const auto& t : report.at("threads")) {
    std::string& f = functions[t.at("tid").get<int>()];
    for (const auto& frame : t.at("frames")) f += frame.value("function", nlohmann::json("")).dump() + " ";
    bool own = f.find(t.at("tid") == ticker.pid() ? "\"main\"" : "\"worker\"") != std::string::npos ||
               f.find("\"reader\"") != std::string::npos;
    EXPECT_TRUE(own) << f;
  }
  int readers = 0;
  for (const auto& w : report.at("analysis").at("waits")) {
    const std::string& f = functions[w.at("tid").get<int>()];
    if (f.find("\"reader\"") != std::string::npos) {
      ++readers;
      EXPECT_EQ(w.at("kind"), "syscall") << w.dump();
      EXPECT_EQ(w.at("syscall").at("name"), "read") << w.dump();
      EXPECT_EQ(w.at("syscall").at("number"), 3) << w.dump();  // i386's read, not x86_64's 0
    } else {
      EXPECT_EQ(w.at("kind"), "sleep") << w.dump();
      EXPECT_EQ(w.at("syscall").at("name"), "clock_nanosleep") << w.dump();
      EXPECT_NE(f.find("\"one_millisecond\""), std::string::npos) << w.dump();
    }
  }
  EXPECT_EQ(readers, 1) << report.at("analysis").at("waits").dump();
  EXPECT_TRUE(ticker.runs_on(before));
  EXPECT_TRUE(ticker.none_stopped()) << thread_states(ticker.pid());

  fs::path dir = fresh_dir("m32");
  std::string snap = run_command(std::string(CORELENS_CLI) + " snapshot " + pid + " -o " + (dir / "core").string() + " 2>&1", &status);
  EXPECT_EQ(status, 69) << snap;
  EXPECT_NE(snap.find("32-bit (i386)"), std::string::npos) << snap;
  EXPECT_TRUE(files_in(dir).empty());

  HeldCorelens corelens({"analyze", "--pid", pid}, dir);
  ASSERT_TRUE(corelens.wait_held()) << corelens.err();
  EXPECT_TRUE(ticker.all_stopped()) << thread_states(ticker.pid());
  before = ticker.ticks();
  ASSERT_EQ(::kill(corelens.pid(), SIGINT), 0);
  status = corelens.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_TRUE(ticker.runs_on(before));
  EXPECT_TRUE(ticker.none_stopped()) << thread_states(ticker.pid());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace corelens::testing
