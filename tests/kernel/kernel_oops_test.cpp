// A real oops that leads to the panic (the kernel_dumps fixture's oops/ run): the module
// samples/kernel/corelens_oops.c dereferences NULL in its write handler, oops=panic panics.
// Ground truth from the same run: the oops on the console (its RIP line and Call Trace) and
// makedumpfile's reading of the log.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <regex>

#include "core/model/strings.hpp"
#include "core/report/text_report.hpp"
#include "parsers/detect.hpp"
#include "parsers/kernel/printk_log.hpp"
#include "tests/kernel/kernel_dump_files.hpp"
#include "unwinder/pipeline/kernel/kernel_session.hpp"

namespace corelens {
namespace {

using namespace kernel_test;

// The oops's own lines on the console: "RIP: 0010:corelens_oops_read+0x8/0xf [corelens_oops]",
// "RSP: 0018:ffffcf89c0013d20 ..." (the interrupted kernel context, printed before its trace).
struct OopsLines {
  std::string kernel_rip, kernel_rsp;
};
OopsLines oops_lines(const fs::path& console) {
  OopsLines o;
  std::istringstream in(slurp(console));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t at = line.find("] ");
    std::string text = at == std::string::npos ? line : line.substr(at + 2);
    if (text.starts_with("RIP: 0010:") && o.kernel_rip.empty()) o.kernel_rip = text.substr(10);
    if (text.starts_with("RSP: 0018:") && o.kernel_rsp.empty()) o.kernel_rsp = text.substr(10, 16);
    if (text == "Call Trace:") break;
  }
  return o;
}

class KernelOopsTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    path_ = kDir / GetParam();
    CORELENS_REQUIRE_KERNEL_FILE(path_, "kernel_dumps.make_oops");
    auto r = analyze_file(path_.string(), {});
    ASSERT_TRUE(r) << r.error().message;
    report_ = std::move(*r);
    text_ = report_to_text(report_);
  }
  fs::path path_;
  Report report_;
  std::string text_;
};

TEST_P(KernelOopsTest, TheOopsComesFirst) {
  const KernelReport& k = *report_.kernel;
  EXPECT_EQ(k.oops_headline, "BUG: kernel NULL pointer dereference, address: 0000000000000000");
  EXPECT_EQ(k.panic_message, "Fatal exception");
  ASSERT_FALSE(k.oops.empty());
  EXPECT_EQ(k.oops.front().text, k.oops_headline);
  EXPECT_EQ(k.panic_pid, 1);
  EXPECT_EQ(k.panic_comm, "init");
  // In the text: the panic, then the oops from its first line; the faulting function is named.
  std::size_t panic = text_.find("Panic     Fatal exception");
  std::size_t oops = text_.find("] BUG: kernel NULL pointer dereference, address: 0000000000000000");
  ASSERT_NE(panic, std::string::npos) << text_;
  ASSERT_NE(oops, std::string::npos) << text_;
  EXPECT_LT(panic, oops);
  EXPECT_NE(text_.find("Cause     BUG: kernel NULL pointer dereference, address: 0000000000000000\n"), std::string::npos);
  EXPECT_LT(oops, text_.find("CPUs ("));
  EXPECT_NE(text_.find("RIP: 0010:corelens_oops_read+"), std::string::npos);
}

TEST_P(KernelOopsTest, LogEqualsMakedumpfile) {
  auto file = MappedFile::open(path_.string());
  ASSERT_TRUE(file);
  auto s = open_kernel_dump(*file, detect_format((*file)->bytes()));
  ASSERT_TRUE(s);
  std::string ours;
  for (const auto& r : (*s)->log.records) ours += format_log_line(r);
  EXPECT_EQ(ours, slurp(path_.parent_path() / "qemu.kdump.dmesg"));
  EXPECT_NE(ours.find("BUG: kernel NULL pointer dereference"), std::string::npos);
}

