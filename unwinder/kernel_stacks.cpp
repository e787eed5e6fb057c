#include "unwinder/kernel_stacks.hpp"

#include <algorithm>
#include <map>

#include "core/strings.hpp"
#include "unwinder/call_site_check.hpp"
#include "unwinder/kernel_module_dwarf.hpp"
#include "unwinder/kernel_modules.hpp"
#include "unwinder/kernel_orc.hpp"
#include "unwinder/kernel_prologue.hpp"
#include "unwinder/kernel_vmlinux.hpp"
#include "unwinder/target.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kMaxOrcEntries = 8u << 20;  // vmlinux has ~400,000; 8M is 48 MiB of entries
constexpr std::uint64_t kLookupBlock = 256;         // LOOKUP_BLOCK_SIZE of orc_lookup.h
constexpr std::uint64_t kIrqStackSize = 16384;      // IRQ_STACK_SIZE without KASAN

struct TextRange {
  std::uint64_t low = 0, high = 0;
  bool contains(std::uint64_t a) const { return a >= low && a < high; }
};

// What the dump's kallsyms tells about the kernel image.
struct KernelLayout {
  TextRange text;       // [_stext, _etext): orc_lookup covers it
  TextRange init_text;  // [_sinittext, _einittext): freed after boot, still in the ORC table
  std::optional<std::uint64_t> kernel_offset;  // KASLR: runtime address - vmlinux's link-time address
  bool is_text(std::uint64_t a) const { return text.contains(a) || init_text.contains(a); }
};

KernelLayout kernel_layout(const KernelSymbols& symbols) {
  KernelLayout l;
  auto get = [&](const char* n) { return symbols.address_of(n).value_or(0); };
  l.text = {get("_stext"), get("_etext")};
  l.init_text = {get("_sinittext"), get("_einittext")};
  if (l.text.high < l.text.low) l.text = {};
  if (l.init_text.high < l.init_text.low) l.init_text = {};
  return l;
}

std::optional<OrcTable> load_vmlinux_orc(const KernelMemory& mem, const KernelSymbols& symbols,
                                         const std::string& release, const KernelLayout& layout, Diagnostics& diags) {
  auto ip_start = symbols.address_of("__start_orc_unwind_ip");
  auto ip_stop = symbols.address_of("__stop_orc_unwind_ip");
  auto orc_start = symbols.address_of("__start_orc_unwind");
  if (!ip_start || !ip_stop || !orc_start) {
    diags.info("orc-missing", "the dump's kallsyms names no ORC tables (__start_orc_unwind_ip ...): a kernel without "
                              "UNWINDER_ORC or kallsyms without KALLSYMS_ALL; kernel stacks are only scanned");
    return std::nullopt;
  }
  if (*ip_stop < *ip_start || (*ip_stop - *ip_start) % 4 != 0 || *ip_stop == *ip_start) {
    diags.warn("orc-bad-table", "the ORC ip table " + hex(*ip_start) + ".." + hex(*ip_stop) +
                                    " is empty or not a whole number of entries; kernel stacks are only scanned");
    return std::nullopt;
  }
  OrcTableRef ref{*ip_start, *orc_start, (*ip_stop - *ip_start) / 4};
  if (ref.count > kMaxOrcEntries) {
    diags.warn("orc-bad-table", "the ORC ip table claims " + std::to_string(ref.count) + " entries (at most " +
                                    std::to_string(kMaxOrcEntries) + " believed); kernel stacks are only scanned");
    return std::nullopt;
  }
  if (auto orc_stop = symbols.address_of("__stop_orc_unwind");
      orc_stop && (*orc_stop < *orc_start || *orc_stop - *orc_start != ref.count * kOrcEntrySize)) {
    diags.warn("orc-bad-table", "the ORC tables disagree: " + std::to_string(ref.count) + " ips but " +
                                    hex(*orc_stop - *orc_start) + " bytes of entries; kernel stacks are only scanned");
    return std::nullopt;
  }
  // Layout by release, then checked on a sample: a kernel whose orc_entry changed shape (6.4) or a
  // damaged table must not drive the walk.
  std::uint64_t low = layout.text.low ? layout.text.low : kStartKernelMap;
  std::uint64_t high = std::max(layout.text.high, layout.init_text.high);
  if (high == 0) high = kStartKernelMap + kKernelImageSize - 1;
  OrcFlavor flavor = orc_flavor_for_release(release);
  OrcTableCheck check = check_orc_table(mem, ref, flavor, low, high);
  if (!check.sane) {
    OrcFlavor other = flavor;
    other.layout = flavor.layout == OrcLayout::typed ? OrcLayout::end_bit : OrcLayout::typed;
    OrcTableCheck second = check_orc_table(mem, ref, other, low, high);
    if (!second.sane) {
      diags.warn("orc-bad-table", "the ORC table at " + hex(ref.ip_table) + " does not decode sanely in either known "
                                  "layout (" + check.describe() + "); kernel stacks are only scanned");
      return std::nullopt;
    }
    diags.info("orc-layout", "the ORC entries decode in the " + std::string(to_string(other.layout)) +
                                 " layout, not the one release " + release + " suggests (" + second.describe() + ")");
    flavor = other;
  }
  // orc_lookup speeds up the search; it is only used when its size is the one the linker gives it.
  std::optional<OrcLookupRef> lookup;
  auto table = symbols.address_of("orc_lookup");
  auto num = symbols.address_of("lookup_num_blocks");
  if (table && num && layout.text.high > layout.text.low) {
    auto blocks = mem.read_u32(*num);
    std::uint64_t want = (layout.text.high - layout.text.low + kLookupBlock - 1) / kLookupBlock + 1;
    if (blocks && *blocks == want) lookup = OrcLookupRef{*table, *blocks, layout.text.low, layout.text.high};
  }
  return OrcTable(ref, flavor, lookup);
}

