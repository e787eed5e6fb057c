// Modules found from the core alone: NT_FILE ranges at file offset 0 whose first page holds an
// ELF header (read from the core's memory for the load bias and the GNU build-id), and the vDSO
// from AT_SYSINFO_EHDR.
#include "parsers/core_modules.hpp"

#include <gtest/gtest.h>

#include "parsers/elf_core.hpp"
#include "tests/unit/unit_support.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::unit {
namespace {

using namespace canon;
using ct::elfc::PF_R;
using ct::elfc::PF_W;
using ct::elfc::PF_X;

const Module* module_named(const ProcessDump& d, const std::string& path) {
  for (const auto& m : d.modules) {
    if (m.path == path) return &m;
  }
  return nullptr;
}

class CoreModules : public WithTempDir {
 protected:
  ProcessDump parse_ok(const ct::CoreBuilder& b) {
    auto d = parse(b.build().bytes);
    if (!d) {
      ADD_FAILURE() << d.error().message;
      return {};
    }
    return std::move(*d);
  }
};

TEST_F(CoreModules, ExecutableLibraryAndVdsoFromTheCanonicalCore) {
  ProcessDump d = parse_ok(canonical_core());
  ASSERT_EQ(d.modules.size(), 3u) << "the data file is not a module";
  EXPECT_EQ(d.modules[0].path, kExePath);
  EXPECT_EQ(d.modules[1].path, kLibcPath);
  EXPECT_EQ(d.modules[2].path, "[vdso]");
  EXPECT_EQ(module_named(d, kLocalePath), nullptr);
}

TEST_F(CoreModules, MainExecutableFields) {
  ProcessDump d = parse_ok(canonical_core());
  const Module* exe = module_named(d, kExePath);
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->start, kExe);
  EXPECT_EQ(exe->end, kText + 0x2000) << "extended by the later range of the same file";
  EXPECT_EQ(exe->load_bias, 0u) << "ET_EXEC loaded at its link-time address";
  EXPECT_EQ(exe->build_id, build_id_hex(0x01));
  EXPECT_EQ(exe->build_id.size(), 40u);
  EXPECT_TRUE(exe->is_main_executable) << "AT_ENTRY lies in it";
  EXPECT_FALSE(exe->is_vdso);
  EXPECT_TRUE(exe->headers_in_core);
}

TEST_F(CoreModules, SharedLibraryFields) {
  ProcessDump d = parse_ok(canonical_core());
  const Module* libc = module_named(d, kLibcPath);
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(libc->start, kLibc);
  EXPECT_EQ(libc->end, kLibc + 0x3000);
  EXPECT_EQ(libc->load_bias, kLibc);
  EXPECT_EQ(libc->build_id, build_id_hex(0x41));
  EXPECT_FALSE(libc->is_main_executable);
  EXPECT_TRUE(libc->headers_in_core);
}

TEST_F(CoreModules, VdsoFromAuxv) {
  ProcessDump d = parse_ok(canonical_core());
  const Module* vdso = module_named(d, "[vdso]");
  ASSERT_NE(vdso, nullptr);
  EXPECT_TRUE(vdso->is_vdso);
  EXPECT_FALSE(vdso->is_main_executable);
  EXPECT_EQ(vdso->start, kVdso);
  EXPECT_EQ(vdso->end, kVdso + 0x1800) << "its extent comes from its own program headers";
  EXPECT_EQ(vdso->load_bias, kVdso);
  EXPECT_EQ(vdso->build_id, build_id_hex(0x81));
  EXPECT_TRUE(vdso->headers_in_core);
}

// One object at START (a PIE), its first page saved or not, plus AUXV entries.
ct::CoreBuilder one_module_core(const ImageSpec& image, std::uint64_t start, bool saved,
                                std::vector<std::pair<std::uint64_t, std::uint64_t>> auxv) {
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0));
  b.set_auxv(std::move(auxv));
  b.set_file_note(4096, {{start, start + 0x1000, 0, "/opt/corelens-unit/bin/pie"},
                         {start + 0x1000, start + 0x3000, 1, "/opt/corelens-unit/bin/pie"}});
  b.add_segment(start, 0x1000, PF_R, saved ? elf_image(image) : Bytes{});
  b.add_segment(start + 0x1000, 0x2000, PF_R | PF_X, {});
  return b;
}

TEST_F(CoreModules, LoadBiasUsesTheFirstLoadVaddrRoundedDownToAPage) {
  ImageSpec pie;
  pie.load_vaddr = 0x10040;  // p_offset 0x40: the image's first byte is at link address 0x10000
  pie.load_align = 0x200000;
  pie.build_id = build_id(0x11);
  const std::uint64_t start = 0x555555554000;
  ProcessDump d = parse_ok(one_module_core(pie, start, true, {{9, start + 0x1100}}));
  ASSERT_EQ(d.modules.size(), 1u);
  const Module& m = d.modules[0];
  EXPECT_EQ(m.start, start);
  EXPECT_EQ(m.end, start + 0x3000);
  EXPECT_EQ(m.load_bias, start - 0x10000);
  EXPECT_EQ(m.build_id, build_id_hex(0x11)) << "the note is read at p_vaddr - 0x10000";
  EXPECT_TRUE(m.is_main_executable);
}

