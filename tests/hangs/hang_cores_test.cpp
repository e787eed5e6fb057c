// The samples that hang on purpose, as cores: each was killed by SIGABRT from its watchdog once
// every thread slept (samples/hang_record.h), by the kernel's core and by gdb's gcore
// (samples/make-cores). What corelens finds must equal what each program recorded of itself: the
// waits, their objects and owners, the deadlock's threads, or no deadlock.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/hangs/hang_records.hpp"

namespace corelens::testing {
namespace {

std::string core_of(const std::string& method, const std::string& sample) {
  return std::string(CORELENS_CORES_DIR) + "/" + method + "/" + sample;
}

nlohmann::json analyze_json(const std::string& core) {
  int status = 0;
  std::string out = run_command(std::string(CORELENS_CLI) + " analyze --format json " + core + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  return nlohmann::json::parse(out, nullptr, false);
}

class HangCore : public ::testing::TestWithParam<std::string> {};

TEST_P(HangCore, FindsWhatTheProgramRecorded) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    std::string base = core_of(method, GetParam());
    HangRecord record = parse_hang_record(read_text_file(base + ".log"));
    nlohmann::json report = analyze_json(base + ".core");
    ASSERT_FALSE(report.is_discarded());
    ASSERT_TRUE(report.at("signal").is_object());
    EXPECT_EQ(report.at("signal").at("name"), "SIGABRT");
    expect_report_matches(report, record, false);
  }
}

// The first lines of the text report say it is a deadlock and name the cycle's threads.
TEST_P(HangCore, TextReportSaysItFirst) {
  std::string base = core_of("auto", GetParam());
  HangRecord record = parse_hang_record(read_text_file(base + ".log"));
  int status = 0;
  std::string text = run_command(std::string(CORELENS_CLI) + " analyze " + base + ".core", &status);
  ASSERT_EQ(status, 0) << text;
  std::string head;
  std::istringstream in(text);
  std::string line;
  for (int i = 0; i < 8 && std::getline(in, line); ++i) head += line + "\n";
  if (record.cycle) {
    EXPECT_NE(head.find("Why       deadlock: "), std::string::npos) << head;
    EXPECT_NE(head.find("Category  deadlock"), std::string::npos) << head;
    for (int tid : *record.cycle) EXPECT_NE(head.find("thread " + std::to_string(tid)), std::string::npos) << head;
  } else {
    EXPECT_EQ(head.find("deadlock"), std::string::npos) << head;
  }
}

// Two runs of a program (the kernel's core and gdb's are two runs: other tids, other addresses)
// deadlock the same way: one signature.
TEST_P(HangCore, SignatureIsTheSameAcrossRuns) {
  nlohmann::json a = analyze_json(core_of("auto", GetParam()) + ".core");
  nlohmann::json b = analyze_json(core_of("gcore", GetParam()) + ".core");
  ASSERT_FALSE(a.is_discarded() || b.is_discarded());
  EXPECT_EQ(a.at("analysis").at("signature").at("readable"), b.at("analysis").at("signature").at("readable"));
  if (a.at("analysis").at("category") == "deadlock") {
    EXPECT_TRUE(a.at("analysis").at("signature").at("readable").get<std::string>().starts_with("deadlock | "));
  }
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& s : hang_samples()) out.push_back(s.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Samples, HangCore, ::testing::ValuesIn(names()), [](const auto& p) { return p.param; });

// threads_blocked: eleven workers in eleven kinds of wait, main crashed with SIGSEGV. Not a hang
// (the category stays the crash's), but each wait is found.
TEST(HangCore, ThreadsBlockedWaits) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    nlohmann::json r = analyze_json(core_of(method, "threads_blocked") + ".core");
    ASSERT_FALSE(r.is_discarded());
    EXPECT_EQ(r.at("analysis").at("category"), "null-pointer-write");
    std::map<std::string, std::string> kind_of_function;
    for (const auto& w : r.at("analysis").at("waits")) kind_of_function[w.at("function")] = w.at("kind");
    EXPECT_EQ(kind_of_function["pthread_mutex_lock"], "mutex");
    EXPECT_EQ(kind_of_function["pthread_cond_wait"], "condvar");
    EXPECT_EQ(kind_of_function["pthread_join"], "join");
    EXPECT_EQ(kind_of_function["pthread_barrier_wait"], "barrier");
    EXPECT_EQ(kind_of_function["nanosleep"], "sleep");
    EXPECT_EQ(kind_of_function["read"], "syscall");
    EXPECT_EQ(kind_of_function["poll"], "syscall");
    EXPECT_EQ(kind_of_function["select"], "syscall");
    EXPECT_EQ(kind_of_function["epoll_wait"], "syscall");
    EXPECT_EQ(kind_of_function["pause"], "syscall");
    EXPECT_EQ(kind_of_function["sigwait"], "syscall");
    // The mutex is held by the main thread, the join waits for the "forever" thread.
    int main_tid = r.at("process").at("pid");
    for (const auto& w : r.at("analysis").at("waits")) {
      if (w.at("kind") == "mutex") {
        EXPECT_EQ(w.at("owner_tid"), main_tid) << w.dump();
        EXPECT_EQ(w.at("object_name"), "held_mutex") << w.dump();
      }
      if (w.at("kind") == "condvar") {
        EXPECT_EQ(w.at("object_name"), "never_signalled") << w.dump();
      }
      if (w.at("kind") == "join") {
        int target = w.at("owner_tid");
        bool pauses = false;
        for (const auto& o : r.at("analysis").at("waits")) pauses |= o.at("tid") == target && o.at("function") == "pause";
        EXPECT_TRUE(pauses) << "the joined thread is the one in pause(): " << w.dump();
      }
    }
  }
}

}  // namespace
}  // namespace corelens::testing