// The entry for an address: the kernel's ORC table, a module's, or the vmlinux's DWARF CFI (for
// kernel text ORC does not describe, or first of all when the caller asked for CFI first).
class KernelOrcFinder final : public OrcFinder {
 public:
  KernelOrcFinder(const MemorySource& mem, const OrcTable* vmlinux, const KernelLayout& layout,
                  const KernelModules& modules, const KernelDwarf& dwarf, Diagnostics& diags)
      : mem_(mem), vmlinux_(vmlinux), layout_(layout), modules_(modules), dwarf_(dwarf), diags_(diags) {}
  std::optional<OrcEntry> find(std::uint64_t ip) const override {
    if (layout_.is_text(ip)) {
      if (dwarf_.cfi_first) {
        if (auto e = cfi(ip)) return e;
      }
      std::optional<OrcEntry> e = vmlinux_ != nullptr ? vmlinux_->find(mem_, ip) : std::nullopt;
      if (!dwarf_.cfi_first && (!e || e->type == OrcType::undefined)) {
        if (auto c = cfi(ip)) return c;
      }
      return e;
    }
    const KernelModule* m = modules_.containing(ip);
    if (vmlinux_ == nullptr || m == nullptr || m->orc.count == 0 || !module_table_sane(*m)) return std::nullopt;
    return OrcTable(m->orc, vmlinux_->flavor()).find(mem_, ip);
  }
  OrcFlavor flavor() const override { return vmlinux_ != nullptr ? vmlinux_->flavor() : OrcFlavor{}; }
  std::optional<OrcEntry> alternative(std::uint64_t ip, const OrcEntry& failed) const override {
    if (!layout_.is_text(ip)) return std::nullopt;
    if (failed.table == UnwindTable::orc) return cfi(ip);
    std::optional<OrcEntry> e = vmlinux_ != nullptr ? vmlinux_->find(mem_, ip) : std::nullopt;
    if (e && e->type == OrcType::undefined) return std::nullopt;
    return e;
  }

