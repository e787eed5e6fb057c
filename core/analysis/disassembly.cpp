#include "core/analysis/disassembly.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/analysis/disassembler.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

// How far back from pc a function start is still worth decoding from (a whole small function
// reads better than a window); further than this, a window of `before` instructions is shown.
constexpr std::uint64_t kMaxFunctionPrefix = 1024;

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

Instruction convert(const Disassembler& dis, const DecodedInstruction& d, std::span<const std::byte> code) {
  Instruction out;
  out.address = d.address;
  for (std::uint32_t i = 0; i < d.length && i < code.size(); ++i) out.bytes.push_back(std::to_integer<std::uint8_t>(code[i]));
  out.mnemonic = d.mnemonic;
  out.operands = d.text.size() > d.mnemonic.size() + 1 ? d.text.substr(d.mnemonic.size() + 1) : std::string();
  out.is_call = d.is_call;
  out.is_jump = d.is_jump;
  out.is_return = d.is_return;
  out.target = d.branch_target;
  // A pc-relative load, store or address (lea, adr): where it points, for the comment column.
  auto pc_relative = [&](const MemoryOperand& m) {
    if (m.pc_relative && m.index.empty()) out.rip_target = dis.pc_relative_base(d) + static_cast<std::uint64_t>(m.displacement);
  };
  for (const MemoryOperand& m : d.memory) pc_relative(m);
  if (d.address_operand) pc_relative(*d.address_operand);
  return out;
}

// Decodes linearly from FROM (inside BYTES, which start at address BASE) up to UNTIL; stops at
// undecodable bytes.
std::vector<Instruction> decode(const Disassembler& dis, const std::vector<std::uint8_t>& bytes, std::uint64_t base,
                                std::uint64_t from, std::uint64_t until) {
  std::vector<Instruction> out;
  if (from < base || from >= base + bytes.size()) return out;
  const auto* all = reinterpret_cast<const std::byte*>(bytes.data());
  for (std::uint64_t address = from; address < until && address < base + bytes.size();) {
    std::span<const std::byte> code(all + (address - base), bytes.size() - (address - base));
    auto d = dis.decode(code.first(std::min(code.size(), dis.max_instruction_length())), address);
    if (!d || d->length == 0) break;
    out.push_back(convert(dis, *d, code));
    address += d->length;
  }
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
  auto made = make_disassembler(arch_from_string(req.arch), req.registers);
  if (!made) {
    out.error = made.error().message;
    return out;
  }
  const Disassembler& dis = **made;
  const std::uint64_t width = dis.max_instruction_length();
  const std::uint64_t step = dis.instruction_alignment();
  // A window of `before` instructions of typical length (x86 ones average under 8 bytes).
  const std::uint64_t back = static_cast<std::uint64_t>(std::max(req.before, 0)) * (step == 1 ? 8 : width);
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
  // start offset in the window that synchronises with pc (x86 decoding resynchronises quickly); on
  // fixed-width sets every aligned start does.
  std::vector<Instruction> before;
  if (use_start && lo == want_lo) {
    before = decode(dis, bytes, lo, lo, req.pc + 1);
    if (!starts_at(before, req.pc)) before.clear();
  }
  if (before.empty() && req.pc > lo) {
    for (std::uint64_t from = lo + (req.pc - lo) % step; from < req.pc; from += step) {
      auto v = decode(dis, bytes, lo, from, req.pc + 1);
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
  auto tail = decode(dis, bytes, lo, req.pc, ~std::uint64_t{0});
  if (tail.size() > static_cast<std::size_t>(std::max(req.after, 1))) tail.resize(static_cast<std::size_t>(std::max(req.after, 1)));
  if (tail.empty()) {
    out.error = "the bytes at " + hex(req.pc) + " do not decode as an instruction";
  }
  out.instructions = std::move(before);
  out.instructions.insert(out.instructions.end(), tail.begin(), tail.end());
  out.current = index_at(out.instructions, req.highlight);
  return out;
}

}  // namespace corelens
