// Real kernel dumps (samples/make-kernel-dumps.sh, the kernel_dumps fixture): every format gives
// the release, the panic, both CPUs with registers, and the same log makedumpfile reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/report_json.hpp"
#include "core/report_text.hpp"
#include "parsers/detect.hpp"
#include "unwinder/analyze.hpp"
#include "unwinder/kernel_analyze.hpp"

namespace corelens {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = CORELENS_KDUMPS_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string release_of_run() {
  std::istringstream in(slurp(kDir / "info.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("release=")) return line.substr(8);
  }
  return {};
}

class KernelDumpTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    path_ = kDir / GetParam();
    if (!fs::exists(path_)) GTEST_SKIP() << path_ << " was not made (see the kernel_dumps.make test's output)";
  }
  fs::path path_;
};

TEST_P(KernelDumpTest, ReportTellsThePanicStory) {
  auto report = analyze_file(path_.string(), {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->dump_kind, "kernel-dump");
  ASSERT_TRUE(report->kernel);
  const KernelReport& k = *report->kernel;
  EXPECT_EQ(k.release, release_of_run());
  EXPECT_EQ(k.panic_message, "sysrq triggered crash");
  EXPECT_EQ(k.oops_headline, "sysrq: Trigger a crash");
  ASSERT_TRUE(k.panic_cpu);
  EXPECT_EQ(k.panic_pid, 1);
  EXPECT_EQ(k.panic_comm, "init");
  ASSERT_EQ(k.cpus.size(), 2u);  // SMP=2
  EXPECT_TRUE(k.cpus.front().panicking);
  EXPECT_EQ(k.cpus.front().cpu, *k.panic_cpu);
  bool has_rip = false, has_rsp = false;
  for (const auto& r : k.cpus.front().registers) {
    if (r.name == "rip" && r.value >= kStartKernelMap) has_rip = true;
    if (r.name == "rsp" && r.value != 0) has_rsp = true;
  }
  EXPECT_TRUE(has_rip && has_rsp);
  EXPECT_GT(k.kallsyms_symbols, 10000u);
  EXPECT_GT(k.log_records, 100u);
  EXPECT_TRUE(k.log_complete);
  // The other CPU sits in a named kernel function (idle or stop_this_cpu).
  EXPECT_FALSE(k.cpus.back().pc_symbol.empty());
  std::string text = report_to_text(*report);
  EXPECT_NE(text.find("Panic     sysrq triggered crash"), std::string::npos) << text;
  EXPECT_NE(report_to_json(*report).find("\"kernel\""), std::string::npos);
}

TEST_P(KernelDumpTest, LogHasTheInitMarkerAndEqualsMakedumpfile) {
  auto file = MappedFile::open(path_.string());
  ASSERT_TRUE(file);
  auto s = open_kernel_dump(*file, detect_format((*file)->bytes()));
  ASSERT_TRUE(s) << s.error().message;
  std::string ours;
  for (const auto& r : (*s)->log.records) ours += format_log_line(r);
  EXPECT_NE(ours.find("CORELENS-KDUMP-MARKER: init pid 1 about to crash"), std::string::npos);
  // Ground truth of the same run: makedumpfile --dump-dmesg of this dump (made where it works:
  // vmcore.elf and the diskdumps), or of qemu.kdump for the other QEMU files.
  std::string name = GetParam();
  fs::path truth = kDir / (name + ".dmesg");
  if (!fs::exists(truth) && name.starts_with("qemu.")) truth = kDir / "qemu.kdump.dmesg";
  if (!fs::exists(truth) && name.starts_with("vmcore")) truth = kDir / "vmcore.kdump.dmesg";
  ASSERT_TRUE(fs::exists(truth)) << truth;
  EXPECT_EQ(ours, slurp(truth));
}

INSTANTIATE_TEST_SUITE_P(AllFormats, KernelDumpTest,
                         ::testing::Values("vmcore.elf", "vmcore.kdump", "vmcore-lzo.kdump", "vmcore.flat", "qemu.elf",
                                           "qemu.kdump", "qemu.flat"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) if (c == '.' || c == '-') c = '_';
                           return n;
                         });

TEST(KernelDumpFormats, DetectedByContent) {
  for (auto [name, want] : {std::pair{"vmcore.elf", DumpFormat::elf_kernel_core}, {"qemu.elf", DumpFormat::elf_kernel_core},
                            {"vmcore.kdump", DumpFormat::kdump_compressed}, {"vmcore.flat", DumpFormat::kdump_flattened},
                            {"qemu.flat", DumpFormat::kdump_flattened}}) {
    if (!fs::exists(kDir / name)) GTEST_SKIP() << "no kernel dumps";
    auto f = MappedFile::open((kDir / name).string());
    ASSERT_TRUE(f);
    EXPECT_EQ(detect_format((*f)->bytes()), want) << name;
  }
}

}  // namespace
}  // namespace corelens