 private:
  // A module's table is checked the first time a walk needs it, as vmlinux's was at load.
  std::optional<OrcEntry> cfi(std::uint64_t ip) const {
    if (dwarf_.vmlinux == nullptr) return std::nullopt;
    return dwarf_.vmlinux->cfi_entry(ip - dwarf_.kernel_offset);
  }
  // The table also covers the module's init code, freed (and its extent forgotten) once it ran:
  // its addresses must lie in the module area, not all in the text. In a small module the init
  // entries are a good part of the table.
  bool module_table_sane(const KernelModule& m) const {
    auto [it, fresh] = checked_.emplace(m.address, false);
    if (fresh) {
      OrcTableCheck c = check_orc_table(mem_, m.orc, vmlinux_->flavor(), kModulesStart, kModulesEnd);
      it->second = c.sane;
      if (!c.sane) diags_.warn("orc-bad-module-table", "module " + m.name + "'s ORC table is not used: " + c.describe());
    }
    return it->second;
  }

  const MemorySource& mem_;
  const OrcTable* vmlinux_;
  const KernelLayout& layout_;
  const KernelModules& modules_;
  const KernelDwarf& dwarf_;
  Diagnostics& diags_;
  mutable std::map<std::uint64_t, bool> checked_;
};

// The stacks one CPU owns, from per-cpu variables (6.1 names; absent ones are simply unknown).
class CpuStackMap final : public StackMap {
 public:
  std::optional<StackRegion> region_of(std::uint64_t addr) const override {
    for (const auto& r : regions_) {
      if (r.contains(addr)) return r;
    }
    return std::nullopt;
  }
  void add(StackRegion r) {
    if (r.high > r.low) regions_.push_back(std::move(r));
  }
  bool empty() const { return regions_.empty(); }

 private:
  std::vector<StackRegion> regions_;
};

// Where each CPU's stack pointers live: per-cpu variables, resolved once for all CPUs (a
// kallsyms lookup by name is a linear search; a machine may have thousands of CPUs).
struct PerCpuLayout {
  std::optional<std::uint64_t> offsets;  // __per_cpu_offset[]
  // Offsets of the variables in each CPU's per-cpu area. Up to 6.1, cpu_current_top_of_stack
  // (__switch_to() keeps the running task's stack top there; the TSS's sp1 up to 5.10),
  // hardirq_stack_ptr and current_task; since 6.2 they are in pcpu_hot.
  std::optional<std::uint64_t> top, irq, cea, current;
  struct Ist {
    const char* kind;
    std::uint64_t offset, size;
  };
  std::vector<Ist> ist;  // the NAME_stack members of struct cea_exception_stacks
};

PerCpuLayout per_cpu_layout(const KernelSymbols& symbols, const KernelBtf* btf) {
  PerCpuLayout l;
  l.offsets = symbols.address_of("__per_cpu_offset");
  l.top = symbols.address_of("cpu_current_top_of_stack");
  l.current = symbols.address_of("current_task");
  l.irq = symbols.address_of("hardirq_stack_ptr");
  if (auto hot = symbols.address_of("pcpu_hot"); hot && btf != nullptr) {
    if (auto at = btf->offset_of("pcpu_hot", "top_of_stack")) l.top = *hot + *at;
    if (auto at = btf->offset_of("pcpu_hot", "hardirq_stack_ptr")) l.irq = *hot + *at;
    if (auto at = btf->offset_of("pcpu_hot", "current_task")) l.current = *hot + *at;
  }
  // Up to 5.10 x86_64 kept the running task's stack top in the TSS: cpu_current_top_of_stack was
  // #defined as cpu_tss_rw.x86_tss.sp1.
  if (auto tss = symbols.address_of("cpu_tss_rw"); !l.top && tss && btf != nullptr) {
    if (auto at = btf->offset_of("tss_struct", "x86_tss.sp1")) l.top = *tss + *at;
  }
  l.cea = symbols.address_of("cea_exception_stacks");
  if (auto s = btf != nullptr ? btf->find_struct("cea_exception_stacks") : std::nullopt) {
    for (const char* kind : {"NMI", "DF", "DB", "MCE", "VC", "VC2"}) {
      auto m = btf->member(*s, std::string(kind) + "_stack");
      auto size = m ? btf->size_of(m->type) : std::nullopt;
      if (m && size && *size > 0 && *size <= (1u << 20)) l.ist.push_back({kind, m->offset, *size});
    }
  }
  return l;
}