TEST_F(CoreModules, UnsavedHeadersLeaveTheBuildIdUnknownAndTheBiasAtStart) {
  ImageSpec pie;
  pie.build_id = build_id(0x11);
  const std::uint64_t start = 0x555555554000;
  ProcessDump d = parse_ok(one_module_core(pie, start, false, {{9, start + 0x1100}}));
  ASSERT_EQ(d.modules.size(), 1u) << "an unsaved first page may still be an ELF object";
  EXPECT_EQ(d.modules[0].build_id, "");
  EXPECT_EQ(d.modules[0].load_bias, start);
  EXPECT_FALSE(d.modules[0].headers_in_core);
  EXPECT_TRUE(d.modules[0].is_main_executable);
}

TEST_F(CoreModules, ABuildIdLongerThanAnyHashIsIgnored) {
  ImageSpec pie;
  pie.build_id = Bytes(200, 0xab);
  pie.size = 0x400;
  ProcessDump d = parse_ok(one_module_core(pie, 0x555555554000, true, {}));
  ASSERT_EQ(d.modules.size(), 1u);
  EXPECT_EQ(d.modules[0].build_id, "");
  EXPECT_TRUE(d.modules[0].headers_in_core);
}

TEST_F(CoreModules, HostileProgramHeaderCountsDoNotBreakDiscovery) {
  ImageSpec pie;
  pie.build_id = build_id(0x11);
  ct::CoreBuilder b = one_module_core(pie, 0x555555554000, true, {});
  ct::BuiltCore built = b.build();
  // Patch the image inside the core's first PT_LOAD.
  ct::put_u16(built.bytes, built.layout.segments[0].data_offset + 56, 0xffff);
  auto d = parse(built.bytes);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  ASSERT_EQ(d->modules.size(), 1u);
  EXPECT_FALSE(d->modules[0].headers_in_core);
  EXPECT_EQ(d->modules[0].build_id, "");
  ct::put_u16(built.bytes, built.layout.segments[0].data_offset + 56, 2);
  ct::put_u64(built.bytes, built.layout.segments[0].data_offset + 32, ~0ull - 8);  // e_phoff
  auto d2 = parse(built.bytes);
  ASSERT_TRUE(d2.has_value()) << d2.error().message;
  ASSERT_EQ(d2->modules.size(), 1u);
  EXPECT_EQ(d2->modules[0].build_id, "");
}

TEST_F(CoreModules, WithoutAtEntryTheFirstObjectIsTheExecutable) {
  ct::CoreBuilder b = canonical_core();
  b.set_auxv({{6, 4096}, {33, kVdso}});
  ProcessDump d = parse_ok(b);
  ASSERT_EQ(d.modules.size(), 3u);
  EXPECT_TRUE(module_named(d, kExePath)->is_main_executable);
  EXPECT_FALSE(module_named(d, kLibcPath)->is_main_executable);
  EXPECT_FALSE(module_named(d, "[vdso]")->is_main_executable);
}

TEST_F(CoreModules, TheModuleHoldingAtEntryIsTheExecutable) {
  ct::CoreBuilder b = canonical_core();
  b.set_auxv({{9, kLibc + 0x1234}, {33, kVdso}});  // a program run as ld.so/libc would be
  ProcessDump d = parse_ok(b);
  EXPECT_TRUE(module_named(d, kLibcPath)->is_main_executable);
  EXPECT_FALSE(module_named(d, kExePath)->is_main_executable);
  int mains = 0;
  for (const auto& m : d.modules) mains += m.is_main_executable;
  EXPECT_EQ(mains, 1);
}

TEST_F(CoreModules, NoVdsoWithoutAtSysinfoEhdrOrWhenItIsZero) {
  ct::CoreBuilder b = canonical_core();
  b.set_auxv({{9, kEntry}, {33, 0}});
  ProcessDump d = parse_ok(b);
  EXPECT_EQ(module_named(d, "[vdso]"), nullptr);
  EXPECT_EQ(d.modules.size(), 2u);
}

TEST_F(CoreModules, VdsoOutsideEveryMappingKeepsADefaultExtent) {
  ct::CoreBuilder b = canonical_core();
  b.set_auxv({{9, kEntry}, {33, 0x7ffd00000000}});
  ProcessDump d = parse_ok(b);
  const Module* vdso = module_named(d, "[vdso]");
  ASSERT_NE(vdso, nullptr);
  EXPECT_EQ(vdso->start, 0x7ffd00000000u);
  EXPECT_GT(vdso->end, vdso->start);
  EXPECT_FALSE(vdso->headers_in_core);
  EXPECT_EQ(vdso->build_id, "");
}

