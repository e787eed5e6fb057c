// The libdwfl backend: elfutils unwinds each thread of a Target with DWARF CFI (.eh_frame,
// .debug_frame), falling back to the frame-pointer chain where a pc has no CFI, and libdw turns
// pcs into functions, source lines and chains of inlined calls.
//
// Ownership: the backend owns its Dwfl session and the file descriptors libdwfl opened; it holds
// a reference to the Target, which must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/report.hpp"
#include "core/model/symbol.hpp"
#include "unwinder/debug_file_cache.hpp"
#include "unwinder/module_locator.hpp"
#include "unwinder/raw_stack.hpp"
#include "unwinder/target.hpp"

struct Dwfl;
struct Dwfl_Module;
struct Elf;

namespace corelens {

class DwarfUnitFinder;  // unwinder/dwarf_units.hpp (libdw types stay out of this header)

// One entry of a pc's symbolisation: the innermost inlined call first, the real function last.
struct SymbolizedLocation {
  std::string function;
  std::uint64_t function_offset = 0;  // only for the real (outermost) function
  std::string file;
  std::string compilation_dir;  // DW_AT_comp_dir of the unit: what a relative FILE is relative to
  std::uint32_t line = 0, column = 0;
  bool inlined = false;
};

// The chain of MOD (null: one empty location) at PC, an address in MOD's own address space as
// libdwfl reported it. The kernel's vmlinux (kernel_vmlinux.hpp) is symbolised this way too. UNITS
// finds the units of modules without .debug_aranges (null: libdwfl's lookup alone, which needs them).
std::vector<SymbolizedLocation> symbolize_in_module(Dwfl_Module* mod, std::uint64_t pc, DwarfUnitFinder* units = nullptr);

class DwflBackend {
 public:
  // MODULES[i] is where the file of target.modules()[i] was found.
  static Result<std::unique_ptr<DwflBackend>> create(const Target& target,
                                                     const std::vector<LocatedModule>& modules,
                                                     const LocatorOptions& options);
  ~DwflBackend();
  DwflBackend(const DwflBackend&) = delete;
  DwflBackend& operator=(const DwflBackend&) = delete;

  RawStack unwind(std::size_t thread_index, const UnwindLimits& limits);
  // The chain for LOOKUP_PC (cached: deep recursion symbolises the same pcs again and again).
  const std::vector<SymbolizedLocation>& symbolize(std::uint64_t lookup_pc);
  // The ELF symbol (function or object) containing ADDR, from .symtab or .dynsym.
  std::optional<SymbolHit> symbol_at(std::uint64_t addr);
  // The runtime address of the first symbol named NAME (raw, not demangled) in any module, e.g.
  // "__abort_msg". Modules are searched in the order of target.modules().
  std::optional<std::uint64_t> symbol_address(const std::string& name);
  // The index in target.modules() of the module containing PC, or -1.
  int module_index(std::uint64_t pc) const;
  // The separate debug file libdwfl found for module INDEX, if any (after symbolisation).
  std::string debug_file(std::size_t module_index) const;
  // Whether libdw found DWARF for module INDEX.
  bool has_dwarf(std::size_t module_index) const;

  // libdwfl callbacks reach the backend through these.
  // Registers to restart a walk from, after a fallback found a caller frame that libdwfl could
  // not: the walk resumes with CFI (or libdwfl's own frame-pointer step) from there.
  struct ResumeState {
    std::uint64_t pc = 0, sp = 0;
    std::optional<std::uint64_t> fp;  // the frame pointer register (rbp), when known
    std::vector<std::pair<unsigned, std::uint64_t>> registers;  // others the fallback recovered (DWARF numbers)
  };
  struct ThreadArg {
    DwflBackend* backend;
    std::size_t index;
    const ResumeState* resume = nullptr;
  };
  ThreadArg* thread_arg(std::size_t index) {
    return index < thread_args_.size() ? &thread_args_[index] : nullptr;
  }
  const Target& target() const { return target_; }
  void note_memory_fault(std::uint64_t addr) { last_fault_ = addr; }
  // How the step from a callee at LOOKUP_PC to its caller was made (CFI or frame pointer).
  FrameTrust classify_step(std::uint64_t lookup_pc_of_callee);
  // libdwfl ends a walk as complete both where CFI marks the outermost frame (the return address
  // undefined, at _start and clone) and where it merely could not compute the caller. For the
  // last of FRAMES (a walk of thread THREAD_INDEX), why its caller is unknown although its CFI
  // describes one: a register that CFI needs is not known there. Nullopt: a real end.
  std::optional<std::string> caller_unrecoverable(const std::vector<RawFrame>& frames, std::size_t thread_index);
  bool is_return_address(std::uint64_t addr) const;

 private:
  explicit DwflBackend(const Target& target);
  void report_modules(const std::vector<LocatedModule>& modules, const LocatorOptions& options);

  const Target& target_;
  Dwfl* dwfl_ = nullptr;
  std::string debuginfo_path_;
  char* debuginfo_path_ptr_ = nullptr;
  std::vector<Dwfl_Module*> dwfl_modules_;  // parallel to target.modules(); null when not reported
  std::vector<std::vector<std::byte>> images_;  // module images from the dump (kept alive)
  std::unordered_map<std::uint64_t, std::vector<SymbolizedLocation>> symbol_cache_;
  std::unique_ptr<DwarfUnitFinder> units_;
  DebugDirs debug_dirs_;  // the modules' userdata: find_debuginfo_cached's build-id lookup  // units of modules without .debug_aranges (clang's)
  std::unordered_map<std::uint64_t, FrameTrust> trust_cache_;
  std::optional<std::uint64_t> last_fault_;
  std::vector<ThreadArg> thread_args_;  // one per thread, then the resume slot
  ResumeState resume_;
  std::unique_ptr<class CallSiteCheck> call_check_;
  std::unique_ptr<class ArmExidx> exidx_;  // arm only: the EHABI tables of the modules
  std::unordered_map<Dwfl_Module*, int> module_index_;
  std::vector<unsigned char> arch_elf_header_;  // a bare ELF header telling libdwfl the machine
  Elf* arch_elf_ = nullptr;
  struct Callbacks;
  std::unique_ptr<Callbacks> callbacks_;

 public:
  struct WalkEngine;  // the libdwfl strategy of the one stack walk (stack_walk.hpp), in dwfl_backend.cpp
};

}  // namespace corelens
