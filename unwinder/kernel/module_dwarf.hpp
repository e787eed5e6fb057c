// DWARF of the kernel's loaded modules, from their .ko files: file:line:column and inlined calls
// for frames in module code, which neither the dump's memory nor the vmlinux has.
//
// A .ko is a relocatable object (ET_REL): its sections have no addresses of their own, and the
// kernel lays them out at load time in an order of its own (.text.unlikely, .init.text ...), which
// the dump records only through per-section sysfs attributes. corelens needs none of that: the
// module's own symbols in the dump name each frame's function and its offset ("corelens_oops_write
// +0x27"); the same function in the .ko, wherever libdwfl placed its section, plus that offset is
// the address to look up. The file is accepted for a frame only when it has that function and the
// offset lies inside it (the modules have no build-id in the dump to check).
//
// Where the files are looked for, by module name (dashes and underscores alike, as the kernel
// treats them): each --module-dir, then DIR/lib/modules/RELEASE under each debug dir (Debian's
// linux-image-RELEASE-dbg puts the modules' DWARF there), then /lib/modules/RELEASE; NAME.ko and
// NAME.ko.debug, and compressed NAME.ko.xz, .ko.zst, .ko.gz (libdwfl decompresses them), at any
// depth (the trees are searched once, with a cap on entries).
//
// Ownership: KernelModuleDwarf owns one Dwfl session per file it opened. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "unwinder/dwarf_units.hpp"
#include "unwinder/dwfl_backend.hpp"

struct Dwfl;
struct Dwfl_Module;

namespace corelens {

// One module's .ko, opened with libdwfl.
class ModuleDwarf {
 public:
  static Result<std::unique_ptr<ModuleDwarf>> open(const std::string& path);
  ~ModuleDwarf();
  ModuleDwarf(const ModuleDwarf&) = delete;
  ModuleDwarf& operator=(const ModuleDwarf&) = delete;

  const std::string& path() const { return path_; }
  bool has_dwarf() const;
  // The chain at OFFSET bytes into FUNCTION, innermost inlined call first and the function itself
  // last (as Vmlinux::locate). Empty when the file has no such function or OFFSET is not inside
  // it: then this file is not the module that ran, or not all of it.
  std::vector<SymbolizedLocation> locate(const std::string& function, std::uint64_t offset);

 private:
  ModuleDwarf() = default;
  struct Function {
    std::uint64_t address = 0;  // where libdwfl placed it
    std::uint64_t size = 0;
  };
  std::string path_;
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* mod_ = nullptr;
  std::unordered_map<std::string, Function> functions_;
  DwarfUnitFinder units_;
};

struct ModuleDwarfOptions {
  std::vector<std::string> module_dirs;  // --module-dir, searched first
  std::vector<std::string> debug_dirs;   // DIR/lib/modules/RELEASE under each
  bool system_modules = true;            // /lib/modules/RELEASE last
};

class KernelModuleDwarf {
 public:
  static constexpr std::size_t kMaxEntries = 200000;  // directory entries read per search tree

  KernelModuleDwarf(const std::string& release, ModuleDwarfOptions options);
  ~KernelModuleDwarf();
  // The opened .ko of module NAME, or null when none was found (or it has no DWARF). Looked up,
  // and opened, once per name.
  ModuleDwarf* for_module(const std::string& name);
  // Modules whose file was found and used, and those with none, in words, for the report.
  std::string summary() const;

 private:
  void index_trees();
  std::vector<std::string> trees_;
  bool indexed_ = false;
  std::map<std::string, std::string> files_;  // normalised module name -> first file found
  std::map<std::string, std::unique_ptr<ModuleDwarf>> opened_;  // null: none usable
};

}  // namespace corelens
