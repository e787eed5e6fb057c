// `corelens triage` end to end: a directory of 50+ real cores groups exactly by sample (the
// relayout builds join their samples' groups), a second run on the same database marks every
// group KNOWN (counting none of the same files again), and a child that crashes or hangs is reported while the batch goes on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/integration/samples.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::vector<std::string> kAlwaysBuilt = {"null_read", "wild_write", "readonly_write", "assert_fail",
                                           "uncaught_exception", "stack_overflow", "divide_by_zero",
                                           "illegal_instruction", "threads_blocked", "inlined_o2",
                                           "heap_corruption", "stack_smashing", "killed_by_signal", "null_call",
                                           "null_member", "uncaught_derived"};

// And the samples of other runtimes that this machine built (samples/CMakeLists.txt).
std::vector<std::string> all_samples() {
  std::vector<std::string> out = kAlwaysBuilt;
  std::istringstream optional(CORELENS_OPTIONAL_SAMPLES);
  for (std::string s; optional >> s;) out.push_back(s);
  return out;
}
const std::vector<std::string> kSamples = all_samples();

std::string scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("corelens-triage-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// NAME like "auto-2-null_read.core" -> "null_read".
std::string sample_of(const std::string& path) {
  std::string base = fs::path(path).stem().string();
  return base.substr(base.find('-', base.find('-') + 1) + 1);
}

Json triage(const std::string& args, int* status = nullptr, const std::string& env = "") {
  std::string out = run_command(env + " " + CORELENS_CLI + " triage --format json --no-progress " + args + " 2>/dev/null",
                                status);
  Json j = Json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << out;
  return j;
}

class Triage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = scratch("batch");
    // Three links to each kernel/auto core, one to each gcore core, and the relayout builds.
    for (const auto& s : kSamples) {
      for (int k = 0; k < 3; ++k) {
        fs::create_symlink(core_path("auto", s), dir_ + "/auto-" + std::to_string(k) + "-" + s + ".core");
      }
      fs::create_symlink(core_path("gcore", s), dir_ + "/gcore-0-" + s + ".core");
    }
    for (const char* s : {"null_read", "assert_fail"}) {
      fs::create_symlink(std::string(CORELENS_ANALYSIS_CORES) + "/relayout/" + s + ".core",
                         dir_ + "/relayout-0-" + s + ".core");
    }
    // Not a core: ignored when the directory is searched.
    run_command("echo 'not a core' > " + dir_ + "/README.txt");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static std::string dir_;
};
std::string Triage::dir_;

TEST_F(Triage, GroupsFiftyCoresExactlyBySampleAndRemembersThem) {
  std::string db = scratch("db") + "/triage.sqlite";
  int status = -1;
  Json first = triage(dir_ + " --jobs 2 --db " + db, &status);
  EXPECT_EQ(status, 0);
  // Four links per sample (three kernel, one gcore), and the two relayout builds.
  ASSERT_EQ(first["dumps"].get<std::size_t>(), 4 * kSamples.size() + 2);
  ASSERT_EQ(first["groups"].size(), kSamples.size());
  EXPECT_TRUE(first["not_analysed"].empty());
  std::set<std::string> seen;
  std::size_t previous = 1000;
  for (const auto& g : first["groups"]) {
    std::set<std::string> members;
    for (const auto& d : g["dumps"]) members.insert(sample_of(d.get<std::string>()));
    ASSERT_EQ(members.size(), 1u) << g["signature"];  // one sample per group, and ...
    std::string sample = *members.begin();
    EXPECT_TRUE(seen.insert(sample).second) << sample << " split over two groups";  // ... one group per sample
    std::size_t expected = (sample == "null_read" || sample == "assert_fail") ? 5 : 4;
    EXPECT_EQ(g["count"].get<std::size_t>(), expected) << sample;
    EXPECT_LE(g["count"].get<std::size_t>(), previous) << "biggest group first";
    previous = g["count"].get<std::size_t>();
    EXPECT_EQ(g["status"], "NEW");
    // The history counts each dump once by its bytes: the three links to one kernel core are
    // one dump, so each sample has two (kernel and gcore), and the relayout builds one more.
    std::size_t distinct = expected - 2;
    EXPECT_EQ(g["total_count"].get<std::size_t>(), distinct) << sample;
    EXPECT_EQ(g["counted"].get<std::size_t>(), distinct) << sample;
    EXPECT_FALSE(g["top_frames"].empty());
  }

  Json second = triage(dir_ + " --jobs 2 --db " + db, &status);
  ASSERT_EQ(second["groups"].size(), kSamples.size());
  for (const auto& g : second["groups"]) {
    EXPECT_EQ(g["status"], "KNOWN") << g["signature"];
    // The same files again: already counted, so the totals stay.
    EXPECT_EQ(g["total_count"].get<std::size_t>(), g["count"].get<std::size_t>() - 2) << g["signature"];
    EXPECT_EQ(g["counted"].get<std::size_t>(), 0u) << g["signature"];
    EXPECT_LE(g["first_seen"].get<std::string>(), g["last_seen"].get<std::string>());
  }
  fs::remove_all(fs::path(db).parent_path());
}