CpuStackMap cpu_stacks(const KernelMemory& mem, const PerCpuLayout& l, std::uint32_t cpu) {
  CpuStackMap map;
  if (!l.offsets) return map;
  auto base = mem.read_u64(*l.offsets + 8ull * cpu);
  if (!base) return map;
  auto per_cpu = [&](std::optional<std::uint64_t> at) -> std::optional<std::uint64_t> {
    if (!at) return std::nullopt;
    auto v = mem.read_u64(*base + *at);
    if (!v || *v == 0) return std::nullopt;
    return *v;
  };
  auto top = per_cpu(l.top);
  if (top && *top > kKernelStackSize) map.add(StackRegion{*top - kKernelStackSize, *top, "task"});
  // hardirq_stack_ptr points at the IRQ stack's top word, which holds the interrupted sp.
  auto irq = per_cpu(l.irq);
  if (irq && *irq > kIrqStackSize) map.add(StackRegion{*irq + 8 - kIrqStackSize, *irq + 8, "IRQ"});
  // The IST stacks of the CPU entry area, between guard pages.
  if (auto cea = per_cpu(l.cea)) {
    for (const auto& ist : l.ist) map.add(StackRegion{*cea + ist.offset, *cea + ist.offset + ist.size, ist.kind});
  }
  return map;
}

// For the call-site check of scanned words: code is readable kernel memory in the kernel's text.
class KernelCodeTarget final : public Target {
 public:
  KernelCodeTarget(const KernelMemory& mem, const KernelLayout& layout, const KernelModules& modules)
      : mem_(mem), layout_(layout), kmodules_(modules) {}
  Arch arch() const override { return Arch::x86_64; }
  Result<void> read_memory(std::uint64_t addr, std::span<std::byte> out) const override { return mem_.read(addr, out); }
  std::size_t thread_count() const override { return 0; }
  std::int32_t thread_id(std::size_t) const override { return 0; }
  const RegisterSet& initial_registers(std::size_t) const override { return none_; }
  const std::vector<Module>& modules() const override { return modules_; }
  bool is_executable(std::uint64_t addr) const override {
    return layout_.is_text(addr) || kmodules_.containing(addr) != nullptr;
  }

 private:
  const KernelMemory& mem_;
  const KernelLayout& layout_;
  const KernelModules& kmodules_;
  RegisterSet none_;
  std::vector<Module> modules_;
};

// Names a kernel address as the oops does (%pB): symbol+offset/size, the offset from PC itself,
// and " [module]" for module code.
void symbolize(KernelStackFrame& out, const KernelMemory& mem, const KernelSymbols& symbols, const KernelLayout& layout,
               const KernelModules& modules) {
  Frame& f = out.frame;
  if (const KernelModule* m = modules.containing(f.lookup_pc)) {
    f.module = m->name;
    f.module_offset = f.lookup_pc - m->text;
    auto sym = modules.symbol(mem, *m, f.lookup_pc);
    if (!sym) return;
    f.function = sym->name;
    f.function_offset = f.lookup_pc - sym->address;
    out.symbol = sym->name + "+" + hex(f.pc - sym->address) + "/" + hex(sym->size) + " [" + m->name + "]";
    return;
  }
  if (!layout.is_text(f.lookup_pc) && !symbols.lookup(f.lookup_pc)) return;
  auto hit = symbols.lookup(f.lookup_pc);
  f.module = "kernel";
  if (layout.kernel_offset) f.module_offset = f.lookup_pc - *layout.kernel_offset;  // vmlinux's own address
  if (!hit) return;
  f.function = hit->symbol->name;
  f.function_offset = hit->offset;  // from lookup_pc, as every Frame's
  out.symbol = hit->symbol->name + "+" + hex(f.pc - hit->symbol->address);
  if (auto size = symbols.extent(hit->symbol->address)) out.symbol += "/" + hex(*size);
}

