// Kernel dumps with the vmlinux of the same build (Debian's linux-image-RELEASE-dbg, fetched by
// samples/kernel/fetch-kernel-vmlinux.sh, the kernel_vmlinux fixture): file:line:column and inlined
// calls that binutils' addr2line confirms at the unslid addresses, the same function names as
// with kallsyms alone, DWARF CFI that unwinds to the same frames as the dump's ORC, BTF from the
// file, the vmlinux found by release and build-id; and files of another build rejected.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/model/strings.hpp"
#include "core/report/text_report.hpp"
#include "tests/kernel/kernel_dump_files.hpp"
#include "tests/support/elf_image.hpp"
#include "unwinder/kernel/vmlinux.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens {
namespace {

using namespace kernel_test;
const fs::path kVmlinux = kDir / "vmlinux";

Result<Report> analyze(const fs::path& dump, const std::string& vmlinux, bool cfi_first = false,
                       bool dump_btf = true) {
  AnalyzeOptions o;
  o.kernel.vmlinux.vmlinux = vmlinux;
  o.kernel.cfi_first = cfi_first;
  o.kernel.use_dump_btf = dump_btf;
  return analyze_file(dump.string(), o);
}

const ThreadReport* cpu_thread(const Report& r, std::uint32_t cpu) {
  for (const auto& t : r.threads) {
    if (t.name == "CPU " + std::to_string(cpu)) return &t;
  }
  return nullptr;
}

bool has_diagnostic(const Report& r, std::string_view code) {
  return std::any_of(r.diagnostics.begin(), r.diagnostics.end(), [&](const Diagnostic& d) { return d.code == code; });
}

class KernelVmlinuxTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    path_ = kDir / GetParam();
    CORELENS_REQUIRE_KERNEL_FILE(path_, "kernel_dumps.make");
    CORELENS_REQUIRE_KERNEL_FILE(kVmlinux, "kernel_vmlinux.fetch");
  }
  fs::path path_;
};

// addr2line -f -i -a: for each address its inline chain, innermost first, as (function, file:line).
struct Addr2lineLevel {
  std::string function, file;
  std::uint32_t line = 0;
};
std::map<std::uint64_t, std::vector<Addr2lineLevel>> addr2line(const std::vector<std::uint64_t>& addrs) {
  std::string cmd = "addr2line -f -i -a -e '" + kVmlinux.string() + "'";
  for (auto a : addrs) cmd += " " + hex(a);
  std::istringstream in(run(cmd));
  std::map<std::uint64_t, std::vector<Addr2lineLevel>> out;
  std::vector<Addr2lineLevel>* cur = nullptr;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("0x")) {
      cur = &out[std::stoull(line, nullptr, 16)];
      continue;
    }
    std::string where;
    if (cur == nullptr || !std::getline(in, where)) break;
    Addr2lineLevel l;
    l.function = line;
    where = where.substr(0, where.find(" (discriminator"));
    std::size_t colon = where.rfind(':');
    l.file = where.substr(0, colon);
    if (colon != std::string::npos && where.substr(colon + 1) != "?") l.line = static_cast<std::uint32_t>(std::stoul(where.substr(colon + 1)));
    cur->push_back(std::move(l));
  }
  return out;
}