// Through the page fault's pt_regs into the interrupted kernel context, which is the console's
// oops: its RIP line, then its Call Trace, then the user context.
TEST_P(KernelOopsTest, PanicStackGoesThroughTheExceptionFrameIntoTheOopsCallTrace) {
  const KernelReport& k = *report_.kernel;
  const KernelCpuReport& cpu = k.cpus.front();
  ASSERT_TRUE(cpu.panicking);
  const ThreadReport& t = report_.threads.front();
  ASSERT_EQ(t.name, "CPU " + std::to_string(cpu.cpu));
  EXPECT_TRUE(t.unwind.complete()) << describe(t.unwind) << "\n" << text_;
  for (const auto& f : t.frames) EXPECT_NE(f.trust, FrameTrust::scan) << text_;

  // The panic path: panic <- oops_end <- page_fault_oops ... <- asm_exc_page_fault.
  auto at = [&](std::string_view fn) {
    return std::find_if(t.frames.begin(), t.frames.end(), [&](const Frame& f) { return f.function == fn; });
  };
  ASSERT_NE(at("panic"), t.frames.end()) << text_;
  auto entry = at("asm_exc_page_fault");
  ASSERT_NE(entry, t.frames.end()) << text_;
  EXPECT_LT(at("panic"), entry);
  // The interrupted context: the faulting instruction itself (an exact pc, not a return address),
  // in the module, named from the module's own symbols in the dump.
  std::size_t fault = static_cast<std::size_t>(entry - t.frames.begin()) + 1;
  ASSERT_LT(fault, t.frames.size());
  const Frame& f = t.frames[fault];
  EXPECT_EQ(f.function, "corelens_oops_read");
  EXPECT_EQ(f.module, "corelens_oops");
  EXPECT_EQ(f.lookup_pc, f.pc) << "the pc the fault interrupted is exact";
  OopsLines console = oops_lines(path_.parent_path() / "console-qemu.log");
  ASSERT_FALSE(console.kernel_rip.empty());
  EXPECT_EQ(t.frames[fault].oops_symbol, console.kernel_rip);
  // Its registers are the pt_regs the fault saved: the oops's RSP.
  auto rsp = std::find_if(f.registers.begin(), f.registers.end(), [](const Register& r) { return r.name == "rsp"; });
  ASSERT_NE(rsp, f.registers.end());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rsp->value));
  EXPECT_EQ(buf, console.kernel_rsp);
  EXPECT_GE(f.registers.size(), 21u) << "a full pt_regs";

  // Then exactly the oops's Call Trace (its reliable lines), and the user context.
  ConsoleTrace trace = console_trace(GetParam());
  ASSERT_FALSE(trace.frames.empty());
  EXPECT_TRUE(trace.frames.front().ends_with(" [corelens_oops]")) << trace.frames.front();
  std::vector<std::string> ours;
  for (std::size_t i = fault + 1; i < t.frames.size(); ++i) {
    if (t.frames[i].stack_area != "user") ours.push_back(t.frames[i].oops_symbol);
  }
  EXPECT_EQ(ours, trace.frames) << text_;
  // "At" names it too, below the panic and page-fault machinery: what the oops's RIP line says.
  ASSERT_TRUE(k.panic_frame);
  EXPECT_EQ(*k.panic_frame, fault);
  EXPECT_EQ(k.panic_at, console.kernel_rip);
  EXPECT_NE(text_.find("in " + console.kernel_rip + "  (frame #" + std::to_string(fault)), std::string::npos) << text_;
  ASSERT_EQ(t.frames.back().stack_area, "user");
  EXPECT_NE(text_.find("RIP: " + trace.user_rip), std::string::npos) << trace.user_rip;
}

// With the module's .ko (kept beside the dumps by make-kernel-dumps.sh, as a user keeps a build
// tree or installs a -dbg package), module frames get file:line from its DWARF: the lines gdb
// finds in the same .ko for the same function and offset. Without it they have none, and the
// report is otherwise the same.
TEST_P(KernelOopsTest, ModuleFramesGetFileAndLineFromTheKo) {
  const fs::path dir = path_.parent_path();
  const fs::path ko = dir / "corelens_oops.ko";
  CORELENS_REQUIRE_KERNEL_FILE(ko, "kernel_dumps.make_oops");
  AnalyzeOptions o;
  o.kernel.module_dirs = {dir.string()};
  auto r = analyze_file(path_.string(), o);
  ASSERT_TRUE(r) << r.error().message;
  const ThreadReport& with = r->threads.front();
  const ThreadReport& without = report_.threads.front();
  ASSERT_EQ(with.frames.size(), without.frames.size()) << "no inlined calls in this module";
  int module_frames = 0;
  for (std::size_t i = 0; i < with.frames.size(); ++i) {
    const Frame& f = with.frames[i];
    EXPECT_EQ(f.function, without.frames[i].function);
    if (f.module != "corelens_oops") continue;
    ++module_frames;
    SCOPED_TRACE(f.function);
    EXPECT_TRUE(without.frames[i].file.empty());
    ASSERT_TRUE(f.file.ends_with("corelens_oops.c")) << f.file;
    // gdb: Line 27 of "/.../corelens_oops.c" starts at address 0xb8 <corelens_oops_write+28> ...
    std::string gdb = run("gdb -batch -nx -ex 'info line *(" + f.function + "+" + hex(f.function_offset) + ")' '" +
                          ko.string() + "' 2>/dev/null");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(gdb, m, std::regex("Line ([0-9]+) of \"([^\"]+)\""))) << gdb;
    EXPECT_EQ(f.line, std::stoul(m[1])) << gdb;
    EXPECT_TRUE(std::string(m[2]).ends_with("corelens_oops.c")) << gdb;
  }
  EXPECT_EQ(module_frames, 2) << "corelens_oops_read and corelens_oops_write";
  bool said = false;
  for (const auto& d : r->diagnostics) said |= d.code == "module-dwarf" && d.message.find(ko.string()) != std::string::npos;
  EXPECT_TRUE(said) << "the report says which file gave the modules' lines";
}