TEST_F(CoreModules, ADataFileWhoseFirstPageIsNotSavedIsStillACandidate) {
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0));
  b.set_file_note(4096, {{0x7f0000000000, 0x7f0000001000, 0, "/opt/corelens-unit/data.bin"},
                         {0x7f0000100000, 0x7f0000101000, 0, "/opt/corelens-unit/fonts.bin"}});
  b.add_segment(0x7f0000000000, 0x1000, PF_R, {});  // not dumped: cannot tell
  b.add_segment(0x7f0000100000, 0x1000, PF_R, Bytes(0x1000, 0x20));  // dumped, not ELF
  ProcessDump d = parse_ok(b);
  ASSERT_EQ(d.modules.size(), 1u);
  EXPECT_EQ(d.modules[0].path, "/opt/corelens-unit/data.bin");
}

TEST_F(CoreModules, ARangeNotAtFileOffsetZeroStartsNoModule) {
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0));
  b.set_file_note(4096, {{0x7f0000001000, 0x7f0000003000, 1, "/opt/corelens-unit/lib/partial.so"}});
  b.add_segment(0x7f0000001000, 0x2000, PF_R | PF_X, {});
  ProcessDump d = parse_ok(b);
  EXPECT_TRUE(d.modules.empty());
}

TEST_F(CoreModules, FileRangesWithoutALoadSegmentBecomeUnsavedMappings) {
  // gcore leaves some read-only file mappings out entirely; NT_FILE still lists them.
  ImageSpec exe;
  exe.type = ct::elfc::ET_EXEC;
  exe.load_vaddr = kExe;
  exe.load_memsz = 0x3000;  // one R|X PT_LOAD over the whole object
  exe.build_id = build_id(0x01);
  ct::CoreBuilder b;
  b.add_thread(canon::thread(0)).set_auxv({{9, kEntry}});
  b.set_file_note(4096, {{kExe, kExe + 0x1000, 0, kExePath}, {kText, kText + 0x2000, 1, kExePath}});
  b.add_segment(kExe, 0x1000, PF_R, elf_image(exe));  // no PT_LOAD for the text range
  ProcessDump d = parse_ok(b);
  ASSERT_EQ(d.mappings.size(), 2u);
  const Mapping* text = d.mapping_at(kText + 0x10);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->start, kText);
  EXPECT_EQ(text->end, kText + 0x2000);
  EXPECT_EQ(text->saved, 0u);
  EXPECT_EQ(text->path, kExePath);
  EXPECT_EQ(text->file_offset, 0x1000u);
  EXPECT_EQ(text->perms(), "r-xp") << "the flags of the object's own PT_LOAD";
  EXPECT_LT(d.mappings[0].start, d.mappings[1].start);
  auto v = d.memory.read_u32(kText);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code, ErrorCode::not_mapped) << "the dump holds no segment there";
}

TEST_F(CoreModules, ExecutablePathInTheReportFromTheModuleOrFromAtExecfn) {
  AnalyzeOptions options;
  options.locator.sysroot = dir_.path().string();  // nothing of the host is used
  {
    auto path = dir_.write(canonical_core().build().bytes);
    auto r = analyze_file(path.string(), options);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->process.executable, kExePath);
    EXPECT_EQ(r->process.name, "crashy");
    EXPECT_EQ(r->process.command_line, "./crashy --boom");
  }
  {
    // Without NT_FILE no module is known: the path comes from the AT_EXECFN string on the stack.
    ct::CoreBuilder b;
    Bytes stack(0x2000, 0);
    const std::string fn = "/usr/local/bin/from-execfn";
    std::copy(fn.begin(), fn.end(), stack.begin() + 0x1f00);
    b.add_thread(canon::thread(0)).set_auxv({{31, kStack + 0x1f00}});
    b.add_segment(kStack, 0x2000, PF_R | PF_W, stack);
    auto path = dir_.write(b.build().bytes);
    auto r = analyze_file(path.string(), options);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->process.executable, fn);
    EXPECT_EQ(r->process.pid, kPid) << "without NT_PRPSINFO the first thread's tid";
  }
}

TEST_F(CoreModules, ReportListsModulesWithTheirBuildIds) {
  AnalyzeOptions options;
  options.locator.sysroot = dir_.path().string();
  auto path = dir_.write(canonical_core().build().bytes);
  auto r = analyze_file(path.string(), options);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->modules.size(), 3u);
  EXPECT_EQ(r->modules[0].path, kExePath);
  EXPECT_EQ(r->modules[0].build_id, build_id_hex(0x01));
  EXPECT_TRUE(r->modules[0].is_main_executable);
  EXPECT_EQ(r->modules[0].symbols, SymbolSource::none);
  EXPECT_EQ(r->modules[2].path, "[vdso]");
  EXPECT_EQ(r->modules[2].symbols, SymbolSource::core_memory);
  bool missing_diag = false;
  for (const auto& diag : r->diagnostics) missing_diag |= diag.code == "module-file-missing";
  EXPECT_TRUE(missing_diag);
}

}  // namespace
}  // namespace corelens::unit
