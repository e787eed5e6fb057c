#include "gui/disassembler.hpp"

#include <capstone.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/strings.hpp"

namespace corelens::gui {
namespace {

// How far back from pc a function start is still worth decoding from (a whole small function
// reads better than a window); further than this, a window of `before` instructions is shown.
constexpr std::uint64_t kMaxFunctionPrefix = 1024;
// x86 instructions are at most 15 bytes; aarch64 ones 4.
constexpr std::uint64_t kMaxInstruction = 15;

struct CsCloser {
  void operator()(csh* h) const {
    cs_close(h);
    delete h;
  }
};
using Handle = std::unique_ptr<csh, CsCloser>;

Handle open_capstone(const std::string& arch, std::string& error) {
  cs_arch a;
  cs_mode mode;
  if (arch == "x86_64") {
    a = CS_ARCH_X86;
    mode = CS_MODE_64;
  } else if (arch == "aarch64") {
    a = CS_ARCH_ARM64;
    mode = CS_MODE_ARM;
  } else {
    error = "no disassembler for architecture '" + arch + "'";
    return nullptr;
  }
  auto* h = new csh{};
  if (cs_open(a, mode, h) != CS_ERR_OK) {
    delete h;
    error = "Capstone could not be initialised";
    return nullptr;
  }
  cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
  return Handle(h);
}

// Reads as much of [lo, hi) as is readable around PC, and moves LO to where the bytes start.
// Works outwards from pc in small chunks, then byte by byte at the edge: a read that straddles
// the end of what the dump or a module file provides fails as a whole, and the address the error
// names is not always the first unreadable one.
std::vector<std::uint8_t> read_around(const MemorySource& memory, std::uint64_t& lo, std::uint64_t hi,
                                      std::uint64_t pc) {
  constexpr std::uint64_t kChunk = 16;
  std::vector<std::uint8_t> forward;
  std::byte buf[kChunk];
  for (std::uint64_t a = pc; a < hi;) {
    std::uint64_t n = std::min(kChunk, hi - a);
    if (memory.read(a, std::span(buf, n))) {
      for (std::uint64_t i = 0; i < n; ++i) forward.push_back(std::to_integer<std::uint8_t>(buf[i]));
      a += n;
      continue;
    }
    for (; a < hi && memory.read(a, std::span(buf, 1)); ++a) forward.push_back(std::to_integer<std::uint8_t>(buf[0]));
    break;
  }
  std::vector<std::uint8_t> backward;  // reversed: the byte just before pc first
  std::uint64_t a = pc;
  while (a > lo) {
    std::uint64_t n = std::min(kChunk, a - lo);
    if (memory.read(a - n, std::span(buf, n))) {
      for (std::uint64_t i = n; i-- > 0;) backward.push_back(std::to_integer<std::uint8_t>(buf[i]));
      a -= n;
      continue;
    }
    for (; a > lo && memory.read(a - 1, std::span(buf, 1)); --a) backward.push_back(std::to_integer<std::uint8_t>(buf[0]));
    break;
  }
  lo = a;
  std::vector<std::uint8_t> bytes(backward.rbegin(), backward.rend());
  bytes.insert(bytes.end(), forward.begin(), forward.end());
  return bytes;
}

Instruction convert(csh h, const cs_insn& insn, const std::string& arch) {
  Instruction out;
  out.address = insn.address;
  out.bytes.assign(insn.bytes, insn.bytes + insn.size);
  out.mnemonic = insn.mnemonic;
  out.operands = insn.op_str;
  out.is_call = cs_insn_group(h, &insn, CS_GRP_CALL);
  out.is_jump = cs_insn_group(h, &insn, CS_GRP_JUMP);
  out.is_return = cs_insn_group(h, &insn, CS_GRP_RET);
  if (insn.detail == nullptr) return out;
  if (arch == "x86_64") {
    const cs_x86& x = insn.detail->x86;
    for (std::uint8_t i = 0; i < x.op_count; ++i) {
      const cs_x86_op& op = x.operands[i];
      if ((out.is_call || out.is_jump) && op.type == X86_OP_IMM) {
        out.target = static_cast<std::uint64_t>(op.imm);
      } else if (op.type == X86_OP_MEM && op.mem.base == X86_REG_RIP && op.mem.index == X86_REG_INVALID) {
        out.rip_target = insn.address + insn.size + static_cast<std::uint64_t>(op.mem.disp);
      }
    }
  } else {
    const cs_arm64& a = insn.detail->arm64;
    for (std::uint8_t i = 0; i < a.op_count; ++i) {
      if ((out.is_call || out.is_jump) && a.operands[i].type == ARM64_OP_IMM) {
        out.target = static_cast<std::uint64_t>(a.operands[i].imm);
      }
    }
  }
  return out;
}

// Decodes linearly from the start of BYTES (at address BASE); stops at undecodable bytes.
std::vector<Instruction> decode(csh h, const std::vector<std::uint8_t>& bytes, std::uint64_t base,
                                std::uint64_t from, std::uint64_t until, const std::string& arch) {
  std::vector<Instruction> out;
  if (from < base || from >= base + bytes.size()) return out;
  const std::uint8_t* code = bytes.data() + (from - base);
  std::size_t size = bytes.size() - (from - base);
  std::uint64_t address = from;
  cs_insn* insn = cs_malloc(h);
  while (address < until && cs_disasm_iter(h, &code, &size, &address, insn)) {
    out.push_back(convert(h, *insn, arch));
  }
  cs_free(insn, 1);
  return out;
}

int index_at(const std::vector<Instruction>& v, std::uint64_t addr) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (addr >= v[i].address && addr < v[i].address + v[i].bytes.size()) return static_cast<int>(i);
  }
  return -1;
}

