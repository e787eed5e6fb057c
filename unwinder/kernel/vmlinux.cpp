#include "unwinder/kernel/vmlinux.hpp"

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <cstdlib>
#include <filesystem>
#include <limits>

#include "core/model/kernel/kernel_memory_x86_64.hpp"
#include "parsers/elf_image.hpp"
#include "unwinder/dwfl_offline.hpp"
#include "unwinder/module_locator.hpp"

namespace corelens {
namespace {

constexpr int kDwarfRbp = 6, kDwarfRsp = 7;  // x86_64 DWARF register numbers

std::optional<std::int16_t> as_s16(std::int64_t v) {
  if (v < std::numeric_limits<std::int16_t>::min() || v > std::numeric_limits<std::int16_t>::max()) return std::nullopt;
  return static_cast<std::int16_t>(v);
}

// "CFA + N" as dwarf_frame_register() spells a register saved at N (DW_CFA_offset): the
// location, not a value (a DW_OP_stack_value would make it DW_CFA_val_offset).
std::optional<std::int64_t> cfa_slot(const Dwarf_Op* ops, std::size_t nops) {
  if (ops == nullptr || nops == 0 || ops[0].atom != DW_OP_call_frame_cfa) return std::nullopt;
  if (nops == 1) return 0;
  if (nops == 2 && ops[1].atom == DW_OP_plus_uconst) return static_cast<std::int64_t>(ops[1].number);
  return std::nullopt;
}

bool safe_release(const std::string& r) {
  return !r.empty() && r.find('/') == std::string::npos && r != "." && r != "..";
}

bool safe_build_id(const std::string& id) {
  // Hex digits: a GNU build ID is 20 bytes (SHA-1), at most 64 in any tool; fewer than 2 bytes
  // names nothing. Bounded because the ID becomes a file name.
  constexpr std::size_t kMinHex = 4, kMaxHex = 128;
  if (id.size() < kMinHex || id.size() > kMaxHex) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

struct Vmlinux::CfiState {
  bool looked = false;
  Dwarf_CFI* cfi = nullptr;  // owned by libdwfl's module
  Dwarf_Addr bias = 0;
};

Vmlinux::~Vmlinux() {
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
}

Result<std::unique_ptr<Vmlinux>> Vmlinux::open(const std::string& path) {
  auto info = read_elf_file(path);
  if (!info) return unexpected(info.error());
  // arm64's vmlinux is ET_DYN: linked -pie, for KASLR to relocate it; x86_64's is ET_EXEC.
  bool image = info->type == ET_EXEC || (info->machine == EM_AARCH64 && info->type == ET_DYN);
  if ((info->machine != EM_X86_64 && info->machine != EM_AARCH64) || !image) {
    return fail(ErrorCode::unsupported, path + " is not an x86_64 or aarch64 kernel image (vmlinux): ELF type " +
                                            std::to_string(info->type) + ", machine " + std::to_string(info->machine));
  }
  elf_version(EV_CURRENT);
  std::unique_ptr<Vmlinux> v(new Vmlinux());
  v->path_ = path;
  v->build_id_ = info->build_id;
  v->arch_ = info->machine == EM_AARCH64 ? Arch::aarch64 : Arch::x86_64;
  v->cfi_ = std::make_unique<CfiState>();
  auto mod = open_offline_module(path, "kernel", &v->dwfl_);
  if (!mod) return unexpected(mod.error());
  v->mod_ = *mod;
  Dwarf_Addr bias = 0;
  if (dwfl_module_getelf(v->mod_, &bias) == nullptr) {
    return fail(ErrorCode::malformed, path + ": libdwfl cannot read it: " + dwfl_errmsg(-1));
  }
  v->load_bias_ = bias;
  return v;
}

bool Vmlinux::has_dwarf() const {
  Dwarf_Addr bias = 0;
  return dwfl_module_getdwarf(mod_, &bias) != nullptr;
}

bool Vmlinux::has_cfi() const {
  CfiState& c = *cfi_;
  if (!c.looked) {
    c.looked = true;
    c.cfi = dwfl_module_dwarf_cfi(mod_, &c.bias);  // .debug_frame (the kernel has no .eh_frame)
  }
  return c.cfi != nullptr;
}

const std::vector<SymbolizedLocation>& Vmlinux::locate(std::uint64_t link_pc) {
  auto hit = cache_.find(link_pc);
  if (hit != cache_.end()) return hit->second;
  if (cache_.size() > kMaxCachedPcs) cache_.clear();
  return cache_.emplace(link_pc, symbolize_in_module(mod_, link_pc + load_bias_)).first->second;
}

std::optional<OrcEntry> Vmlinux::cfi_entry(std::uint64_t link_pc) {
  if (!has_cfi()) return std::nullopt;
  Dwarf_Frame* frame = nullptr;
  if (dwarf_cfi_addrframe(cfi_->cfi, link_pc + load_bias_ - cfi_->bias, &frame) != 0 || frame == nullptr) return std::nullopt;
  std::unique_ptr<Dwarf_Frame, decltype(&std::free)> owned(frame, &std::free);
  OrcEntry e;
  e.type = OrcType::call;
  // CFA = register + offset.
  Dwarf_Op* ops = nullptr;
  std::size_t nops = 0;
  if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1) return std::nullopt;
  std::uint64_t reg = 0;
  std::int64_t offset = 0;
  if (ops[0].atom == DW_OP_bregx) {
    reg = ops[0].number;
    offset = static_cast<std::int64_t>(ops[0].number2);
  } else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
    reg = ops[0].atom - DW_OP_breg0;
    offset = static_cast<std::int64_t>(ops[0].number);
  } else {
    return std::nullopt;
  }
  if (reg == kDwarfRsp) e.sp_reg = orc_reg::sp;
  else if (reg == kDwarfRbp) e.sp_reg = orc_reg::bp;
  else return std::nullopt;
  auto sp_offset = as_s16(offset);
  if (!sp_offset) return std::nullopt;
  e.sp_offset = *sp_offset;
  // The return address right below the CFA, as every call leaves it.
  Dwarf_Op mem[3];
  int ra = dwarf_frame_info(frame, nullptr, nullptr, nullptr);
  if (ra < 0 || dwarf_frame_register(frame, ra, mem, &ops, &nops) != 0) return std::nullopt;
  if (cfa_slot(ops, nops) != std::optional<std::int64_t>(-8)) return std::nullopt;
  // rbp: saved in the frame, or left alone (same value; "undefined" cannot be followed further
  // either way, and ORC's "unchanged" is the closer reading).
  if (dwarf_frame_register(frame, kDwarfRbp, mem, &ops, &nops) != 0) return std::nullopt;
  if (nops != 0) {
    auto slot = cfa_slot(ops, nops);
    auto bp_offset = slot ? as_s16(*slot) : std::nullopt;
    if (!bp_offset) return std::nullopt;
    e.bp_reg = orc_reg::prev_sp;
    e.bp_offset = *bp_offset;
  }
  return e;
}

std::optional<Vmlinux::CfiRow> Vmlinux::cfi_row(std::uint64_t link_pc, unsigned fp_reg) {
  if (!has_cfi()) return std::nullopt;
  Dwarf_Frame* frame = nullptr;
  if (dwarf_cfi_addrframe(cfi_->cfi, link_pc + load_bias_ - cfi_->bias, &frame) != 0 || frame == nullptr) return std::nullopt;
  std::unique_ptr<Dwarf_Frame, decltype(&std::free)> owned(frame, &std::free);
  CfiRow row;
  Dwarf_Op* ops = nullptr;
  std::size_t nops = 0;
  if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1) return std::nullopt;
  if (ops[0].atom == DW_OP_bregx) {
    row.cfa_reg = static_cast<unsigned>(ops[0].number);
    row.cfa_offset = static_cast<std::int64_t>(ops[0].number2);
  } else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
    row.cfa_reg = ops[0].atom - DW_OP_breg0;
    row.cfa_offset = static_cast<std::int64_t>(ops[0].number);
  } else {
    return std::nullopt;
  }
  auto saved = [&](int reg) -> std::optional<CfiRow::Saved> {
    Dwarf_Op mem[3];
    if (dwarf_frame_register(frame, reg, mem, &ops, &nops) != 0) return std::nullopt;
    if (nops == 0) return CfiRow::Saved{};  // same value (or undefined): still in the register
    auto slot = cfa_slot(ops, nops);
    if (!slot) return std::nullopt;
    return CfiRow::Saved{false, *slot};
  };
  int ra_reg = dwarf_frame_info(frame, nullptr, nullptr, nullptr);
  if (ra_reg < 0) return std::nullopt;
  auto ra = saved(ra_reg), fp = saved(static_cast<int>(fp_reg));
  if (!ra || !fp) return std::nullopt;
  row.ra = *ra;
  row.fp = *fp;
  return row;
}

