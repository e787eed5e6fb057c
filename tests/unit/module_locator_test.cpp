// Finding each module's file: inside --sysroot only, --exe for the main executable, build-ids
// checked, deleted files, the vDSO from the core's memory.
#include "unwinder/module_locator.hpp"

#include <gtest/gtest.h>

#include "core/model/strings.hpp"
#include "tests/unit/unit_support.hpp"

namespace corelens::unit {
namespace {

TEST(PathInSysroot, JoinsAbsolutePathsUnderTheRoot) {
  EXPECT_EQ(path_in_sysroot("/srv/root", "/usr/lib/libc.so.6"), "/srv/root/usr/lib/libc.so.6");
  EXPECT_EQ(path_in_sysroot("/srv/root/", "/usr/bin/x"), "/srv/root/usr/bin/x");
  EXPECT_EQ(path_in_sysroot("/srv/root", "usr/bin/x"), "/srv/root/usr/bin/x");
  EXPECT_EQ(path_in_sysroot("/srv/root", "/a/b/../c"), "/srv/root/a/c");
}

TEST(PathInSysroot, WithoutSysrootThePathIsUnchanged) {
  EXPECT_EQ(path_in_sysroot("", "/usr/lib/libc.so.6"), "/usr/lib/libc.so.6");
  EXPECT_EQ(path_in_sysroot("", "/../etc/passwd"), "/../etc/passwd");
}

TEST(PathInSysroot, RefusesPathsThatClimbOut) {
  EXPECT_EQ(path_in_sysroot("/srv/root", "/../etc/shadow"), "");
  EXPECT_EQ(path_in_sysroot("/srv/root", "../../etc/shadow"), "");
  EXPECT_EQ(path_in_sysroot("/srv/root", "/usr/../../etc/shadow"), "");
  EXPECT_EQ(path_in_sysroot("/srv/root", "/usr/lib/../../../../etc"), "");
  // ".." that stays inside is fine.
  EXPECT_EQ(path_in_sysroot("/srv/root", "/usr/lib/../lib64/x.so"), "/srv/root/usr/lib64/x.so");
}

class Locator : public WithTempDir {
 protected:
  // Writes an ELF object with BUILD_ID under the scratch sysroot at PATH (absolute in the dump).
  void install(const std::string& path, std::uint8_t build_id_first) {
    ImageSpec image;
    image.build_id = canon::build_id(build_id_first);
    auto full = dir_.path() / std::filesystem::path(path).relative_path();
    std::filesystem::create_directories(full.parent_path());
    ct::write_file(full, elf_image(image));
  }
  Module module(const std::string& path, std::uint8_t build_id_first) {
    Module m;
    m.path = path;
    m.start = 0x7f0000000000;
    m.end = 0x7f0000003000;
    m.load_bias = m.start;
    m.build_id = canon::build_id_hex(build_id_first);
    m.headers_in_core = true;
    return m;
  }
  LocatorOptions options() {
    LocatorOptions o;
    o.sysroot = dir_.path().string();
    return o;
  }
  ProcessDump dump_;
};

TEST_F(Locator, FindsTheFileUnderTheSysrootWhenBuildIdsMatch) {
  install("/usr/lib/libfoo.so.1", 0x41);
  LocatedModule l = locate_module(module("/usr/lib/libfoo.so.1", 0x41), dump_, options());
  EXPECT_EQ(l.source, SymbolSource::file);
  EXPECT_EQ(l.file, (dir_.path() / "usr/lib/libfoo.so.1").string());
  EXPECT_EQ(l.file_build_id, canon::build_id_hex(0x41));
  EXPECT_EQ(l.load_bias, 0x7f0000000000u);
}

TEST_F(Locator, RefusesAFileWithAnotherBuildId) {
  install("/usr/lib/libfoo.so.1", 0x99);
  LocatedModule l = locate_module(module("/usr/lib/libfoo.so.1", 0x41), dump_, options());
  EXPECT_EQ(l.source, SymbolSource::mismatch);
  EXPECT_EQ(l.file, "");
  EXPECT_NE(l.note.find(canon::build_id_hex(0x99)), std::string::npos) << l.note;
  EXPECT_NE(l.note.find(canon::build_id_hex(0x41)), std::string::npos) << l.note;
}

TEST_F(Locator, MissingFileIsExplained) {
  LocatedModule l = locate_module(module("/usr/lib/libnothere.so", 0x41), dump_, options());
  EXPECT_EQ(l.source, SymbolSource::none);
  EXPECT_EQ(l.file, "");
  EXPECT_NE(l.note.find("libnothere.so"), std::string::npos) << l.note;
}

TEST_F(Locator, DeletedSuffixIsStripped) {
  install("/usr/bin/prog", 0x01);
  LocatedModule l = locate_module(module("/usr/bin/prog (deleted)", 0x01), dump_, options());
  EXPECT_EQ(l.source, SymbolSource::file);
  EXPECT_EQ(l.file, (dir_.path() / "usr/bin/prog").string());
  EXPECT_NE(l.note.find("deleted"), std::string::npos) << l.note;
}

TEST_F(Locator, ExeOptionServesTheMainExecutableOnly) {
  install("/elsewhere/prog", 0x01);
  LocatorOptions o = options();
  o.executable = (dir_.path() / "elsewhere/prog").string();
  Module exe = module("/usr/bin/prog", 0x01);
  exe.is_main_executable = true;
  LocatedModule l = locate_module(exe, dump_, o);
  EXPECT_EQ(l.source, SymbolSource::file);
  EXPECT_EQ(l.file, o.executable);
  Module lib = module("/usr/lib/other.so", 0x01);
  EXPECT_EQ(locate_module(lib, dump_, o).file, "") << "--exe is not used for libraries";
}

TEST_F(Locator, BuildIdUnderADebugDirectory) {
  const std::string hexid = canon::build_id_hex(0x41);
  auto dir = dir_.path() / "debug" / ".build-id" / hexid.substr(0, 2);
  std::filesystem::create_directories(dir);
  ImageSpec image;
  image.build_id = canon::build_id(0x41);
  ct::write_file(dir / (hexid.substr(2) + ".debug"), elf_image(image));
  LocatorOptions o = options();
  o.debug_dirs = {(dir_.path() / "debug").string()};
  LocatedModule l = locate_module(module("/usr/lib/gone.so", 0x41), dump_, o);
  EXPECT_EQ(l.source, SymbolSource::debug_file);
  EXPECT_EQ(l.file, (dir / (hexid.substr(2) + ".debug")).string());
}

TEST_F(Locator, VdsoIsReadFromTheCoreOrExplainedWhenMissing) {
  auto parsed = parse(canonical_core().build().bytes);
  ASSERT_TRUE(parsed.has_value());
  const Module* vdso = nullptr;
  for (const auto& m : parsed->modules) {
    if (m.is_vdso) vdso = &m;
  }
  ASSERT_NE(vdso, nullptr);
  LocatedModule l = locate_module(*vdso, *parsed, options());
  EXPECT_EQ(l.source, SymbolSource::core_memory);
  EXPECT_EQ(l.memory_image.size(), vdso->end - vdso->start);
  ASSERT_GE(l.memory_image.size(), 4u);
  EXPECT_EQ(static_cast<char>(l.memory_image[1]), 'E');

  Module unsaved = *vdso;
  unsaved.start = 0x7ffd00000000;
  unsaved.end = unsaved.start + 0x2000;
  LocatedModule u = locate_module(unsaved, *parsed, options());
  EXPECT_EQ(u.source, SymbolSource::none);
  EXPECT_TRUE(u.memory_image.empty());
  EXPECT_NE(u.note.find("not saved"), std::string::npos) << u.note;

  Module huge = *vdso;
  huge.end = huge.start + (1ull << 40);
  LocatedModule h = locate_module(huge, *parsed, options());
  EXPECT_EQ(h.source, SymbolSource::none);
  EXPECT_TRUE(h.memory_image.empty()) << "no 1 TiB buffer for a hostile extent";
}

// A file's error passes up through the locator and the analysis, each of which knows the path.
TEST(ModuleLocator, MessagesNameTheirFileOnce) {
  EXPECT_EQ(about("/lib/libc.so.6", "/lib/libc.so.6: mmap: Cannot allocate memory"), "/lib/libc.so.6: mmap: Cannot allocate memory");
  EXPECT_EQ(about("/lib/libc.so.6", "not an ELF file"), "/lib/libc.so.6: not an ELF file");
  // A message about another file that merely starts with the same characters is not about it.
  EXPECT_EQ(about("/lib/libc.so", "/lib/libc.so.6: gone"), "/lib/libc.so: /lib/libc.so.6: gone");
  EXPECT_EQ(about("a", "a"), "a: a");
}

}  // namespace
}  // namespace corelens::unit