TEST_P(KernelVmlinuxTest, PanicStackLinesAreAddr2linesAtTheUnslidAddresses) {
  auto report = analyze(path_, kVmlinux.string());
  ASSERT_TRUE(report) << report.error().message;
  const KernelReport& k = *report->kernel;
  std::string text = report_to_text(*report);
  ASSERT_EQ(k.vmlinux, kVmlinux.string()) << k.vmlinux_note << "\n" << text;
  EXPECT_EQ(k.vmlinux_source, "file");
  EXPECT_EQ(k.vmlinux_build_id, k.build_id);
  ASSERT_TRUE(k.kernel_offset);
  EXPECT_EQ(k.vmlinux_offset, *k.kernel_offset);
  EXPECT_NE(text.find("DWARF     " + kVmlinux.string()), std::string::npos) << text;
  const ThreadReport* t = cpu_thread(*report, *k.panic_cpu);
  ASSERT_NE(t, nullptr);
  // Every kernel frame: a source line; each real frame ends the chain of calls inlined at its pc.
  std::vector<std::uint64_t> addrs;
  for (const auto& f : t->frames) {
    if (f.module == "kernel" && !f.inlined) addrs.push_back(f.lookup_pc - k.vmlinux_offset);
  }
  ASSERT_GE(addrs.size(), 8u) << text;
  auto truth = addr2line(addrs);
  std::size_t i = 0, inlined = 0;
  while (i < t->frames.size()) {
    if (t->frames[i].module != "kernel") {
      ++i;
      continue;
    }
    std::size_t real = i;
    while (real < t->frames.size() && t->frames[real].inlined) ++real;
    ASSERT_LT(real, t->frames.size());
    const Frame& f = t->frames[real];
    auto it = truth.find(f.lookup_pc - k.vmlinux_offset);
    ASSERT_NE(it, truth.end()) << hex(f.lookup_pc);
    const auto& chain = it->second;
    ASSERT_EQ(chain.size(), real - i + 1) << f.function << "\n" << text;
    for (std::size_t level = 0; level < chain.size(); ++level) {
      const Frame& ours = t->frames[i + level];
      const Addr2lineLevel& want = chain[level];
      SCOPED_TRACE(ours.function + " at " + ours.file + ":" + std::to_string(ours.line));
      EXPECT_GT(ours.line, 0u);
      EXPECT_EQ(ours.line, want.line);
      // addr2line joins the unit's compilation directory to a relative name.
      EXPECT_TRUE(want.file.ends_with(ours.file)) << want.file;
      // The real frame is named by the symbol table (kallsyms: "__handle_sysrq.cold"), addr2line
      // by DWARF's subprogram ("__handle_sysrq").
      if (ours.inlined) EXPECT_EQ(ours.function, want.function);
      else EXPECT_TRUE(ours.function.starts_with(want.function)) << want.function;
      // An inlined call was found with the frame it is in: its trust and origin are that frame's.
      EXPECT_EQ(ours.trust, t->frames[real].trust);
      EXPECT_EQ(ours.origin, t->frames[real].origin);
    }
    inlined += real - i;
    i = real + 1;
  }
  // sysrq-c's stack has inlined calls (pde_write in proc_reg_write, do_syscall_x64 in do_syscall_64).
  EXPECT_GE(inlined, 2u) << text;
}

TEST_P(KernelVmlinuxTest, FunctionNamesEqualTheKallsymsOnlyRun) {
  auto plain = analyze(path_, "");
  auto with = analyze(path_, kVmlinux.string());
  ASSERT_TRUE(plain && with);
  ASSERT_TRUE(plain->kernel->vmlinux.empty());
  ASSERT_FALSE(with->kernel->vmlinux.empty());
  ASSERT_EQ(plain->threads.size(), with->threads.size());
  for (std::size_t t = 0; t < plain->threads.size(); ++t) {
    std::vector<std::pair<std::uint64_t, std::string>> a, b;
    for (const auto& f : plain->threads[t].frames) a.emplace_back(f.pc, f.function);
    for (const auto& f : with->threads[t].frames) {
      if (!f.inlined) b.emplace_back(f.pc, f.function);
    }
    EXPECT_EQ(a, b) << plain->threads[t].name;
    for (const auto& f : plain->threads[t].frames) EXPECT_TRUE(f.file.empty());
  }
  // The tasks' stacks too, and where each waits.
  ASSERT_EQ(plain->kernel->tasks.size(), with->kernel->tasks.size());
  for (std::size_t i = 0; i < plain->kernel->tasks.size(); ++i) {
    const auto& a = plain->kernel->tasks[i];
    const auto& b = with->kernel->tasks[i];
    EXPECT_EQ(a.wchan, b.wchan) << a.pid;
    std::size_t real = 0;
    for (const auto& f : b.frames) real += !f.inlined;
    EXPECT_EQ(real, a.frames.size()) << a.pid;
  }
}

