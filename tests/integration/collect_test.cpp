// `corelens collect`: finds the kernel's and systemd-coredump's cores by name in a directory,
// compressed ones included, filters them by --since, and reports each.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/integration/samples.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

TEST(Collect, FindsKernelAndSystemdCoresAndFiltersBySince) {
  std::string dir = ::testing::TempDir() + "/corelens-collect-" + std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(core_path("auto", "null_read"), dir + "/core");
  fs::copy_file(core_path("auto", "assert_fail"), dir + "/core.4242");
  fs::copy_file(core_path("auto", "divide_by_zero"), dir + "/divide.core");
  auto now_usec = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  std::string boot = "0123456789abcdef0123456789abcdef";
  std::string fresh = dir + "/core.wild.write.1000." + boot + ".77." + std::to_string(now_usec) + ".zst";
  std::string old = dir + "/core.readonly_write.1000." + boot + ".78.1000000.xz";
  int status = 0;
  run_command("zstd -q -o '" + fresh + "' '" + core_path("auto", "wild_write") + "'", &status);
  ASSERT_EQ(status, 0);
  run_command("xz -c -T1 '" + core_path("auto", "readonly_write") + "' > '" + old + "'", &status);
  ASSERT_EQ(status, 0);
  std::ofstream(dir + "/notes.txt") << "not a core\n";
  std::ofstream(dir + "/core.notanumber") << "not a core either\n";

  std::string all = run_command(std::string(CORELENS_CLI) + " collect " + dir + " --format json", &status);
  ASSERT_EQ(status, 0) << all;
  auto reports = nlohmann::json::parse(all);
  std::set<std::string> names;
  for (const auto& r : reports) names.insert(r["process"]["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"null_read", "assert_fail", "divide_by_zero", "wild_write", "readonly_write"}));

  // The systemd core named 1970 by its USEC field is older than an hour; the rest are fresh.
  std::string recent = run_command(std::string(CORELENS_CLI) + " collect " + dir + " --since 1h --format json", &status);
  ASSERT_EQ(status, 0);
  EXPECT_EQ(nlohmann::json::parse(recent).size(), 4u);

  std::string md = run_command(std::string(CORELENS_CLI) + " collect " + fresh + " --format markdown", &status);
  EXPECT_EQ(status, 0);
  EXPECT_NE(md.find("## corelens: 1 crash in 1 group"), std::string::npos) << md;
  EXPECT_NE(md.find("SIGSEGV"), std::string::npos) << md;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace corelens::testing
