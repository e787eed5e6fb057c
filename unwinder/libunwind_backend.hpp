// The libunwind backend: libunwind (the nongnu one, remote API) unwinds each thread of a Target
// through an address space whose accessors are ours: memory from the Target, registers from the
// thread's initial registers, unwind tables from each module's .eh_frame_hdr (found through the
// program headers of the file module_locator verified, or of the module's image in the dump, and
// searched by libunwind's own dwarf_search_unwind_table). It returns the same RawStack as
// DwflBackend, under the same stop rules and fallbacks (unwind_rules.hpp), so symbolisation,
// reports and comparisons are shared.
//
// A second, independent unwinder: where libdwfl gives up, libunwind may get further (--unwinder
// auto), and where the two disagree one of them is wrong (--unwinder cross-check).
//
// Limits: x86_64 only (libunwind's remote API is built for the host architecture alone), and
// Debian builds x86_64 libunwind without .debug_frame support, so code described only by
// .debug_frame unwinds here by the fallbacks, where libdwfl has CFI.
//
// Ownership: owns its libunwind address space; holds a reference to the Target, which must
// outlive it. Not thread-safe: one walk at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/error.hpp"
#include "unwinder/module_locator.hpp"
#include "unwinder/raw_stack.hpp"
#include "unwinder/target.hpp"

namespace corelens {

class CallSiteCheck;

class LibunwindBackend {
 public:
  // MODULES[i] is where the file of target.modules()[i] was found.
  static Result<std::unique_ptr<LibunwindBackend>> create(const Target& target,
                                                          const std::vector<LocatedModule>& modules);
  ~LibunwindBackend();
  LibunwindBackend(const LibunwindBackend&) = delete;
  LibunwindBackend& operator=(const LibunwindBackend&) = delete;

  RawStack unwind(std::size_t thread_index, const UnwindLimits& limits);

  // A module's .eh_frame_hdr binary-search table, in runtime addresses.
  struct UnwindTable {
    std::uint64_t start = 0, end = 0;  // the module's address range
    std::uint64_t hdr = 0;             // .eh_frame_hdr: the base of the table's offsets
    std::uint64_t table = 0;           // the first (initial location, FDE) pair
    std::uint64_t fde_count = 0;
  };
  // The table of the module containing PC, or null.
  const UnwindTable* table_for(std::uint64_t pc) const;
  const Target& target() const { return target_; }
  // How many modules have a usable table (for diagnostics and tests).
  std::size_t table_count() const { return tables_.size(); }

  struct Walk;  // the state of one thread's walk, handed to libunwind's callbacks
  struct WalkEngine;  // the libunwind strategy of the one stack walk (stack_walk.hpp)

 private:
  explicit LibunwindBackend(const Target& target);
  void add_tables(const std::vector<LocatedModule>& located);
  // Whether libunwind will step from a callee at LOOKUP_PC with CFI (cached per pc).
  bool has_cfi(std::uint64_t lookup_pc, Walk& walk);

  const Target& target_;
  struct AddressSpace;
  std::unique_ptr<AddressSpace> space_;
  std::vector<UnwindTable> tables_;  // sorted by start, not overlapping
  std::unique_ptr<CallSiteCheck> call_check_;
  std::unordered_map<std::uint64_t, bool> cfi_cache_;
  std::unordered_map<std::uint64_t, bool> signal_cache_;  // by the pc of a frame libunwind stepped to
};

}  // namespace corelens