// Two independent unwinders over the same stacks: objtool's ORC from the dump, GCC's CFI from the
// vmlinux. Each CPU's and each task's frames (pc and sp) must be the same.
TEST_P(KernelVmlinuxTest, DwarfCfiUnwindsToTheSameFramesAsOrc) {
  auto orc = analyze(path_, kVmlinux.string(), false);
  auto cfi = analyze(path_, kVmlinux.string(), true);
  ASSERT_TRUE(orc && cfi);
  std::string text = report_to_text(*cfi);
  std::size_t by_cfi = 0, by_orc = 0;
  auto key = [](const Frame& f) { return std::pair(f.pc, f.sp.value_or(0)); };
  // The same CPUs, each with its thread (threads[c] is CPU c's), and the same tasks.
  ASSERT_EQ(orc->kernel->cpus.size(), cfi->kernel->cpus.size());
  ASSERT_EQ(orc->threads.size(), cfi->threads.size());
  ASSERT_GE(orc->threads.size(), orc->kernel->cpus.size());
  ASSERT_EQ(orc->kernel->tasks.size(), cfi->kernel->tasks.size());
  for (std::size_t c = 0; c < orc->kernel->cpus.size(); ++c) {
    const auto& a = orc->threads[c];
    const auto& b = cfi->threads[c];
    ASSERT_EQ(a.name, "CPU " + std::to_string(orc->kernel->cpus[c].cpu));
    ASSERT_EQ(b.name, a.name);
    ASSERT_EQ(a.frames.size(), b.frames.size()) << a.name << "\n" << text;
    for (std::size_t i = 0; i < a.frames.size(); ++i) EXPECT_EQ(key(a.frames[i]), key(b.frames[i])) << a.name << " #" << i;
    EXPECT_EQ(a.unwind.complete(), b.unwind.complete()) << describe(b.unwind);
    for (const auto& f : b.frames) {
      by_cfi += !f.inlined && f.origin == FrameOrigin::vmlinux_cfi;
      by_orc += !f.inlined && f.origin == FrameOrigin::orc;
    }
  }
  for (std::size_t i = 0; i < orc->kernel->tasks.size(); ++i) {
    const auto& a = orc->kernel->tasks[i];
    const auto& b = cfi->kernel->tasks[i];
    ASSERT_EQ(a.frames.size(), b.frames.size()) << a.pid << " " << a.comm;
    for (std::size_t f = 0; f < a.frames.size(); ++f) EXPECT_EQ(key(a.frames[f]), key(b.frames[f])) << a.pid << " #" << f;
  }
  // CFI found most frames; ORC only those whose callee is assembly (entry code, which has no CFI).
  EXPECT_GT(by_cfi, 2 * by_orc) << text;
  const ThreadReport* first = cfi->cpu_stack(cfi->kernel->cpus.front().cpu);
  ASSERT_NE(first, nullptr);
  EXPECT_NE(first->method.find("DWARF CFI"), std::string::npos);
}

