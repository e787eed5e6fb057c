// Compressed cores: every real sample core, compressed here with the zstd, xz and lz4 tools as
// systemd-coredump stores them, analyses exactly like the original; cut or damaged streams and
// outputs past the cap give a clear error, never a partial core.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/report/json_report.hpp"
#include "parsers/compressed.hpp"
#include "tests/integration/samples.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

namespace fs = std::filesystem;

struct Tool {
  std::string name, ext, command;  // COMMAND compresses $IN to $OUT
};
const std::vector<Tool>& tools() {
  static const std::vector<Tool> t = {{"zstd", "zst", "zstd -q -f -o \"$OUT\" \"$IN\""},
                                      {"xz", "xz", "xz -c -T1 \"$IN\" > \"$OUT\""},
                                      {"lz4", "lz4", "lz4 -q -f \"$IN\" \"$OUT\""}};
  return t;
}

// A new directory for this test process, removed when it exits. It was named by the pid and never
// removed: a later process with a reused pid found an old run's compressed core (of another
// null_read core) and took it for its own, so DecompressesToTheSameBytes failed now and then.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "/corelens-compressed-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string scratch() {
  static const ScratchDir dir;
  EXPECT_FALSE(dir.path().empty()) << "cannot create a directory in " << ::testing::TempDir();
  return dir.path();
}

std::string compress(const std::string& in, const Tool& tool, const std::string& name) {
  std::string out = scratch() + "/" + name + "." + tool.ext;
  if (fs::exists(out)) return out;
  int status = 0;
  run_command("IN='" + in + "' OUT='" + out + "'; " + tool.command, &status);
  EXPECT_EQ(status, 0) << tool.name << " failed on " << in;
  return out;
}

AnalyzeOptions options() {
  AnalyzeOptions o;
  o.locator.debug_dirs = {"/usr/lib/debug"};
  return o;
}

// The report as JSON without what must differ: the file's name and the note that it was compressed.
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

class CompressedSample : public ::testing::TestWithParam<std::string> {};

TEST_P(CompressedSample, AnalysesLikeTheOriginal) {
  const std::string sample = GetParam();
  const std::string core = core_path("auto", sample);
  ASSERT_TRUE(fs::exists(core)) << core;
  auto original = normalised(sample_report("auto", sample));
  for (const auto& tool : tools()) {
    std::string packed = compress(core, tool, sample + ".core");
    auto report = analyze_file(packed, options());
    ASSERT_TRUE(report) << tool.name << ": " << report.error().message;
    EXPECT_EQ(report->dump_path, packed);
    bool noted = false;
    for (const auto& d : report->diagnostics) noted = noted || d.code == "decompressed";
    EXPECT_TRUE(noted) << tool.name << ": no 'decompressed' diagnostic";
    EXPECT_EQ(normalised(*report), original) << tool.name << " changed the analysis of " << sample;
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, CompressedSample,
                         ::testing::Values("null_read", "assert_fail", "threads_blocked", "stack_overflow",
                                           "uncaught_exception", "inlined_o2"));

// The decompressed core is sparse and mapped, never a second in-memory copy: check the bytes.
TEST(Compressed, DecompressesToTheSameBytes) {
  const std::string core = core_path("auto", "null_read");
  auto plain = MappedFile::open(core);
  ASSERT_TRUE(plain);
  for (const auto& tool : tools()) {
    auto packed = MappedFile::open(compress(core, tool, "null_read.core"));
    ASSERT_TRUE(packed);
    EXPECT_EQ(detect_compression((*packed)->bytes()), tool.name == "zstd" ? Compression::zstd
                                                      : tool.name == "xz" ? Compression::xz : Compression::lz4);
    auto out = decompress(**packed);
    ASSERT_TRUE(out) << out.error().message;
    ASSERT_EQ((*out)->size(), (*plain)->size());
    EXPECT_TRUE(std::equal((*out)->bytes().begin(), (*out)->bytes().end(), (*plain)->bytes().begin())) << tool.name;
  }
}

TEST(Compressed, TruncatedStreamsSayTruncated) {
  const std::string core = core_path("auto", "null_read");
  for (const auto& tool : tools()) {
    std::string packed = compress(core, tool, "null_read.core");
    std::string cut = scratch() + "/cut." + tool.ext;
    fs::copy_file(packed, cut, fs::copy_options::overwrite_existing);
    fs::resize_file(cut, fs::file_size(packed) / 2);
    auto r = analyze_file(cut, options());
    ASSERT_FALSE(r) << tool.name;
    EXPECT_EQ(r.error().code, ErrorCode::truncated) << tool.name << ": " << r.error().message;
    EXPECT_NE(r.error().message.find("truncated"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(cut), std::string::npos) << r.error().message;
  }
}

TEST(Compressed, CorruptStreamsSayCorrupt) {
  const std::string core = core_path("auto", "null_read");
  for (const auto& tool : tools()) {
    std::string packed = compress(core, tool, "null_read.core");
    std::string bad = scratch() + "/bad." + tool.ext;
    fs::copy_file(packed, bad, fs::copy_options::overwrite_existing);
    // Overwrite a run of bytes in the middle of the stream (headers intact, data and checksums not).
    int status = 0;
    auto size = fs::file_size(bad);
    run_command("printf '\\377\\000\\377\\000\\125\\252\\125\\252\\377\\377\\377\\377\\000\\000\\000\\000' | dd of='" + bad +
                    "' bs=1 seek=" + std::to_string(size / 2) + " conv=notrunc status=none",
                &status);
    ASSERT_EQ(status, 0);
    auto r = analyze_file(bad, options());
    ASSERT_FALSE(r) << tool.name << " accepted a damaged stream";
    EXPECT_TRUE(r.error().code == ErrorCode::malformed || r.error().code == ErrorCode::truncated)
        << tool.name << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(tool.name), std::string::npos) << r.error().message;
  }
}

TEST(Compressed, OutputCapIsEnforced) {
  const std::string core = core_path("auto", "null_read");
  AnalyzeOptions o = options();
  o.decompress.max_output = 64 * 1024;
  for (const auto& tool : tools()) {
    auto r = analyze_file(compress(core, tool, "null_read.core"), o);
    ASSERT_FALSE(r) << tool.name;
    EXPECT_EQ(r.error().code, ErrorCode::malformed);
    EXPECT_NE(r.error().message.find("limit"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace corelens::testing
