#include "unwinder/kernel/frames.hpp"

#include "core/model/strings.hpp"
#include "unwinder/kernel/module_dwarf.hpp"
#include "unwinder/kernel/vmlinux.hpp"

namespace corelens {
namespace {

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

}  // namespace

KernelLayout kernel_layout(const KernelSymbols& symbols) {
  KernelLayout l;
  auto get = [&](const char* n) { return symbols.address_of(n).value_or(0); };
  l.text = {get("_stext"), get("_etext")};
  l.init_text = {get("_sinittext"), get("_einittext")};
  if (l.text.high < l.text.low) l.text = {};
  if (l.init_text.high < l.init_text.low) l.init_text = {};
  return l;
}

// Names a kernel address as the oops does (%pB): symbol+offset/size, the offset from PC itself,
// and " [module]" for module code.
void KernelFrameNamer::symbolize(Frame& f) const {
  const KernelMemory& mem = mem_;
  const KernelSymbols& symbols = symbols_;
  const KernelLayout& layout = layout_;
  const KernelModules& modules = modules_;
  if (const KernelModule* m = modules.containing(f.lookup_pc)) {
    f.module = m->name;
    f.module_offset = f.lookup_pc - m->text;
    auto sym = modules.symbol(mem, *m, f.lookup_pc);
    if (!sym) return;
    f.function = sym->name;
    f.function_offset = f.lookup_pc - sym->address;
    f.oops_symbol = sym->name + "+" + hex(f.pc - sym->address) + "/" + hex(sym->size) + " [" + m->name + "]";
    return;
  }
  if (!layout.is_text(f.lookup_pc) && !symbols.lookup(f.lookup_pc)) return;
  auto hit = symbols.lookup(f.lookup_pc);
  f.module = "kernel";
  if (layout.kernel_offset) f.module_offset = f.lookup_pc - *layout.kernel_offset;  // vmlinux's own address
  if (!hit) return;
  f.function = hit->symbol->name;
  f.function_offset = hit->offset;  // from lookup_pc, as every Frame's
  f.oops_symbol = hit->symbol->name + "+" + hex(f.pc - hit->symbol->address);
  if (auto size = symbols.extent(hit->symbol->address)) f.oops_symbol += "/" + hex(*size);
}

// File:line:column from DWARF for a frame, and one frame before it for each call inlined at its
// pc (innermost first), appended to OUT. The real frame keeps the symbol table's name
// ("__handle_sysrq.cold", as kallsyms and the oops say; DWARF would say "__handle_sysrq");
// DWARF names it only when no symbol table did. An inlined frame keeps the trust and origin of
// the frame it is in (Frame::inlined says the rest).
void KernelFrameNamer::add_with_dwarf(std::vector<Frame>& out, Frame f) const {
  const std::vector<SymbolizedLocation> chain = dwarf_chain(f, dwarf_);
  if (chain.empty()) {
    out.push_back(std::move(f));
    return;
  }
  for (const SymbolizedLocation& loc : chain) {
    if (!loc.inlined) break;
    Frame in;
    in.pc = f.pc;
    in.lookup_pc = f.lookup_pc;
    in.sp = f.sp;
    in.trust = f.trust;
    in.origin = f.origin;
    in.inlined = true;
    in.function = loc.function;
    in.module = f.module;
    in.module_offset = f.module_offset;
    in.file = loc.file;
    in.compilation_dir = loc.compilation_dir;
    in.line = loc.line;
    in.column = loc.column;
    in.oops_symbol = loc.function;
    in.stack_area = f.stack_area;
    out.push_back(std::move(in));
  }
  if (!chain.empty() && !chain.back().inlined) {
    const SymbolizedLocation& real = chain.back();
    f.file = real.file;
    f.compilation_dir = real.compilation_dir;
    f.line = real.line;
    f.column = real.column;
    if (f.function.empty() && !real.function.empty()) {
      f.function = real.function;
      f.function_offset = real.function_offset;
      f.oops_symbol = real.function + "+" + hex(real.function_offset + (f.pc - f.lookup_pc));
    }
  }
  out.push_back(std::move(f));
}


void KernelFrameNamer::append(std::vector<Frame>& out, const std::vector<OrcFrame>& frames) const {
  for (const OrcFrame& of : frames) {
    Frame f;
    f.pc = of.pc;
    f.lookup_pc = of.exact_pc || of.pc == 0 ? of.pc : of.pc - 1;
    f.sp = of.sp;
    f.trust = of.trust;
    f.origin = of.origin;
    f.registers = of.registers;
    f.stack_area = of.stack;
    if (of.user) {
      out.push_back(std::move(f));
      continue;
    }
    symbolize(f);
    add_with_dwarf(out, std::move(f));
  }
  for (std::size_t i = 0; i < out.size(); ++i) out[i].index = static_cast<std::uint32_t>(i);
}

}  // namespace corelens