TEST_P(KernelVmlinuxTest, BtfFromTheVmlinuxReadsTheSameTasks) {
  auto dump_btf = analyze(path_, kVmlinux.string());
  auto file_btf = analyze(path_, kVmlinux.string(), false, false);
  ASSERT_TRUE(dump_btf && file_btf);
  EXPECT_EQ(dump_btf->kernel->btf_from, "dump");
  EXPECT_EQ(file_btf->kernel->btf_from, "vmlinux");
  EXPECT_TRUE(has_diagnostic(*file_btf, "btf-from-vmlinux"));
  ASSERT_TRUE(file_btf->kernel->tasks_read);
  ASSERT_EQ(dump_btf->kernel->tasks.size(), file_btf->kernel->tasks.size());
  for (std::size_t i = 0; i < dump_btf->kernel->tasks.size(); ++i) {
    EXPECT_EQ(dump_btf->kernel->tasks[i].pid, file_btf->kernel->tasks[i].pid);
    EXPECT_EQ(dump_btf->kernel->tasks[i].comm, file_btf->kernel->tasks[i].comm);
    EXPECT_EQ(dump_btf->kernel->tasks[i].frames.size(), file_btf->kernel->tasks[i].frames.size());
  }
  // Module stacks need struct module's layout: the QEMU dumps' frame 0 is in pvpanic.
  EXPECT_EQ(dump_btf->threads.front().frames.size(), file_btf->threads.front().frames.size());
}

INSTANTIATE_TEST_SUITE_P(AllFormats, KernelVmlinuxTest,
                         ::testing::Values(CORELENS_SYSRQ_DUMPS),
                         [](const auto& param_info) { return param_name(param_info.param); });

// ---- found by release and build-id; files of another build rejected -------------------------------

// A minimal x86_64 ELF executable: a zero page of text at the kernel's link address and a
// PT_NOTE holding BUILD_ID (hex). No sections, no symbols, no DWARF.
std::vector<std::byte> tiny_kernel_elf(const std::string& build_id) {
  constexpr std::uint64_t kKernelText = 0xffffffff81000000ull;
  testing::ElfImageSpec spec;
  spec.base = kKernelText - testing::kImagePage;
  spec.text = testing::Bytes(testing::kImagePage, 0);
  spec.sections = false;
  for (std::size_t i = 0; i + 1 < build_id.size(); i += 2) {
    spec.build_id.push_back(static_cast<std::uint8_t>(std::stoul(build_id.substr(i, 2), nullptr, 16)));
  }
  testing::Bytes image = testing::build_elf_image(spec);
  std::vector<std::byte> out(image.size());
  std::memcpy(out.data(), image.data(), image.size());
  return out;
}

class KernelVmlinuxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dump_ = kDir / "vmcore.kdump";
    CORELENS_REQUIRE_KERNEL_FILE(dump_, "kernel_dumps.make");
    auto plain = analyze(dump_, "");
    ASSERT_TRUE(plain);
    plain_ = std::move(*plain);
    dir_ = fs::temp_directory_path() / ("corelens-vmlinux-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path write(const std::string& name, const std::vector<std::byte>& bytes) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  // The kallsyms-only run's frames, which a rejected or useless vmlinux must leave as they are.
  void expect_frames_as_without(const Report& r) {
    ASSERT_EQ(r.threads.size(), plain_.threads.size());
    for (std::size_t t = 0; t < r.threads.size(); ++t) {
      ASSERT_EQ(r.threads[t].frames.size(), plain_.threads[t].frames.size());
      for (std::size_t i = 0; i < r.threads[t].frames.size(); ++i) {
        EXPECT_EQ(r.threads[t].frames[i].function, plain_.threads[t].frames[i].function);
        EXPECT_TRUE(r.threads[t].frames[i].file.empty());
      }
    }
  }
  fs::path dump_, dir_;
  Report plain_;
};

TEST_F(KernelVmlinuxFiles, AnotherBuildsVmlinuxIsRejected) {
  const std::string other = "00112233445566778899aabbccddeeff00112233";
  ASSERT_NE(other, plain_.kernel->build_id);
  fs::path f = write("vmlinux-other", tiny_kernel_elf(other));
  auto r = analyze(dump_, f.string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->kernel->vmlinux.empty());
  EXPECT_EQ(r->kernel->vmlinux_source, "mismatch");
  EXPECT_NE(r->kernel->vmlinux_note.find("has build-id " + other), std::string::npos) << r->kernel->vmlinux_note;
  EXPECT_TRUE(has_diagnostic(*r, "vmlinux-build-id-mismatch"));
  EXPECT_NE(report_to_text(*r).find("DWARF     not used: "), std::string::npos);
  expect_frames_as_without(*r);
}