// Distributions install their modules compressed, in lib/modules/RELEASE/kernel/...: the same
// lines from corelens_oops.ko.xz, .ko.zst and .ko.gz as from the plain .ko.
TEST_P(KernelOopsTest, ModuleFramesGetTheSameLinesFromACompressedKo) {
  const fs::path dir = path_.parent_path();
  const fs::path ko = dir / "corelens_oops.ko";
  CORELENS_REQUIRE_KERNEL_FILE(ko, "kernel_dumps.make_oops");
  AnalyzeOptions plain;
  plain.kernel.module_dirs = {dir.string()};
  auto expected = analyze_file(path_.string(), plain);
  ASSERT_TRUE(expected) << expected.error().message;
  const std::vector<Frame>& want = expected->threads.front().frames;
  const fs::path tree = fs::temp_directory_path() / ("corelens-compressed-ko-" + std::to_string(::getpid()));
  struct Packer {
    const char* command;
    const char* suffix;
  };
  for (const Packer& p : {Packer{"xz -c -T1", ".ko.xz"}, Packer{"zstd -q -c", ".ko.zst"}, Packer{"gzip -c", ".ko.gz"}}) {
    SCOPED_TRACE(p.suffix);
    fs::remove_all(tree);
    fs::create_directories(tree / "kernel/drivers/misc");
    const fs::path packed = tree / "kernel/drivers/misc" / (std::string("corelens_oops") + p.suffix);
    run(std::string(p.command) + " '" + ko.string() + "' > '" + packed.string() + "'");
    ASSERT_GT(fs::file_size(packed), 0u);
    AnalyzeOptions o;
    o.kernel.module_dirs = {tree.string()};
    auto r = analyze_file(path_.string(), o);
    ASSERT_TRUE(r) << r.error().message;
    const std::vector<Frame>& got = r->threads.front().frames;
    ASSERT_EQ(got.size(), want.size());
    int module_lines = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].function, want[i].function);
      EXPECT_EQ(got[i].file, want[i].file);
      EXPECT_EQ(got[i].line, want[i].line);
      module_lines += got[i].module == "corelens_oops" && got[i].line > 0;
    }
    EXPECT_EQ(module_lines, 2);
    bool said = false;
    for (const auto& d : r->diagnostics) said |= d.code == "module-dwarf" && d.message.find(packed.string()) != std::string::npos;
    EXPECT_TRUE(said) << "the report names the compressed file";
  }
  fs::remove_all(tree);
}

// Debian's linux-image-RELEASE-dbg: debug-only .ko files (objcopy --only-keep-debug: DWARF and
// symbols, no code) under /usr/lib/debug/lib/modules/RELEASE/kernel/...; found through the debug
// dirs by the dump's release, with no --module-dir.
TEST_P(KernelOopsTest, ModuleFramesGetLinesFromTheDbgPackagesLayout) {
  const fs::path ko = path_.parent_path() / "corelens_oops.ko";
  CORELENS_REQUIRE_KERNEL_FILE(ko, "kernel_dumps.make_oops");
  ASSERT_TRUE(report_.kernel);
  ASSERT_FALSE(report_.kernel->release.empty());
  const fs::path debug = fs::temp_directory_path() / ("corelens-dbg-layout-" + std::to_string(::getpid()));
  const fs::path dir = debug / "lib/modules" / report_.kernel->release / "kernel/drivers/misc";
  fs::remove_all(debug);
  fs::create_directories(dir);
  run("objcopy --only-keep-debug '" + ko.string() + "' '" + (dir / "corelens_oops.ko").string() + "'");
  AnalyzeOptions plain, dbg;
  plain.kernel.module_dirs = {ko.parent_path().string()};
  dbg.kernel.vmlinux.debug_dirs = {debug.string()};
  auto want = analyze_file(path_.string(), plain);
  auto got = analyze_file(path_.string(), dbg);
  fs::remove_all(debug);
  ASSERT_TRUE(want && got);
  const auto &w = want->threads.front().frames, &g = got->threads.front().frames;
  ASSERT_EQ(g.size(), w.size());
  int module_lines = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g[i].module != "corelens_oops") continue;
    EXPECT_EQ(g[i].function, w[i].function);
    EXPECT_EQ(g[i].file, w[i].file);
    EXPECT_EQ(g[i].line, w[i].line);
    module_lines += g[i].line > 0;
  }
  EXPECT_EQ(module_lines, 2);
}

INSTANTIATE_TEST_SUITE_P(Oops, KernelOopsTest, ::testing::Values("oops/qemu.elf", "oops/qemu.kdump", "oops/qemu.flat"),
                         [](const auto& param_info) { return param_name(param_info.param); });

}  // namespace
}  // namespace corelens
