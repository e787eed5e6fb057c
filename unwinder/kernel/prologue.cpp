#include "unwinder/kernel/prologue.hpp"

#include <capstone/capstone.h>

#include <memory>
#include <vector>

namespace corelens {
namespace {

constexpr std::uint64_t kMaxFunction = 64 * 1024;  // bytes decoded from a function's entry
constexpr std::uint64_t kMaxDepth = 16 * 1024;     // a kernel stack

struct Capstone {
  csh handle = 0;
  Capstone() {
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) handle = 0;
    else cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
  }
  ~Capstone() {
    if (handle != 0) cs_close(&handle);
  }
};

bool writes_rsp(const cs_insn& insn) {
  const cs_detail* d = insn.detail;
  for (std::uint8_t i = 0; i < d->regs_write_count; ++i) {
    if (d->regs_write[i] == X86_REG_RSP) return true;
  }
  const cs_x86& x = d->x86;
  return x.op_count > 0 && x.operands[0].type == X86_OP_REG && x.operands[0].reg == X86_REG_RSP &&
         (x.operands[0].access & CS_AC_WRITE) != 0;
}

std::optional<std::int64_t> rsp_imm(const cs_insn& insn) {
  const cs_x86& x = insn.detail->x86;
  if (x.op_count != 2 || x.operands[0].type != X86_OP_REG || x.operands[0].reg != X86_REG_RSP) return std::nullopt;
  if (x.operands[1].type != X86_OP_IMM) return std::nullopt;
  return x.operands[1].imm;
}

}  // namespace

std::optional<StackDepth> stack_depth_at(std::span<const std::uint8_t> code, std::uint64_t start, std::uint64_t pc) {
  if (pc < start || pc - start > code.size()) return std::nullopt;
  Capstone cs;
  if (cs.handle == 0) return std::nullopt;
  std::unique_ptr<cs_insn, void (*)(cs_insn*)> insn(cs_malloc(cs.handle), [](cs_insn* p) { cs_free(p, 1); });
  const std::uint8_t* bytes = code.data();
  std::size_t left = pc - start;
  std::uint64_t address = start;
  std::int64_t depth = 0;
  // The depth before the add/pop run that precedes a ret (-1: none), and where rbp was pushed
  // (-1: not saved). Plain values: GCC 12 misreads optionals in this loop as uninitialised.
  std::int64_t epilogue_from = -1;
  std::int64_t rbp_saved = -1;
  while (left > 0) {
    if (!cs_disasm_iter(cs.handle, &bytes, &left, &address, insn.get())) return std::nullopt;
    const cs_insn& i = *insn;
    std::optional<std::int64_t> delta;  // change of depth by an add/pop of the epilogue kind
    switch (i.id) {
      case X86_INS_PUSH:
      case X86_INS_PUSHFQ: {
        const cs_x86& x = i.detail->x86;
        if (i.id == X86_INS_PUSH && x.op_count == 1 && x.operands[0].type == X86_OP_REG && x.operands[0].reg == X86_REG_RBP &&
            rbp_saved < 0) {
          rbp_saved = depth + 8;
        }
        depth += 8;
        epilogue_from = -1;
        continue;
      }
      case X86_INS_POP:
      case X86_INS_POPFQ: {
        const cs_x86& x = i.detail->x86;
        if (i.id == X86_INS_POP && x.op_count == 1 && x.operands[0].type == X86_OP_REG) {
          if (x.operands[0].reg == X86_REG_RSP) return std::nullopt;
        }
        delta = -8;
        break;
      }
      case X86_INS_SUB:
      case X86_INS_ADD: {
        if (!writes_rsp(i)) {
          epilogue_from = -1;
          continue;
        }
        auto imm = rsp_imm(i);
        if (!imm) return std::nullopt;
        if (i.id == X86_INS_SUB) {
          depth += *imm;
          epilogue_from = -1;
          continue;
        }
        delta = -*imm;
        break;
      }
      case X86_INS_LEA: {
        if (!writes_rsp(i)) {
          epilogue_from = -1;
          continue;
        }
        const cs_x86& x = i.detail->x86;
        if (x.op_count != 2 || x.operands[1].type != X86_OP_MEM || x.operands[1].mem.base != X86_REG_RSP ||
            x.operands[1].mem.index != X86_REG_INVALID) {
          return std::nullopt;
        }
        delta = -x.operands[1].mem.disp;
        break;
      }
      case X86_INS_RET:
      case X86_INS_JMP:
        // Code after a return (or a tail call) is reached by a jump from the body, at the body's
        // depth: undo the epilogue that led to it.
        if (i.id == X86_INS_RET || i.detail->x86.op_count == 1) {
          if (epilogue_from >= 0) depth = epilogue_from;
          if (depth < rbp_saved) rbp_saved = -1;
        }
        epilogue_from = -1;
        continue;
      case X86_INS_CALL:
        epilogue_from = -1;
        continue;
      default:
        if (writes_rsp(i)) return std::nullopt;  // mov, and, leave, xchg ...: nothing to guess
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