TEST_F(KernelVmlinuxFiles, NotAKernelImageIsADiagnostic) {
  for (const auto& [name, bytes] : {std::pair<std::string, std::vector<std::byte>>{"text", std::vector<std::byte>(100, std::byte{'x'})},
                                    {"empty", {}}}) {
    fs::path f = write(name, bytes);
    auto r = analyze(dump_, f.string());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->kernel->vmlinux.empty());
    EXPECT_TRUE(has_diagnostic(*r, "vmlinux-unusable")) << name;
    expect_frames_as_without(*r);
  }
  // A user program (ET_DYN): not a kernel image either.
  auto r = analyze(dump_, "/proc/self/exe");
  ASSERT_TRUE(r);
  EXPECT_TRUE(has_diagnostic(*r, "vmlinux-unusable"));
  auto missing = analyze(dump_, (dir_ / "nowhere").string());
  ASSERT_TRUE(missing);
  EXPECT_TRUE(has_diagnostic(*missing, "vmlinux-unusable"));
}

// The right build-id on a file with nothing in it (hostile or stripped): accepted, and harmless.
TEST_F(KernelVmlinuxFiles, MatchingBuildIdWithoutDwarfChangesNothing) {
  fs::path f = write("vmlinux-empty", tiny_kernel_elf(plain_.kernel->build_id));
  auto r = analyze(dump_, f.string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kernel->vmlinux, f.string());
  EXPECT_NE(r->kernel->vmlinux_note.find("no DWARF"), std::string::npos) << r->kernel->vmlinux_note;
  expect_frames_as_without(*r);
  // Nor does it break a CFI-first walk: no CFI, ORC as before.
  AnalyzeOptions o;
  o.kernel.vmlinux.vmlinux = f.string();
  o.kernel.cfi_first = true;
  auto c = analyze_file(dump_.string(), o);
  ASSERT_TRUE(c);
  expect_frames_as_without(*c);
}

TEST_F(KernelVmlinuxFiles, FoundByReleaseAndBuildIdUnderTheDebugDirs) {
  CORELENS_REQUIRE_KERNEL_FILE(kVmlinux, "kernel_vmlinux.fetch");
  const KernelReport& k = *plain_.kernel;
  VmlinuxOptions o;
  o.debug_dirs = {(dir_ / "a").string(), (dir_ / "b").string()};
  // Under the first dir, by release, a file of another build; under the second, by build-id, the right one.
  write("a/boot/vmlinux-" + k.release, tiny_kernel_elf("00112233445566778899aabbccddeeff00112233"));
  fs::path by_id = dir_ / "b/.build-id" / k.build_id.substr(0, 2) / (k.build_id.substr(2) + ".debug");
  fs::create_directories(by_id.parent_path());
  fs::create_symlink(fs::absolute(kVmlinux), by_id);
  LocatedVmlinux found = locate_vmlinux(k.release, k.build_id, o);
  ASSERT_NE(found.vmlinux, nullptr) << found.note;
  EXPECT_EQ(found.vmlinux->path(), by_id.string());
  EXPECT_EQ(found.source, SymbolSource::debug_file);
  ASSERT_EQ(found.rejected.size(), 1u);
  EXPECT_NE(found.rejected[0].find("a/boot/vmlinux-" + k.release), std::string::npos);
  // Through the whole analysis, as the CLI runs it: the rejected file is a diagnostic.
  AnalyzeOptions ao;
  ao.locator.debug_dirs = o.debug_dirs;
  auto r = analyze_file(dump_.string(), ao);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kernel->vmlinux, by_id.string());
  EXPECT_EQ(r->kernel->vmlinux_source, "debug-file");
  EXPECT_TRUE(has_diagnostic(*r, "vmlinux-build-id-mismatch"));
  // lib/modules/RELEASE/vmlinux, as a kernel build installs it.
  fs::path c = dir_ / "c/lib/modules" / k.release / "vmlinux";
  fs::create_directories(c.parent_path());
  fs::create_symlink(fs::absolute(kVmlinux), c);
  found = locate_vmlinux(k.release, k.build_id, VmlinuxOptions{"", {(dir_ / "c").string()}, false});
  ASSERT_NE(found.vmlinux, nullptr) << found.note;
  EXPECT_EQ(found.source, SymbolSource::file);
  // A release or build-id from a hostile dump never names a path outside the debug dirs.
  found = locate_vmlinux("../../../" + k.release, "../" + k.build_id, VmlinuxOptions{"", {(dir_ / "c/lib/modules/x").string()}, false});
  EXPECT_EQ(found.vmlinux, nullptr);
}