// The DWARF chain at a frame: the vmlinux's for kernel text, the module's .ko for module code
// (found by the function the module's symbols name, see kernel_module_dwarf.hpp). Empty: none.
std::vector<SymbolizedLocation> dwarf_chain(const Frame& f, const KernelDwarf& dwarf) {
  if (f.module == "kernel") {
    if (dwarf.vmlinux == nullptr || f.lookup_pc < dwarf.kernel_offset) return {};
    return dwarf.vmlinux->locate(f.lookup_pc - dwarf.kernel_offset);
  }
  if (f.module.empty() || f.function.empty() || dwarf.modules == nullptr) return {};
  ModuleDwarf* m = dwarf.modules->for_module(f.module);
  return m != nullptr ? m->locate(f.function, f.function_offset) : std::vector<SymbolizedLocation>{};
}

// File:line:column from DWARF for a frame, and one frame before it for each call inlined at its
// pc (innermost first), appended to OUT. The real frame keeps the symbol table's name
// ("__handle_sysrq.cold", as kallsyms and the oops say; DWARF would say "__handle_sysrq");
// DWARF names it only when no symbol table did.
void add_with_dwarf(std::vector<KernelStackFrame>& out, KernelStackFrame k, const KernelDwarf& dwarf) {
  const std::vector<SymbolizedLocation> chain = dwarf_chain(k.frame, dwarf);
  if (chain.empty()) {
    out.push_back(std::move(k));
    return;
  }
  for (const SymbolizedLocation& loc : chain) {
    if (!loc.inlined) break;
    KernelStackFrame in;
    in.frame.pc = k.frame.pc;
    in.frame.lookup_pc = k.frame.lookup_pc;
    in.frame.sp = k.frame.sp;
    in.frame.trust = FrameTrust::inlined;
    in.frame.inlined = true;
    in.frame.function = loc.function;
    in.frame.module = k.frame.module;
    in.frame.module_offset = k.frame.module_offset;
    in.frame.file = loc.file;
    in.frame.compilation_dir = loc.compilation_dir;
    in.frame.line = loc.line;
    in.frame.column = loc.column;
    in.symbol = loc.function;
    in.stack = k.stack;
    in.found_by = "inlined";
    out.push_back(std::move(in));
  }
  if (!chain.empty() && !chain.back().inlined) {
    const SymbolizedLocation& real = chain.back();
    Frame& f = k.frame;
    f.file = real.file;
    f.compilation_dir = real.compilation_dir;
    f.line = real.line;
    f.column = real.column;
    if (f.function.empty() && !real.function.empty()) {
      f.function = real.function;
      f.function_offset = real.function_offset;
      k.symbol = real.function + "+" + hex(real.function_offset + (f.pc - f.lookup_pc));
    }
  }
  out.push_back(std::move(k));
}

std::uint64_t le64(const std::byte* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
  return v;
}

// The words of [FROM, REGION.high) that look like return addresses: kernel text just after a
// call. What the oops prints with "?": possibly stale, never trusted for the story.
std::vector<OrcFrame> scan_stack(const KernelMemory& mem, const KernelCodeTarget& code, const CallSiteCheck& calls,
                                 std::uint64_t from, const StackRegion& region, std::size_t max_frames) {
  std::vector<OrcFrame> out;
  if (!region.contains(from)) return out;
  std::uint64_t end = region.high & ~7ull;
  std::vector<std::byte> buf(4096);
  for (std::uint64_t at = from & ~7ull; at < end && out.size() < max_frames;) {
    std::uint64_t chunk_end = std::min<std::uint64_t>(end, (at & ~4095ull) + 4096);
    std::span<std::byte> chunk(buf.data(), chunk_end - at);
    if (!mem.read(at, chunk)) {  // a page the dump left out: skip it
      at = chunk_end;
      continue;
    }
    for (std::uint64_t off = 0; off + 8 <= chunk.size() && out.size() < max_frames; off += 8) {
      std::uint64_t word = le64(chunk.data() + off);
      if (!code.is_executable(word) || !calls.is_return_address(code, word)) continue;
      OrcFrame f;
      f.pc = word;
      f.sp = at + off + 8;
      f.stack = region.kind;
      f.trust = FrameTrust::scan;
      out.push_back(std::move(f));
    }
    at = chunk_end;
  }
  return out;
}

