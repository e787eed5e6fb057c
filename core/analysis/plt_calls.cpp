#include "core/analysis/plt_calls.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

#include "core/analysis/memory_read.hpp"

namespace corelens {
namespace {

// ELF dynamic tags (elf.h), named here so that this file needs no system header.
constexpr std::uint64_t kDtNull = 0, kDtPltRelSz = 2, kDtPltGot = 3, kDtStrTab = 5, kDtSymTab = 6, kDtRela = 7,
                        kDtRelaSz = 8, kDtStrSz = 10, kDtRel = 17, kDtRelSz = 18, kDtPltRel = 20, kDtJmpRel = 23;
constexpr std::uint32_t kPtDynamic = 2;
constexpr std::size_t kMaxDynamicEntries = 512;
constexpr std::uint64_t kMaxRelocations = 1u << 16;  // per table; a real executable has hundreds
constexpr std::size_t kMaxSymbolName = 256;

std::optional<std::uint64_t> read_word(const MemorySource& m, std::uint64_t addr, bool is64) {
  if (is64) return read_u64(m, addr);
  auto v = read_u32(m, addr);
  return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
}

std::optional<std::uint16_t> read_u16(const MemorySource& m, std::uint64_t addr) {
  std::array<std::byte, 2> b{};
  if (!m.read(addr, b)) return std::nullopt;
  return static_cast<std::uint16_t>(std::to_integer<unsigned>(b[0]) | (std::to_integer<unsigned>(b[1]) << 8));
}

// What the dynamic section of one module says about its imports.
struct DynamicTables {
  bool is64 = true;
  std::uint64_t bias = 0;
  std::uint64_t symtab = 0, strtab = 0, strsz = 0, pltgot = 0;
  std::uint64_t jmprel = 0, pltrelsz = 0, pltrel = 0, rela = 0, relasz = 0, rel = 0, relsz = 0;
};

const Module* module_at(const ProcessDump& dump, std::uint64_t addr) {
  for (const auto& m : dump.modules) {
    if (addr >= m.start && addr < m.end && !m.is_vdso) return &m;
  }
  return nullptr;
}

std::optional<DynamicTables> dynamic_tables(const MemorySource& mem, const Module& mod) {
  std::array<std::byte, 5> ident{};
  if (!mem.read(mod.start, ident)) return std::nullopt;
  if (ident[0] != std::byte{0x7f} || ident[1] != std::byte{'E'} || ident[2] != std::byte{'L'} ||
      ident[3] != std::byte{'F'}) {
    return std::nullopt;
  }
  DynamicTables t;
  t.is64 = ident[4] == std::byte{2};
  t.bias = mod.load_bias;
  const std::uint64_t word = t.is64 ? 8 : 4;
  auto phoff = read_word(mem, mod.start + (t.is64 ? 0x20 : 0x1c), t.is64);
  auto phentsize = read_u16(mem, mod.start + (t.is64 ? 0x36 : 0x2a));
  auto phnum = read_u16(mem, mod.start + (t.is64 ? 0x38 : 0x2c));
  if (!phoff || !phentsize || !phnum || *phentsize < (t.is64 ? 56 : 32)) return std::nullopt;
  std::optional<std::uint64_t> dynamic;
  for (std::uint16_t i = 0; i < *phnum; ++i) {
    std::uint64_t ph = mod.start + *phoff + std::uint64_t{i} * *phentsize;
    auto type = read_u32(mem, ph);
    if (!type || *type != kPtDynamic) continue;
    auto vaddr = read_word(mem, ph + (t.is64 ? 0x10 : 0x08), t.is64);
    if (vaddr) dynamic = *vaddr + t.bias;
    break;
  }
  if (!dynamic) return std::nullopt;
  // glibc's ld.so rewrites most address tags of a writable .dynamic to run-time addresses; the
  // file (read where the core saved no copy) holds link-time ones. Either way: inside the module.
  auto absolute = [&](std::uint64_t v) { return v >= mod.start && v < mod.end ? v : v + t.bias; };
  for (std::size_t i = 0; i < kMaxDynamicEntries; ++i) {
    auto tag = read_word(mem, *dynamic + i * 2 * word, t.is64);
    auto val = read_word(mem, *dynamic + i * 2 * word + word, t.is64);
    if (!tag || !val || *tag == kDtNull) break;
    switch (*tag) {
      case kDtSymTab: t.symtab = absolute(*val); break;
      case kDtStrTab: t.strtab = absolute(*val); break;
      case kDtStrSz: t.strsz = *val; break;
      case kDtPltGot: t.pltgot = absolute(*val); break;
      case kDtJmpRel: t.jmprel = absolute(*val); break;
      case kDtPltRelSz: t.pltrelsz = *val; break;
      case kDtPltRel: t.pltrel = *val; break;
      case kDtRela: t.rela = absolute(*val); break;
      case kDtRelaSz: t.relasz = *val; break;
      case kDtRel: t.rel = absolute(*val); break;
      case kDtRelSz: t.relsz = *val; break;
      default: break;
    }
  }
  if (t.symtab == 0 || t.strtab == 0) return std::nullopt;
  return t;
}

std::optional<std::string> symbol_name(const MemorySource& mem, const DynamicTables& t, std::uint64_t index) {
  const std::uint64_t sym_size = t.is64 ? 24 : 16;
  if (index == 0 || index > kMaxRelocations) return std::nullopt;
  auto st_name = read_u32(mem, t.symtab + index * sym_size);
  if (!st_name || *st_name == 0 || (t.strsz != 0 && *st_name >= t.strsz)) return std::nullopt;
  auto name = read_cstring(mem, t.strtab + *st_name, kMaxSymbolName);
  if (!name || name->empty()) return std::nullopt;
  return name;
}

// The symbol whose relocation fills the GOT SLOT: searched in the PLT's relocations, then in
// the other ones (a -z now or -fno-plt GOT entry is a GLOB_DAT relocation there).
std::optional<std::string> slot_symbol(const MemorySource& mem, const DynamicTables& t, std::uint64_t slot) {
  struct Table {
    std::uint64_t start, size;
    bool rela;
  };
  const bool plt_rela = t.pltrel == kDtRela || (t.pltrel == 0 && t.is64);
  const std::array<Table, 3> tables{{{t.jmprel, t.pltrelsz, plt_rela}, {t.rela, t.relasz, true}, {t.rel, t.relsz, false}}};
  for (const Table& table : tables) {
    if (table.start == 0 || table.size == 0) continue;
    const std::uint64_t word = t.is64 ? 8 : 4;
    const std::uint64_t entry = (table.rela ? 3 : 2) * word;
    const std::uint64_t count = std::min<std::uint64_t>(table.size / entry, kMaxRelocations);
    for (std::uint64_t i = 0; i < count; ++i) {
      auto offset = read_word(mem, table.start + i * entry, t.is64);
      if (!offset) break;
      if (*offset + t.bias != slot) continue;
      auto info = read_word(mem, table.start + i * entry + word, t.is64);
      if (!info) return std::nullopt;
      return symbol_name(mem, t, t.is64 ? *info >> 32 : *info >> 8);
    }
  }
  return std::nullopt;
}

std::optional<DecodedInstruction> decode_at(const MemorySource& mem, const Disassembler& dis, std::uint64_t addr,
                                            std::size_t length) {
  std::vector<std::byte> code(length);
  if (!mem.read(addr, code)) return std::nullopt;
  auto insn = dis.decode(code, addr);
  if (!insn) return std::nullopt;
  return *insn;
}

// The GOT slot an indirect branch reads its target from, when it names one by a fixed address:
// pc-relative (x86_64), absolute (i386 non-PIC), or the GOT pointer ebx plus a displacement (i386
// PIC, where ebx holds the address of .got.plt).
std::optional<std::uint64_t> slot_of(const DecodedInstruction& insn, const DynamicTables& t) {
  for (const auto& m : insn.memory) {
    if (m.implicit || !m.index.empty()) continue;
    if (m.pc_relative) return insn.address + insn.length + static_cast<std::uint64_t>(m.displacement);
    if (m.base.empty()) return static_cast<std::uint64_t>(m.displacement) & (t.is64 ? ~0ull : 0xffffffffull);
    if (m.base == "ebx" && !t.is64 && t.pltgot != 0) return (t.pltgot + static_cast<std::uint64_t>(m.displacement)) & 0xffffffffull;
  }
  return std::nullopt;
}

}  // namespace

std::optional<DecodedInstruction> call_before(const MemorySource& memory, const Disassembler& dis,
                                              std::uint64_t return_address) {
  // Most likely first: call rel32 (5), call [rip+disp32] or bnd call (6), call reg (2, 3 with REX),
  // then memory forms with a SIB byte or a displacement.
  static constexpr std::array<std::size_t, 9> kX86Lengths{5, 6, 2, 3, 7, 4, 8, 9, 10};
  static constexpr std::array<std::size_t, 2> kFixedLengths{4, 2};
  std::span<const std::size_t> lengths = dis.instruction_alignment() == 1 ? std::span<const std::size_t>(kX86Lengths)
                                                                          : std::span<const std::size_t>(kFixedLengths);
  for (std::size_t k : lengths) {
    if (return_address < k) continue;
    auto insn = decode_at(memory, dis, return_address - k, k);
    if (insn && insn->length == k && insn->is_call) return insn;
  }
  return std::nullopt;
}

std::optional<ImportCall> import_called_before(const MemorySource& memory, const ProcessDump& dump,
                                              const Disassembler& dis, std::uint64_t return_address) {
  if (dump.arch != Arch::x86_64 && dump.arch != Arch::i386) return std::nullopt;
  auto call = call_before(memory, dis, return_address);
  if (!call) return std::nullopt;
  const Module* caller = module_at(dump, call->address);
  if (caller == nullptr) return std::nullopt;
  auto tables = dynamic_tables(memory, *caller);
  if (!tables) return std::nullopt;
  std::optional<std::uint64_t> slot;
  if (call->branch_target) {
    // A PLT entry of the caller's: at most an endbr and a nop before the jump through its slot.
    std::uint64_t at = *call->branch_target;
    if (module_at(dump, at) != caller) return std::nullopt;
    for (int i = 0; i < 3 && !slot; ++i) {
      auto insn = decode_at(memory, dis, at, dis.max_instruction_length());
      if (!insn) break;
      if (insn->is_jump) {
        slot = slot_of(*insn, *tables);
        break;
      }
      if (!insn->mnemonic.starts_with("endbr") && !insn->mnemonic.starts_with("nop")) break;
      at += insn->length;
    }
  } else {
    slot = slot_of(*call, *tables);  // -fno-plt: call [rip + slot]
  }
  if (!slot) return std::nullopt;
  auto name = slot_symbol(memory, *tables, *slot);
  if (!name) return std::nullopt;
  return ImportCall{*name, call->address, *slot};
}

}  // namespace corelens