// debuginfod, only when asked (as the CLI asks when DEBUGINFOD_URLS is set): a file:// server
// holding a file with the dump's build-id.
TEST_F(KernelVmlinuxFiles, DebuginfodOnlyWhenAsked) {
  const KernelReport& k = *plain_.kernel;
  write("server/buildid/" + k.build_id + "/debuginfo", tiny_kernel_elf(k.build_id));
  ::setenv("DEBUGINFOD_URLS", ("file://" + (dir_ / "server").string()).c_str(), 1);
  ::setenv("DEBUGINFOD_CACHE_PATH", (dir_ / "cache").c_str(), 1);
  LocatedVmlinux off = locate_vmlinux(k.release, k.build_id, VmlinuxOptions{"", {}, false});
  EXPECT_EQ(off.vmlinux, nullptr);
  LocatedVmlinux on = locate_vmlinux(k.release, k.build_id, VmlinuxOptions{"", {}, true});
  ::unsetenv("DEBUGINFOD_URLS");
  ::unsetenv("DEBUGINFOD_CACHE_PATH");
  ASSERT_NE(on.vmlinux, nullptr) << on.note;
  EXPECT_EQ(on.source, SymbolSource::debuginfod);
  EXPECT_TRUE(on.vmlinux->path().starts_with((dir_ / "cache").string())) << on.vmlinux->path();
  EXPECT_EQ(on.vmlinux->build_id(), k.build_id);
}

// The command line: --vmlinux, crash's `corelens VMLINUX VMCORE` order, --kernel-unwinder.
TEST(KernelVmlinuxCli, VmlinuxEitherWayAndTheUnwinderChoice) {
  CORELENS_REQUIRE_KERNEL_FILE(kDir / "vmcore.kdump", "kernel_dumps.make");
  CORELENS_REQUIRE_KERNEL_FILE(kVmlinux, "kernel_vmlinux.fetch");
  const std::string cli = std::string(CORELENS_CLI) + " ";
  const std::string dump = (kDir / "vmcore.kdump").string(), vmlinux = kVmlinux.string();
  std::string a = run(cli + "analyze " + dump + " --vmlinux " + vmlinux);
  std::string b = run(cli + vmlinux + " " + dump);
  EXPECT_NE(a.find("DWARF     " + vmlinux + " (build-id "), std::string::npos) << a;
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("(orc)"), std::string::npos);
  std::string c = run(cli + "analyze " + dump + " --vmlinux " + vmlinux + " --kernel-unwinder dwarf-cfi");
  EXPECT_NE(c.find("stack: DWARF CFI (ORC where it has none)"), std::string::npos) << c;
  EXPECT_NE(c.find("(dwarf-cfi)"), std::string::npos);
  EXPECT_NE(run(cli + "analyze " + dump + " --kernel-unwinder frame-pointer 2>&1").find("needs orc or dwarf-cfi"),
            std::string::npos);
}

}  // namespace
}  // namespace corelens
