// The aarch64 core of the golden tests: a NULL read in parse_header, a leaf (no frame record of
// its own: its caller is in x30), then the frame records x29 points at. The registers are
// user_pt_regs' slots (arch/arm64/include/uapi/asm/ptrace.h: x0-x30, sp, pc, pstate).
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/core_builder.hpp"
#include "tests/support/elf_image.hpp"

namespace corelens::golden {

namespace ct = corelens::testing;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr ct::ElfFormat kArm64{true, false, ct::elfc::EM_AARCH64};
constexpr std::uint64_t kExeBase = 0x400000, kText = kExeBase + ct::kImagePage;
constexpr std::uint64_t kMain = 0x401100, kRunJob = 0x401140, kParseHeader = 0x401180, kFault = 0x401194;
constexpr std::uint64_t kStack = 0xfffff0000000, kStackSize = 0x10000;
constexpr const char* kPath = "/opt/corelens-golden/bin/crashy-arm64";

void put32(Bytes& text, std::uint64_t addr, std::uint32_t insn) {
  for (std::size_t i = 0; i < 4; ++i) text.at(addr - kText + i) = static_cast<std::uint8_t>(insn >> (8 * i));
}
// stp x29, x30, [sp, #-16]!; mov x29, sp
void prologue(Bytes& text, std::uint64_t addr) {
  put32(text, addr, 0xa9bf7bfd);
  put32(text, addr + 4, 0x910003fd);
}
// bl TARGET; the return address is ADDR + 4.
void bl(Bytes& text, std::uint64_t addr, std::uint64_t target) {
  put32(text, addr, 0x94000000 | (static_cast<std::uint32_t>((target - addr) >> 2) & 0x03ffffff));
}

}  // namespace

Bytes arm64_image() {
  Bytes text(ct::kImagePage, 0);  // udf #0 between functions
  for (std::uint64_t f : {kMain, kRunJob}) prologue(text, f);
  bl(text, kMain + 0x20, kRunJob);         // returns to main+0x24
  bl(text, kRunJob + 0x20, kParseHeader);  // returns to run_job+0x24
  put32(text, kFault, 0xb9400820);         // ldr w0, [x1, #8]
  ct::ElfImageSpec spec;
  spec.format = kArm64;
  spec.base = kExeBase;
  spec.text = text;
  spec.functions = {{"main", kMain, 0x40}, {"run_job", kRunJob, 0x40}, {"parse_header", kParseHeader, 0x40}};
  spec.build_id = {0xa6, 0x4e, 0x11, 0x02, 0x93, 0x84, 0x75, 0x66, 0x57, 0x48,
                   0x39, 0x2a, 0x1b, 0x0c, 0xfd, 0xee, 0xdf, 0xc0, 0xb1, 0xa2};
  return ct::build_elf_image(spec);
}

Bytes arm64_core(const Bytes& image) {
  // Frame records from x29 upwards: run_job's (main's frame pointer, the return into main), then
  // main's, which ends the chain.
  ct::ByteWriter stack(kArm64, kStackSize);
  const std::uint64_t sp = kStack + 0xf000, fp = sp + 0x10;
  stack.u64(fp - kStack, fp + 0x20);
  stack.u64(fp - kStack + 8, kMain + 0x24);
  stack.text(0xff00, kPath);

  std::vector<std::uint64_t> regs(34);
  for (std::size_t i = 0; i < 29; ++i) regs[i] = 0x2000 + i;
  regs[1] = 0;               // x1: the NULL pointer
  regs[29] = fp;             // x29
  regs[30] = kRunJob + 0x24;  // x30: parse_header's return address
  regs[31] = sp;
  regs[32] = kFault;         // pc
  regs[33] = 0x60001000;     // pstate

  ct::PsInfoSpec ps;
  ps.sname = 'R';
  ps.uid = ps.gid = 1000;
  ps.pid = ps.pgrp = ps.sid = 6464;
  ps.ppid = 1;
  ps.fname = "crashy-arm64";
  ps.psargs = "./crashy-arm64 --input bad.hdr";
  ct::SigInfoSpec si;
  si.signo = 11;
  si.code = 1;
  si.addr = 0x8;

  ct::ThreadSpec t;
  t.tid = t.pgrp = t.sid = 6464;
  t.ppid = 1;
  t.cursig = 11;
  t.reg_slots = regs;
  ct::CoreBuilder b;
  b.format(kArm64);
  b.add_thread(t);
  b.set_prpsinfo(ps);
  b.set_siginfo(si);
  b.set_auxv({{3, kExeBase + 64}, {6, 4096}, {9, kMain}, {31, kStack + 0xff00}});
  b.set_file_note(4096, {{kExeBase, kExeBase + ct::kImagePage, 0, kPath}, {kText, kText + ct::kImagePage, 1, kPath}});
  b.add_segment(kExeBase, ct::kImagePage, ct::elfc::PF_R, ct::elf_image_headers(image));
  b.add_segment(kText, ct::kImagePage, ct::elfc::PF_R | ct::elfc::PF_X,
                Bytes(image.begin() + ct::kImagePage, image.begin() + 2 * ct::kImagePage));
  b.add_segment(kStack, kStackSize, ct::elfc::PF_R | ct::elfc::PF_W, stack.take());
  return b.build().bytes;
}

}  // namespace corelens::golden