TEST_F(Triage, CrashingAndHangingAnalysesAreIsolated) {
  std::string files = core_path("auto", "null_read") + " " + core_path("auto", "wild_write") + " " +
                      core_path("auto", "divide_by_zero");
  int status = -1;
  Json j = triage(files + " --jobs 3 --timeout 3", &status, "CORELENS_TEST_CHILD_FAULT=crash:wild_write.core");
  EXPECT_EQ(status, 1);
  ASSERT_EQ(j["not_analysed"].size(), 1u);
  EXPECT_EQ(j["not_analysed"][0]["status"], "analyzer-crashed");
  EXPECT_NE(j["not_analysed"][0]["error"].get<std::string>().find("SIGSEGV"), std::string::npos);
  EXPECT_EQ(j["groups"].size(), 2u);

  j = triage(files + " --jobs 3 --timeout 2", &status, "CORELENS_TEST_CHILD_FAULT=hang:divide_by_zero.core");
  EXPECT_EQ(status, 1);
  ASSERT_EQ(j["not_analysed"].size(), 1u);
  EXPECT_EQ(j["not_analysed"][0]["status"], "analyzer-timeout");
  EXPECT_EQ(j["groups"].size(), 2u);
}

TEST_F(Triage, NamedFileThatIsNotACoreIsReported) {
  int status = -1;
  Json j = triage(dir_ + "/README.txt " + core_path("auto", "null_read"), &status);
  EXPECT_EQ(status, 1);
  ASSERT_EQ(j["not_analysed"].size(), 1u);
  EXPECT_EQ(j["not_analysed"][0]["status"], "error");
  EXPECT_EQ(j["groups"].size(), 1u);
}

TEST_F(Triage, TextAndMarkdown) {
  std::string text = run_command(std::string(CORELENS_CLI) + " triage --no-progress " + core_path("auto", "assert_fail") +
                                 " " + core_path("gcore", "assert_fail"));
  EXPECT_NE(text.find("2 dumps, 1 signatures"), std::string::npos) << text;
  EXPECT_NE(text.find("assertion-failed | assert_fail!parse_header | assert_fail!main"), std::string::npos) << text;
  std::string md = run_command(std::string(CORELENS_CLI) + " triage --no-progress --format markdown " +
                               core_path("auto", "threads_blocked"));
  EXPECT_NE(md.find("| count | signature |"), std::string::npos) << md;
}

TEST(AnalyzeText, WhyUnderTheSignalLine) {
  std::string text = run_command(std::string(CORELENS_CLI) + " analyze " + core_path("auto", "null_read"));
  auto signal = text.find("\nSignal    ");
  auto why = text.find("\nWhy       read of 4 bytes at 0x0 through ");
  ASSERT_NE(signal, std::string::npos) << text;
  ASSERT_NE(why, std::string::npos) << text;
  EXPECT_LT(signal, why);
  EXPECT_NE(text.find("\nCategory  null-pointer-read (probably-not-exploitable"), std::string::npos) << text;
  EXPECT_NE(text.find("\nSignature "), std::string::npos) << text;
}

}  // namespace
}  // namespace corelens::testing
