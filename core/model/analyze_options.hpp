// What a user asks of an analysis, layer by layer: where the files are (the locator), how far and
// with what the stacks are walked, how compressed cores are decompressed, and where a kernel
// dump's vmlinux and modules are. Plain values, filled by the front ends from their command lines
// and read by the layer each one names; the pipeline's AnalyzeOptions (unwinder/pipeline/session.hpp)
// gathers them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace corelens {

// Where the modules' files are (unwinder/module_locator.hpp).
struct LocatorOptions {
  std::string executable;               // --exe
  std::string sysroot;                  // --sysroot
  std::vector<std::string> debug_dirs;  // --debug-dir (default /usr/lib/debug)
  bool use_debuginfod = false;          // DEBUGINFOD_URLS is set
  // --debuginfod-timeout: all of a dump's debuginfod look-ups together, in seconds; the report is
  // made from what arrived by then (module_locator.hpp, fetch_all_from_debuginfod).
  double debuginfod_timeout = 10;
};

// How far a stack is walked.
struct UnwindLimits {
  std::size_t max_frames = 1'000'000;  // a 260,000-frame stack overflow must fit
  // Asked every few thousand frames; false stops the walk ("cancelled"). A deep stack takes
  // seconds, and a front end's Cancel button must not wait for it.
  std::function<bool()> keep_going;
};

// Which unwinder walks the threads (corelens analyze --unwinder; unwinder/unwinder_choice.hpp):
// libdwfl, libunwind, libdwfl with libunwind where it gets further, or both compared.
enum class UnwinderChoice { dwfl, libunwind, automatic, cross_check };

// Compressed cores (parsers/compressed.hpp).
inline constexpr std::uint64_t kDefaultMaxDecompressed = std::uint64_t{64} << 30;
struct DecompressOptions {
  // Largest decompressed size accepted; 0 means the default: kDefaultMaxDecompressed, or less
  // when the temporary directory's filesystem has less free space.
  std::uint64_t max_output = 0;
  // Where the temporary file goes; empty: $TMPDIR, else /tmp.
  std::string temp_dir;
  // xz: largest dictionary/decoder memory accepted (hostile headers can ask for gigabytes).
  std::uint64_t xz_memory_limit = std::uint64_t{1} << 30;
};

// Where to look for the vmlinux of a kernel dump (unwinder/kernel/vmlinux.hpp).
struct VmlinuxOptions {
  std::string vmlinux;                  // --vmlinux: only this file (still checked)
  std::vector<std::string> debug_dirs;  // searched by release and build-id (see locate_vmlinux)
  bool use_debuginfod = false;          // DEBUGINFOD_URLS is set
};

// Kernel dumps (unwinder/pipeline/kernel/kernel_session.hpp).
struct KernelAnalyzeOptions {
  VmlinuxOptions vmlinux;      // where to look for the vmlinux with DWARF (none by default)
  bool cfi_first = false;      // unwind kernel text with the vmlinux's DWARF CFI before ORC
  bool use_dump_btf = true;    // false: as if the dump had no BTF (the vmlinux's is used)
  // --module-dir: trees holding the modules' .ko files with DWARF, searched before the debug
  // dirs' lib/modules/RELEASE and /lib/modules/RELEASE (unwinder/kernel/module_dwarf.hpp).
  std::vector<std::string> module_dirs;
};

}  // namespace corelens
