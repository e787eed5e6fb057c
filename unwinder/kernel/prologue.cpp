#include "unwinder/kernel/prologue.hpp"

#include <vector>

#include "core/analysis/instruction_facts.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kMaxFunction = 64 * 1024;  // bytes decoded from a function's entry
constexpr std::uint64_t kMaxDepth = 16 * 1024;     // a kernel stack

// x86_64's DWARF numbers, as InstructionDecoder reports registers.
constexpr std::int16_t kRbp = 6;
constexpr std::int16_t kRsp = 7;

std::optional<std::int64_t> rsp_imm(const InstructionFacts& insn) {
  using Type = InstructionOperand::Type;
  if (insn.operand_count != 2 || insn.operands[0].type != Type::reg || insn.operands[0].reg != kRsp) return std::nullopt;
  if (insn.operands[1].type != Type::imm) return std::nullopt;
  return insn.operands[1].imm;
}

}  // namespace

std::optional<StackDepth> stack_depth_at(std::span<const std::uint8_t> code, std::uint64_t start, std::uint64_t pc) {
  if (pc < start || pc - start > code.size()) return std::nullopt;
  auto decoder = InstructionDecoder::open(Arch::x86_64);
  if (!decoder) return std::nullopt;
  using Kind = InstructionFacts::Kind;
  using Type = InstructionOperand::Type;
  std::size_t offset = 0;
  std::size_t left = pc - start;
  std::uint64_t address = start;
  std::int64_t depth = 0;
  // The depth before the add/pop run that precedes a ret (-1: none), and where rbp was pushed
  // (-1: not saved). Plain values: GCC 12 misreads optionals in this loop as uninitialised.
  std::int64_t epilogue_from = -1;
  std::int64_t rbp_saved = -1;
  while (left > 0) {
    auto decoded = decoder->decode(code.subspan(offset, left), address);
    if (!decoded) return std::nullopt;
    const InstructionFacts& i = *decoded;
    offset += i.length;
    left -= i.length;
    address += i.length;
    std::optional<std::int64_t> delta;  // change of depth by an add/pop of the epilogue kind
    switch (i.kind) {
      case Kind::push:
      case Kind::push_flags: {
        if (i.kind == Kind::push && i.operand_count == 1 && i.operands[0].type == Type::reg && i.operands[0].reg == kRbp &&
            rbp_saved < 0) {
          rbp_saved = depth + 8;
        }
        depth += 8;
        epilogue_from = -1;
        continue;
      }
      case Kind::pop:
      case Kind::pop_flags: {
        if (i.kind == Kind::pop && i.operand_count == 1 && i.operands[0].type == Type::reg) {
          if (i.operands[0].reg == kRsp) return std::nullopt;
        }
        delta = -8;
        break;
      }
      case Kind::sub:
      case Kind::add: {
        if (!i.writes_stack_pointer) {
          epilogue_from = -1;
          continue;
        }
        auto imm = rsp_imm(i);
        if (!imm) return std::nullopt;
        if (i.kind == Kind::sub) {
          depth += *imm;
          epilogue_from = -1;
          continue;
        }
        delta = -*imm;
        break;
      }
      case Kind::lea: {
        if (!i.writes_stack_pointer) {
          epilogue_from = -1;
          continue;
        }
        if (i.operand_count != 2 || i.operands[1].type != Type::mem || i.operands[1].base != kRsp ||
            i.operands[1].index != kNoRegister) {
          return std::nullopt;
        }
        delta = -i.operands[1].displacement;
        break;
      }
      case Kind::ret:
      case Kind::jump:
        // Code after a return (or a tail call) is reached by a jump from the body, at the body's
        // depth: undo the epilogue that led to it.
        if (i.kind == Kind::ret || i.operand_count == 1) {
          if (epilogue_from >= 0) depth = epilogue_from;
          if (depth < rbp_saved) rbp_saved = -1;
        }
        epilogue_from = -1;
        continue;
      case Kind::call:
        epilogue_from = -1;
        continue;
      default:
        if (i.writes_stack_pointer) return std::nullopt;  // mov, and, leave, xchg ...: nothing to guess
        epilogue_from = -1;
        continue;
    }
    if (epilogue_from < 0) epilogue_from = depth;
    depth += *delta;
    if (depth < rbp_saved) rbp_saved = -1;
    if (depth < 0) return std::nullopt;
  }
  if (address != pc || depth < 0 || static_cast<std::uint64_t>(depth) > kMaxDepth || depth % 8 != 0) return std::nullopt;
  StackDepth out{static_cast<std::uint64_t>(depth), std::nullopt};
  if (rbp_saved >= 0) out.rbp_saved = static_cast<std::uint64_t>(rbp_saved);
  return out;
}

std::optional<NoOrcFrame> KernelPrologueFallback::caller_of(std::uint64_t ip, std::uint64_t sp) const {
  auto hit = symbols_.lookup(ip);
  if (!hit || hit->offset > kMaxFunction) return std::nullopt;
  std::vector<std::uint8_t> code(hit->offset);
  if (!memory_.read(hit->symbol->address, std::as_writable_bytes(std::span(code)))) return std::nullopt;
  auto d = stack_depth_at(code, hit->symbol->address, ip);
  if (!d) return std::nullopt;
  NoOrcFrame f;
  f.caller_sp = sp + d->depth + 8;
  if (d->rbp_saved) f.rbp_slot = sp + d->depth - *d->rbp_saved;
  return f;
}

bool KernelPrologueFallback::returns_from(std::uint64_t ra, std::uint64_t ip) const {
  // call rel32 (e8 xx xx xx xx) right before RA, aimed at the start of IP's function.
  auto hit = symbols_.lookup(ip);
  if (!hit || ra < 5) return false;
  std::uint8_t b[5];
  if (!memory_.read(ra - 5, std::as_writable_bytes(std::span(b)))) return false;
  if (b[0] != 0xe8) return false;
  std::int32_t rel = static_cast<std::int32_t>(static_cast<std::uint32_t>(b[1]) | static_cast<std::uint32_t>(b[2]) << 8 |
                                               static_cast<std::uint32_t>(b[3]) << 16 | static_cast<std::uint32_t>(b[4]) << 24);
  return ra + static_cast<std::uint64_t>(std::int64_t{rel}) == hit->symbol->address;
}

}  // namespace corelens