bool starts_at(const std::vector<Instruction>& v, std::uint64_t addr) {
  return std::any_of(v.begin(), v.end(), [&](const Instruction& i) { return i.address == addr; });
}

}  // namespace

Disassembly disassemble(const MemorySource& memory, const DisassemblyRequest& req) {
  Disassembly out;
  Handle h = open_capstone(req.arch, out.error);
  if (!h) return out;
  const bool fixed_width = req.arch == "aarch64";
  const std::uint64_t width = fixed_width ? 4 : kMaxInstruction;
  const std::uint64_t back = static_cast<std::uint64_t>(std::max(req.before, 0)) * (fixed_width ? 4 : 8);
  const bool use_start = req.function_start && *req.function_start <= req.pc &&
                         req.pc - *req.function_start <= kMaxFunctionPrefix;
  std::uint64_t want_lo = use_start ? *req.function_start : (req.pc > back ? req.pc - back : 0);
  std::uint64_t hi = req.pc + static_cast<std::uint64_t>(std::max(req.after, 1)) * width;
  if (hi < req.pc) hi = ~std::uint64_t{0};  // wrapped: a pc at the top of the address space
  std::uint64_t lo = want_lo;
  std::vector<std::uint8_t> bytes = read_around(memory, lo, hi, req.pc);
  if (bytes.empty() || req.pc < lo || req.pc >= lo + bytes.size()) {
    out.error = "the code at " + hex(req.pc) + " is not in the dump, and no module file provides it";
    return out;
  }

  // Find a decoding that lands on pc: from the function start when known, else from the first
  // start offset in the window that synchronises with pc (x86 decoding resynchronises quickly).
  std::vector<Instruction> before;
  if (use_start && lo == want_lo) {
    before = decode(*h, bytes, lo, lo, req.pc + 1, req.arch);
    if (!starts_at(before, req.pc)) before.clear();
  }
  if (before.empty() && req.pc > lo) {
    for (std::uint64_t from = lo; from < req.pc; from += fixed_width ? 4 : 1) {
      auto v = decode(*h, bytes, lo, from, req.pc + 1, req.arch);
      if (starts_at(v, req.pc)) {
        before = std::move(v);
        break;
      }
    }
    // Keep only the last `before` instructions before pc: the first few of a guessed start can
    // be the tail of an instruction decoded wrongly.
    auto n = static_cast<std::size_t>(std::max(req.before, 0)) + 1;
    if (!use_start && before.size() > n) before.erase(before.begin(), before.end() - static_cast<long>(n));
  }
  if (!before.empty() && before.back().address == req.pc) before.pop_back();
  auto tail = decode(*h, bytes, lo, req.pc, ~std::uint64_t{0}, req.arch);
  if (tail.size() > static_cast<std::size_t>(std::max(req.after, 1))) tail.resize(static_cast<std::size_t>(std::max(req.after, 1)));
  if (tail.empty()) {
    out.error = "the bytes at " + hex(req.pc) + " do not decode as an instruction";
  }
  out.instructions = std::move(before);
  out.instructions.insert(out.instructions.end(), tail.begin(), tail.end());
  out.current = index_at(out.instructions, req.highlight);
  return out;
}

}  // namespace corelens::gui