class NoOrc final : public OrcFinder {
 public:
  std::optional<OrcEntry> find(std::uint64_t) const override { return std::nullopt; }
  OrcFlavor flavor() const override { return {}; }
};

class OneStack final : public StackMap {
 public:
  explicit OneStack(StackRegion r) : r_(std::move(r)) {}
  std::optional<StackRegion> region_of(std::uint64_t addr) const override {
    return r_.contains(addr) ? std::optional(r_) : std::nullopt;
  }

 private:
  StackRegion r_;
};

}  // namespace

struct KernelUnwinder::State {
  const KernelMemory& mem;
  const KernelSymbols& symbols;
  KernelStackLimits limits;
  KernelLayout layout;
  std::optional<OrcTable> vmlinux;
  KernelModules modules;
  std::optional<KernelOrcFinder> finder;
  std::optional<KernelCodeTarget> code;
  CallSiteCheck calls{Arch::x86_64};
  std::optional<KernelPrologueFallback> prologue;
  PerCpuLayout per_cpu;
  NoOrc no_orc;
  KernelDwarf dwarf;

  State(const KernelMemory& m, const KernelSymbols& s, KernelStackLimits l, KernelDwarf d)
      : mem(m), symbols(s), limits(l), dwarf(d) {}

  // How a walk's frames were found, in words.
  std::string method_of(const OrcWalk& walk) const {
    if (dwarf.cfi_first) return walk.used_dwarf_cfi ? "DWARF CFI (ORC where it has none)" : "ORC (no DWARF CFI for these frames)";
    if (walk.frame0_without_orc) return "ORC (frame 0 by its prologue: no ORC there)";
    if (walk.used_dwarf_cfi) return vmlinux ? "ORC (DWARF CFI where ORC has none)" : "DWARF CFI (no usable ORC table)";
    return "ORC";
  }

  // The scan where the walk failed, then each frame named.
  KernelCpuStack finish(OrcWalk walk, std::string method) const {
    KernelCpuStack out;
    out.method = std::move(method);
    out.complete = walk.complete;
    out.status = walk.status;
    std::vector<OrcFrame> frames = std::move(walk.frames);
    if (!walk.complete && !frames.empty() && walk.stop_sp != 0) {
      auto scanned = scan_stack(mem, *code, calls, walk.stop_sp, walk.stop_region, limits.max_scan_frames);
      if (!scanned.empty()) out.method = finder ? out.method + ", then a stack scan" : "stack scan";
      for (auto& f : scanned) frames.push_back(std::move(f));
    }
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const OrcFrame& of = frames[i];
      KernelStackFrame k;
      k.frame.pc = of.pc;
      k.frame.lookup_pc = of.exact_pc || of.pc == 0 ? of.pc : of.pc - 1;
      k.frame.sp = of.sp;
      k.frame.trust = of.trust;
      k.frame.registers = of.registers;
      k.stack = of.stack;
      k.found_by = of.trust == FrameTrust::scan ? "scan" : of.found_by;
      if (of.user) {
        out.frames.push_back(std::move(k));
        continue;
      }
      symbolize(k, mem, symbols, layout, modules);
      add_with_dwarf(out.frames, std::move(k), dwarf);
    }
    for (std::size_t i = 0; i < out.frames.size(); ++i) out.frames[i].frame.index = static_cast<std::uint32_t>(i);
    return out;
  }
};

