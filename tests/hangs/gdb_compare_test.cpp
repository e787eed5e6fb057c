// The owners corelens reads in the hang samples' cores, against gdb reading the same fields of
// the same objects through glibc's types (libc6-dbg): a mutex's __data.__owner, a rwlock's
// __data.__cur_writer, and a joined thread's struct pthread tid. corelens reads them at the
// offsets of its layout (DWARF or the built-in table); gdb through the types' DWARF.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/hangs/hang_records.hpp"

namespace corelens::testing {
namespace {

struct Question {
  std::string expression;  // for gdb's print
  int ours = 0;            // corelens's answer
  std::string what;        // for the failure message
};

std::vector<Question> questions(const nlohmann::json& report) {
  std::vector<Question> out;
  for (const auto& w : report.at("analysis").at("waits")) {
    if (!w.at("owner_tid").is_number() || !w.at("object_address").is_string()) continue;
    std::string addr = w.at("object_address");
    std::string source = w.at("owner_source").is_string() ? w.at("owner_source").get<std::string>() : "";
    std::string expression;
    if (source == "mutex-owner") expression = "((pthread_mutex_t*)" + addr + ")->__data.__owner";
    else if (source == "rwlock-writer") expression = "((pthread_rwlock_t*)" + addr + ")->__data.__cur_writer";
    else if (source == "join-target") expression = "((struct pthread*)" + addr + ")->tid";
    else continue;  // inferred owners (stack-reference) have no field gdb could read
    out.push_back({expression, w.at("owner_tid").get<int>(), w.dump()});
  }
  return out;
}

class HangGdb : public ::testing::TestWithParam<std::string> {};

TEST_P(HangGdb, OwnersEqualWhatGdbReads) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    std::string core = std::string(CORELENS_CORES_DIR) + "/" + method + "/" + GetParam() + ".core";
    int status = 0;
    std::string json = run_command(std::string(CORELENS_CLI) + " analyze --format json '" + core + "'", &status);
    ASSERT_EQ(status, 0) << json;
    nlohmann::json report = nlohmann::json::parse(json, nullptr, false);
    ASSERT_FALSE(report.is_discarded());
    std::vector<Question> qs = questions(report);
    ASSERT_FALSE(qs.empty()) << "no owner to compare: " << report.at("analysis").at("waits").dump();
    std::string command = "gdb -batch -nx -ex 'set debuginfod enabled off' -ex 'set pagination off'";
    for (const auto& q : qs) command += " -ex 'print " + q.expression + "'";
    command += " '" + report.at("process").at("executable").get<std::string>() + "' '" + core + "' 2>&1";
    std::string gdb = run_command(command, &status);
    // "$N = VALUE", one per print, in order.
    std::map<int, int> values;
    std::regex line(R"(^\$(\d+) = (-?\d+)$)");
    std::istringstream in(gdb);
    for (std::string l; std::getline(in, l);) {
      std::smatch m;
      if (std::regex_match(l, m, line)) values[std::stoi(m[1])] = std::stoi(m[2]);
    }
    ASSERT_EQ(values.size(), qs.size()) << "gdb did not answer every question:\n" << gdb;
    for (std::size_t i = 0; i < qs.size(); ++i) {
      EXPECT_EQ(qs[i].ours, values[static_cast<int>(i) + 1]) << qs[i].expression << "\n" << qs[i].what;
    }
  }
}

// The samples whose waits have owners gdb can read (hang_condvar and hang_idle have none but
// their joins, which hang_join covers).
INSTANTIATE_TEST_SUITE_P(Samples, HangGdb,
                         ::testing::Values("hang_abba", "hang_ring", "hang_join", "hang_rwlock", "hang_self"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace corelens::testing
