// The kernel's own ELF file with DWARF: the vmlinux of Debian's linux-image-RELEASE-dbg (or of a
// kernel build tree). With it a kernel dump gets what its memory alone cannot give: source
// file:line:column with the chain of inlined calls, symbols with sizes when kallsyms cannot be
// read, DWARF call frame information (.debug_frame) as a second unwinder beside the dump's ORC,
// and BTF when the dump's own cannot be found.
//
// Everything here is at the vmlinux's link-time addresses; the caller subtracts KASLR's offset
// (VMCOREINFO's KERNELOFFSET) first. A vmlinux is used only when its build-id equals the dump's
// VMCOREINFO BUILD-ID: a file from another build gives wrong names and lines, so it is rejected
// with a diagnostic, as a user core's mismatched module is.
//
// Ownership: Vmlinux owns its Dwfl session (and through it the file descriptor and the mapped
// file). libdw loads DWARF lazily, one compilation unit at a time: opening the 633 MB vmlinux
// reads its headers and symbol table only. Not thread-safe (libdwfl is not): one caller at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/analyze_options.hpp"
#include "core/model/arch.hpp"
#include "core/model/error.hpp"
#include "core/model/report.hpp"
#include "parsers/kernel/kallsyms.hpp"
#include "unwinder/dwfl_backend.hpp"
#include "unwinder/kernel/orc.hpp"

struct Dwfl;
struct Dwfl_Module;

namespace corelens {

class Vmlinux {
 public:
  // Opens PATH: an x86_64 or aarch64 kernel image (arm64's is linked -pie); its DWARF is not read yet.
  static Result<std::unique_ptr<Vmlinux>> open(const std::string& path);
  Arch arch() const { return arch_; }
  ~Vmlinux();
  Vmlinux(const Vmlinux&) = delete;
  Vmlinux& operator=(const Vmlinux&) = delete;

  const std::string& path() const { return path_; }
  const std::string& build_id() const { return build_id_; }  // hex; empty when it has none
  bool has_dwarf() const;
  bool has_cfi() const;

  // The chain at LINK_PC, innermost inlined call first, the real function last (as
  // DwflBackend::symbolize). Cached.
  const std::vector<SymbolizedLocation>& locate(std::uint64_t link_pc);
  // What .debug_frame says at LINK_PC, as an ORC call entry (table dwarf_cfi): the caller's sp is
  // the CFA (rsp or rbp + offset), the return address just below it, rbp saved at CFA + offset or
  // unchanged. nullopt when there is no row, or it has a shape ORC cannot express (a CFA computed
  // by an expression, as for a realigned stack; a return address elsewhere).
  std::optional<OrcEntry> cfi_entry(std::uint64_t link_pc);
  // What .debug_frame says at LINK_PC in general terms (arm64's walk): the CFA as a register
  // (DWARF number) plus an offset, and where the return address and the frame pointer (DWARF
  // register FP_REG) are: saved at CFA + offset, or still in their registers. nullopt when there
  // is no row or a rule of another shape.
  struct CfiRow {
    unsigned cfa_reg = 0;
    std::int64_t cfa_offset = 0;
    struct Saved {
      bool in_register = true;
      std::int64_t cfa_offset = 0;
    };
    Saved ra, fp;
  };
  std::optional<CfiRow> cfi_row(std::uint64_t link_pc, unsigned fp_reg);
  // .symtab's functions and objects, at run-time addresses: kernel-image symbols moved by
  // KERNEL_OFFSET, per-cpu offsets and absolute values not.
  std::vector<KernelSymbol> symbols(std::uint64_t kernel_offset) const;
  std::optional<std::uint64_t> symbol_address(const std::string& name) const;  // link-time
  // The .BTF section's bytes, if the file has one.
  std::optional<std::vector<std::byte>> btf() const;

 private:
  Vmlinux() = default;
  std::string path_;
  std::string build_id_;
  Arch arch_ = Arch::x86_64;
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* mod_ = nullptr;
  // libdwfl's address of a link address, less that address: 0 for x86_64's ET_EXEC vmlinux;
  // arm64's ET_DYN one is placed at a base of libdwfl's choosing.
  std::uint64_t load_bias_ = 0;
  struct CfiState;
  std::unique_ptr<CfiState> cfi_;
  std::unordered_map<std::uint64_t, std::vector<SymbolizedLocation>> cache_;
};

// The vmlinux for a dump of RELEASE whose VMCOREINFO has BUILD_ID (hex; may be empty).
struct LocatedVmlinux {
  std::unique_ptr<Vmlinux> vmlinux;  // null: none usable
  SymbolSource source = SymbolSource::none;  // file (given or by release), debug_file (.build-id), debuginfod, mismatch
  std::string note;                  // why, in words: which files were tried and why they were not used
  std::vector<std::string> rejected; // "PATH has build-id X but the dump's kernel has Y"
};

// Order: --vmlinux alone when given; else under each debug dir DIR/boot/vmlinux-RELEASE,
// DIR/lib/modules/RELEASE/vmlinux, DIR/.build-id/xx/rest.debug and DIR/.build-id/xx/rest; then
// debuginfod by build-id, only when OPTIONS.use_debuginfod. A file whose build-id differs from
// BUILD_ID is rejected; one without a build-id, or a dump without one, cannot be checked and is
// used with a note saying so.
LocatedVmlinux locate_vmlinux(const std::string& release, const std::string& build_id, const VmlinuxOptions& options);

}  // namespace corelens
