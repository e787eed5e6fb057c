#include "unwinder/arm_exidx.hpp"

#include <algorithm>

#include "core/file/byte_reader.hpp"
#include "parsers/elf_image.hpp"

namespace corelens {
namespace {

constexpr std::uint32_t kPtArmExidx = 0x70000001;
constexpr std::uint32_t kCantUnwind = 1;
constexpr std::uint64_t kMaxEntries = 1u << 20;
constexpr std::size_t kMaxOpcodes = 1024;  // 255 extra words of 4 opcodes each, and then some

// A prel31 field: a 31-bit signed offset from the word's own address.
std::uint64_t prel31(std::uint64_t where, std::uint32_t word) {
  std::int64_t offset = static_cast<std::int32_t>((word & 0x7fffffffu) | ((word & 0x40000000u) << 1));
  return where + static_cast<std::uint64_t>(offset);
}

}  // namespace

ArmExidx::ArmExidx(const Target& target, const std::vector<LocatedModule>& located) : target_(target) {
  const auto& modules = target.modules();
  for (std::size_t i = 0; i < modules.size() && i < located.size(); ++i) {
    const LocatedModule& l = located[i];
    if (l.file.empty() || l.source == SymbolSource::mismatch || l.source == SymbolSource::debug_file) continue;
    auto info = read_elf_file(l.file);
    if (!info || info->machine != elf_machine(Arch::arm)) continue;
    for (const auto& p : info->phdrs) {
      if (p.type != kPtArmExidx || p.memsz < 8) continue;
      Table t;
      t.start = modules[i].start;
      t.end = modules[i].end;
      if (add_overflows(l.load_bias, p.vaddr, &t.index)) break;
      t.entries = std::min<std::uint64_t>(p.memsz / 8, kMaxEntries);
      tables_.push_back(t);
      break;
    }
  }
  std::sort(tables_.begin(), tables_.end(), [](const Table& a, const Table& b) { return a.start < b.start; });
  thumb_ = InstructionDecoder::open(Arch::arm, true);
}

ArmExidx::~ArmExidx() = default;

ArmExidx::Step ArmExidx::prologue_step(const Registers& callee, std::uint64_t function_start) const {
  Step out;
  out.outcome = Outcome::failed;
  if (!thumb_ || !callee[13] || !callee[15]) return out;
  const std::uint64_t start = function_start & ~std::uint64_t{1};
  const std::uint64_t pc = *callee[15];
  constexpr std::uint64_t kMaxPrologue = 64;  // bytes: a prologue is a few instructions
  constexpr std::size_t kMaxPrologueInstructions = 16;  // and 16 of them cover any of GCC's
  if (pc <= start || pc - start > 1u << 20) return out;
  std::array<std::uint8_t, kMaxPrologue> code{};
  std::uint64_t length = std::min<std::uint64_t>(kMaxPrologue, pc - start);
  if (!target_.read_code(start, std::as_writable_bytes(std::span(code.data(), length)))) return out;
  // DEPTH: bytes the prologue has moved sp down so far; SAVED[r]: where r went, as an offset
  // below the entry sp (positive: entry_sp - SAVED[r]).
  std::uint32_t depth = 0;
  std::array<std::optional<std::uint32_t>, 16> saved{};
  using Kind = InstructionFacts::Kind;
  using Type = InstructionOperand::Type;
  constexpr std::int16_t kSp = 13;
  std::uint64_t offset = 0;
  for (std::size_t k = 0; k < kMaxPrologueInstructions && offset < length; ++k) {
    auto i = thumb_->decode(std::span(code.data() + offset, length - offset), start + offset);
    if (!i) break;
    offset += i->length;
    const auto& ops = i->operands;
    const std::uint8_t count = i->operand_count;
    if (i->kind == Kind::push ||
        (i->kind == Kind::push_multiple && count > 1 && ops[0].type == Type::reg && ops[0].reg == kSp && i->writeback)) {
      std::uint8_t first = i->kind == Kind::push ? 0 : 1;
      depth += 4 * (count - first);
      for (std::uint8_t op = first; op < count && op < InstructionFacts::kMaxOperands; ++op) {
        if (ops[op].type != Type::reg) continue;
        const int reg = ops[op].reg;
        if (reg < 0 || reg > 15) continue;
        // The lowest register goes to the lowest address.
        saved[static_cast<std::size_t>(reg)] = depth - 4 * (op - first);
      }
    } else if (i->kind == Kind::push_vector) {
      depth += 8 * count;
    } else if (i->kind == Kind::sub && count >= 2 && count <= InstructionFacts::kMaxOperands && ops[0].type == Type::reg &&
               ops[0].reg == kSp && ops[count - 1].type == Type::imm) {
      depth += static_cast<std::uint32_t>(ops[count - 1].imm);
    } else if (i->branches) {
      break;  // the body has begun
    }
  }
  if (!saved[14] || depth > (1u << 20)) return out;  // lr still in its register: not for a caller frame
  const std::uint32_t entry_sp = *callee[13] + depth;
  Registers r = callee;
  for (unsigned reg = 4; reg <= 14; ++reg) {
    if (!saved[reg] || reg == 13) continue;
    auto v = word(entry_sp - *saved[reg]);
    if (!v) return out;
    r[reg] = *v;
  }
  r[15] = r[14];
  r[13] = entry_sp;
  for (unsigned reg : {0u, 1u, 2u, 3u, 12u, 14u}) r[reg].reset();
  out.caller = r;
  out.outcome = Outcome::caller;
  return out;
}

std::optional<std::uint32_t> ArmExidx::word(std::uint64_t addr) const {
  std::array<std::byte, 4> b{};
  if (!target_.read_code(addr, b)) return std::nullopt;
  return *ByteReader(b).u32(0);  // armhf is little-endian
}

const ArmExidx::Table* ArmExidx::table_for(std::uint64_t pc) const {
  auto it = std::upper_bound(tables_.begin(), tables_.end(), pc, [](std::uint64_t v, const Table& t) { return v < t.start; });
  if (it == tables_.begin()) return nullptr;
  --it;
  return pc < it->end ? &*it : nullptr;
}

std::optional<std::vector<std::uint8_t>> ArmExidx::opcodes(const Table& t, std::uint32_t pc, Step* step) const {
  Outcome* outcome = &step->outcome;
  *outcome = Outcome::no_entry;
  // The last entry whose function starts at or below PC (entries are sorted by address).
  std::uint64_t lo = 0, hi = t.entries;
  std::optional<std::uint64_t> found;
  while (lo < hi) {
    std::uint64_t mid = lo + (hi - lo) / 2;
    std::uint64_t at = t.index + mid * 8;
    auto w = word(at);
    if (!w) return std::nullopt;
    if (prel31(at, *w) <= pc) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (!found) return std::nullopt;
  const std::uint64_t at = t.index + *found * 8 + 4;
  auto data = word(at);
  if (!data) return std::nullopt;
  step->function_start = prel31(at - 4, *word(at - 4));
  step->function_end = t.end;
  if (*found + 1 < t.entries) {
    if (auto next = word(at + 4)) step->function_end = prel31(at + 4, *next);
  }
  if (*data == kCantUnwind) {
    *outcome = Outcome::cant_unwind;
    return std::nullopt;
  }
  *outcome = Outcome::failed;
  std::vector<std::uint8_t> ops;
  auto push_word = [&ops](std::uint32_t w, int from_byte) {
    for (int b = from_byte; b >= 0; --b) ops.push_back(static_cast<std::uint8_t>(w >> (8 * b)));
  };
  if ((*data & 0x80000000u) != 0) {
    // Inline, personality 0 (Su16): three opcode bytes in the entry itself.
    if (((*data >> 24) & 0x0f) != 0) return std::nullopt;
    push_word(*data, 2);
  } else {
    std::uint64_t extab = prel31(at, *data);
    auto first = word(extab);
    if (!first) return std::nullopt;
    std::uint32_t extra = 0;
    std::uint64_t next = extab + 4;
    if ((*first & 0x80000000u) != 0) {
      // Compact model in .ARM.extab: index 0 holds three bytes; 1 and 2 (Lu16, Lu32) give a
      // count of further words, then two bytes.
      std::uint32_t index = (*first >> 24) & 0x0f;
      if (index == 0) {
        push_word(*first, 2);
      } else if (index == 1 || index == 2) {
        extra = (*first >> 16) & 0xff;
        push_word(*first, 1);
      } else {
        return std::nullopt;
      }
    } else {
      // A generic personality routine (C++'s __gxx_personality_v0): its data starts with a word
      // in the Lu16 layout: a count of further words, then three opcode bytes.
      auto header = word(next);
      if (!header) return std::nullopt;
      next += 4;
      extra = (*header >> 24) & 0xff;
      push_word(*header, 2);
    }
    for (std::uint32_t i = 0; i < extra; ++i) {
      auto w = word(next + 4 * i);
      if (!w) return std::nullopt;
      push_word(*w, 3);
    }
  }
  if (ops.size() > kMaxOpcodes) return std::nullopt;
  return ops;
}

ArmExidx::Step ArmExidx::step(const Registers& callee, std::uint32_t lookup_pc) const {
  Step out;
  const Table* t = table_for(lookup_pc);
  if (t == nullptr || !callee[13]) return out;
  auto ops = opcodes(*t, lookup_pc, &out);
  if (!ops) return out;
  out.outcome = Outcome::failed;
  Registers r = callee;
  std::uint32_t vsp = *callee[13];
  bool pc_set = false;
  auto pop = [&](unsigned reg) -> bool {
    auto v = word(vsp);
    if (!v) return false;
    r[reg] = *v;
    vsp += 4;
    if (reg == 15) pc_set = true;
    return true;
  };
  for (std::size_t i = 0; i < ops->size(); ++i) {
    const std::uint8_t op = (*ops)[i];
    auto next_byte = [&]() -> std::optional<std::uint8_t> {
      if (i + 1 >= ops->size()) return std::nullopt;
      return (*ops)[++i];
    };
    if ((op & 0xc0) == 0x00) {
      vsp += ((op & 0x3fu) << 2) + 4;
    } else if ((op & 0xc0) == 0x40) {
      vsp -= ((op & 0x3fu) << 2) + 4;
    } else if ((op & 0xf0) == 0x80) {
      auto low = next_byte();
      if (!low) return out;
      std::uint32_t mask = ((op & 0x0fu) << 8) | *low;
      if (mask == 0) return out;  // "refuse to unwind"
      bool sp_popped = false;
      std::uint32_t new_sp = 0;
      for (unsigned bit = 0; bit < 12; ++bit) {
        if ((mask & (1u << bit)) == 0) continue;
        unsigned reg = 4 + bit;
        if (!pop(reg)) return out;
        if (reg == 13) {
          sp_popped = true;
          new_sp = *r[13];
        }
      }
      if (sp_popped) vsp = new_sp;
    } else if ((op & 0xf0) == 0x90) {
      unsigned reg = op & 0x0f;
      if (reg == 13 || reg == 15 || !r[reg]) return out;
      vsp = *r[reg];
    } else if ((op & 0xf0) == 0xa0) {
      unsigned last = 4 + (op & 0x07u);
      for (unsigned reg = 4; reg <= last; ++reg) {
        if (!pop(reg)) return out;
      }
      if ((op & 0x08) != 0 && !pop(14)) return out;
    } else if (op == 0xb0) {
      break;  // finish
    } else if (op == 0xb1) {
      auto mask = next_byte();
      if (!mask || *mask == 0 || (*mask & 0xf0) != 0) return out;
      for (unsigned reg = 0; reg < 4; ++reg) {
        if ((*mask & (1u << reg)) != 0 && !pop(reg)) return out;
      }
    } else if (op == 0xb2) {
      std::uint64_t value = 0;
      unsigned shift = 0;
      for (;;) {
        auto b = next_byte();
        if (!b || shift > 28) return out;
        value |= std::uint64_t{*b & 0x7fu} << shift;
        shift += 7;
        if ((*b & 0x80) == 0) break;
      }
      vsp += static_cast<std::uint32_t>(0x204 + (value << 2));
    } else if (op == 0xb3 || op == 0xc8 || op == 0xc9) {
      auto regs = next_byte();
      if (!regs) return out;
      vsp += ((*regs & 0x0fu) + 1) * 8 + (op == 0xb3 ? 4 : 0);  // FSTMFDX adds a pad word
    } else if ((op & 0xf8) == 0xb8) {
      vsp += ((op & 0x07u) + 1) * 8 + 4;
    } else if ((op & 0xf8) == 0xd0) {
      vsp += ((op & 0x07u) + 1) * 8;
    } else if (op == 0xc6) {
      auto regs = next_byte();
      if (!regs) return out;
      vsp += ((*regs & 0x0fu) + 1) * 8;
    } else if (op == 0xc7) {
      auto mask = next_byte();
      if (!mask || *mask == 0 || (*mask & 0xf0) != 0) return out;
      vsp += static_cast<std::uint32_t>(__builtin_popcount(*mask)) * 4;
    } else if ((op & 0xf8) == 0xc0) {
      vsp += ((op & 0x07u) + 1) * 8;
    } else {
      return out;  // spare encodings
    }
  }
  if (!pc_set) r[15] = r[14];  // a function that kept its return address in lr
  if (!r[15]) return out;
  r[13] = vsp;
  // Caller-saved registers (and the caller's own lr) are not known in the caller.
  for (unsigned reg : {0u, 1u, 2u, 3u, 12u, 14u}) r[reg].reset();
  out.caller = r;
  out.outcome = Outcome::caller;
  return out;
}

}  // namespace corelens