std::vector<KernelSymbol> Vmlinux::symbols(std::uint64_t kernel_offset) const {
  std::vector<KernelSymbol> out;
  int n = dwfl_module_getsymtab(mod_);
  if (n <= 0) return out;
  out.reserve(static_cast<std::size_t>(n));
  std::unordered_map<GElf_Word, char> kind_of_section;
  for (int i = 1; i < n; ++i) {
    GElf_Sym sym;
    GElf_Addr value = 0;
    GElf_Word shndx = 0;
    Elf* elf = nullptr;
    const char* name = dwfl_module_getsym_info(mod_, i, &sym, &value, &shndx, &elf, nullptr);
    if (name == nullptr || *name == '\0') continue;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
    if (shndx == SHN_UNDEF || shndx == static_cast<GElf_Word>(-1)) continue;  // undefined, or not in memory
    if (shndx != SHN_ABS) value -= load_bias_;  // libdwfl's address back to the link address
    // The letter /proc/kallsyms shows: text, read-only, data or bss, by the section's flags.
    char kind = 'a';
    if (shndx != SHN_ABS && elf != nullptr) {
      auto [it, fresh] = kind_of_section.try_emplace(shndx, 'r');
      if (fresh) {
        GElf_Shdr shdr;
        if (Elf_Scn* scn = elf_getscn(elf, shndx); scn != nullptr && gelf_getshdr(scn, &shdr) != nullptr) {
          if ((shdr.sh_flags & SHF_EXECINSTR) != 0) it->second = 't';
          else if (shdr.sh_type == SHT_NOBITS) it->second = 'b';
          else if ((shdr.sh_flags & SHF_WRITE) != 0) it->second = 'd';
        }
      }
      kind = it->second;
    }
    if (GELF_ST_BIND(sym.st_info) != STB_LOCAL) kind = static_cast<char>(kind - 'a' + 'A');
    // KASLR moves the image only; x86_64's per-cpu symbols are offsets from each CPU's area (arm64's
    // are link addresses in the image, moved with it); absolute values stay.
    bool in_image = arch_ == Arch::aarch64 ? (value >> 63) != 0 : value >= kStartKernelMap;
    std::uint64_t addr = in_image ? value + kernel_offset : value;
    out.push_back(KernelSymbol{addr, kind, name});
  }
  return out;
}