KernelUnwinder::KernelUnwinder(const KernelDump& dump, const KernelMemory& memory, const KernelSymbols& symbols,
                               const KernelBtf* btf, Diagnostics& diags, const KernelStackLimits& limits,
                               const KernelDwarf& dwarf)
    : s_(std::make_unique<State>(memory, symbols, limits, dwarf)) {
  State& s = *s_;
  s.layout = kernel_layout(symbols);
  s.layout.kernel_offset = dump.vmcoreinfo.kernel_offset();
  std::string release = dump.vmcoreinfo.osrelease().empty() ? dump.header_release : dump.vmcoreinfo.osrelease();
  if (!symbols.empty()) s.vmlinux = load_vmlinux_orc(memory, symbols, release, s.layout, diags);
  if (btf != nullptr && !symbols.empty()) s.modules = read_kernel_modules(memory, symbols, *btf, diags);
  if (dwarf.vmlinux != nullptr && !dwarf.vmlinux->has_cfi()) s.dwarf.cfi_first = false;
  if (s.vmlinux || (dwarf.vmlinux != nullptr && dwarf.vmlinux->has_cfi())) {
    s.finder.emplace(memory, s.vmlinux ? &*s.vmlinux : nullptr, s.layout, s.modules, s.dwarf, diags);
  }
  s.code.emplace(memory, s.layout, s.modules);
  s.prologue.emplace(memory, symbols);
  s.per_cpu = per_cpu_layout(symbols, btf);
}

KernelUnwinder::~KernelUnwinder() = default;

KernelCpuStack KernelUnwinder::unwind_cpu(const KernelCpu& cpu) const {
  const State& s = *s_;
  CpuStackMap stacks = cpu_stacks(s.mem, s.per_cpu, cpu.index);
  if (!s.finder) {
    // No usable ORC table: frame 0 from the registers, then the scan.
    OrcWalk walk = orc_walk(s.mem, s.no_orc, stacks, cpu.registers, OrcWalkLimits{1, 1});
    walk.status = "no usable ORC table";
    return s.finish(std::move(walk), "none");
  }
  OrcWalk walk = orc_walk(s.mem, *s.finder, stacks, cpu.registers, OrcWalkLimits{s.limits.max_frames, 6}, &*s.prologue);
  std::string method = s.method_of(walk);
  return s.finish(std::move(walk), std::move(method));
}

KernelCpuStack KernelUnwinder::unwind_switched_out(const OrcStartFrame& start, const StackRegion& stack) const {
  const State& s = *s_;
  OneStack stacks(stack);
  if (!s.finder) {
    OrcWalk walk = orc_walk(s.mem, s.no_orc, stacks, start, OrcWalkLimits{1, 1});
    walk.status = "no usable ORC table";
    return s.finish(std::move(walk), "none");
  }
  OrcWalk walk = orc_walk(s.mem, *s.finder, stacks, start, OrcWalkLimits{s.limits.max_frames, 1});
  std::string method = s.method_of(walk);
  return s.finish(std::move(walk), std::move(method));
}

std::optional<std::uint64_t> KernelUnwinder::current_task(std::uint32_t cpu) const {
  const State& s = *s_;
  if (!s.per_cpu.offsets || !s.per_cpu.current) return std::nullopt;
  auto base = s.mem.read_u64(*s.per_cpu.offsets + 8ull * cpu);
  if (!base) return std::nullopt;
  auto v = s.mem.read_u64(*base + *s.per_cpu.current);
  if (!v || *v == 0) return std::nullopt;
  return *v;
}

std::vector<KernelCpuStack> unwind_kernel_cpus(const KernelDump& dump, const KernelMemory& memory,
                                               const KernelSymbols& symbols, const KernelBtf* btf, Diagnostics& diags,
                                               const KernelStackLimits& limits) {
  std::vector<KernelCpuStack> out;
  if (dump.cpus.empty()) return out;
  KernelUnwinder unwinder(dump, memory, symbols, btf, diags, limits);
  for (const auto& cpu : dump.cpus) out.push_back(unwinder.unwind_cpu(cpu));
  return out;
}

}  // namespace corelens