std::optional<std::uint64_t> Vmlinux::symbol_address(const std::string& wanted) const {
  int n = dwfl_module_getsymtab(mod_);
  for (int i = 1; i < n; ++i) {
    GElf_Sym sym;
    GElf_Addr value = 0;
    const char* name = dwfl_module_getsym_info(mod_, i, &sym, &value, nullptr, nullptr, nullptr);
    if (name != nullptr && wanted == name && sym.st_shndx != SHN_UNDEF) {
      return sym.st_shndx == SHN_ABS ? value : value - load_bias_;
    }
  }
  return std::nullopt;
}

std::optional<std::vector<std::byte>> Vmlinux::btf() const {
  Dwarf_Addr bias = 0;
  Elf* elf = dwfl_module_getelf(mod_, &bias);
  std::size_t shstrndx = 0;
  if (elf == nullptr || elf_getshdrstrndx(elf, &shstrndx) != 0) return std::nullopt;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_PROGBITS) continue;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (name == nullptr || std::string_view(name) != ".BTF") continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr || data->d_buf == nullptr) return std::nullopt;
    const auto* p = static_cast<const std::byte*>(data->d_buf);
    return std::vector<std::byte>(p, p + data->d_size);
  }
  return std::nullopt;
}

LocatedVmlinux locate_vmlinux(const std::string& release, const std::string& build_id, const VmlinuxOptions& options) {
  LocatedVmlinux out;
  struct Candidate {
    std::string path;
    SymbolSource source;
  };
  std::vector<Candidate> candidates;
  bool explicit_file = !options.vmlinux.empty();
  if (explicit_file) {
    candidates.push_back({options.vmlinux, SymbolSource::file});
  } else {
    // The release and build-id come from the dump: never let them name a path outside a debug dir.
    for (const auto& dir : options.debug_dirs) {
      if (safe_release(release)) {
        candidates.push_back({dir + "/boot/vmlinux-" + release, SymbolSource::file});
        candidates.push_back({dir + "/lib/modules/" + release + "/vmlinux", SymbolSource::file});
      }
      if (safe_build_id(build_id)) {
        std::string rel = dir + "/.build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2);
        candidates.push_back({rel + ".debug", SymbolSource::debug_file});
        candidates.push_back({rel, SymbolSource::debug_file});
      }
    }
  }
  std::vector<std::string> tried;
  auto accept = [&](std::unique_ptr<Vmlinux> v, SymbolSource source) -> bool {
    if (!build_id.empty() && !v->build_id().empty() && v->build_id() != build_id) {
      out.rejected.push_back(v->path() + " has build-id " + v->build_id() + " but the dump's kernel has " + build_id);
      return false;
    }
    if (build_id.empty()) out.note = "the dump has no BUILD-ID: " + v->path() + " could not be checked";
    else if (v->build_id().empty()) out.note = v->path() + " has no build-id: it could not be checked";
    else out.note = "build-id " + build_id + " matches";
    if (!v->has_dwarf()) out.note += "; it has no DWARF (symbols only, no file:line)";
    out.source = source;
    out.vmlinux = std::move(v);
    return true;
  };
  for (const auto& c : candidates) {
    std::error_code ec;
    if (!explicit_file && !std::filesystem::is_regular_file(c.path, ec)) continue;
    auto v = Vmlinux::open(c.path);
    if (!v) {
      tried.push_back(v.error().message);
      continue;
    }
    if (accept(std::move(*v), c.source)) return out;
  }
  if (!explicit_file && options.use_debuginfod && safe_build_id(build_id)) {
    std::string path = debuginfod_fetch(build_id, DebuginfodFile::debuginfo);
    if (!path.empty()) {
      auto v = Vmlinux::open(path);
      if (v && accept(std::move(*v), SymbolSource::debuginfod)) return out;
      if (!v) tried.push_back(v.error().message);
    }
  }
  if (!out.rejected.empty()) {
    out.source = SymbolSource::mismatch;
    out.note = out.rejected.front();
  } else if (!tried.empty()) {
    out.note = tried.front();
  } else if (explicit_file) {
    out.note = options.vmlinux + ": not found";
  } else {
    out.note = "no vmlinux found for " + (release.empty() ? std::string("this kernel") : release);
  }
  return out;
}

}  // namespace corelens
