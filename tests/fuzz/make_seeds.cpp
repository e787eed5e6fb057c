// Writes the fuzzers' synthetic seeds: small cores as the kernel and gcore lay them out, note
// descriptors for the note decoders, BTF, and an ORC table with a stack for the kernel
// unwinder's, all from the test-only builders (tests/support), which share no struct with the
// parsers. The real sample cores are the other seeds. Usage: make_seeds OUTDIR
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/support/kernel/btf_builder.hpp"
#include "tests/support/core_builder.hpp"
#include "tests/support/kernel/orc_builder.hpp"

namespace ct = corelens::testing;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

ct::CoreBuilder small_core(ct::NoteOrder order) {
  ct::ThreadSpec main_thread;
  main_thread.tid = 4242;
  main_thread.cursig = 11;
  main_thread.regs = {{"rip", 0x401136}, {"rsp", 0x7ffd0000ff00}, {"rbp", 0x7ffd0000ff40}};
  main_thread.fpregs = ct::FxSave{};
  ct::ThreadSpec worker = main_thread;
  worker.tid = 4243;
  worker.regs["rip"] = 0x401200;
  std::vector<std::uint8_t> text(0x1000, 0x90);
  std::vector<std::uint8_t> stack(0x1000, 0);
  ct::PsInfoSpec ps;
  ps.pid = 4242;
  ps.fname = "seed";
  ps.psargs = "./seed --fuzz";
  ct::SigInfoSpec segv;
  segv.signo = 11;
  segv.code = 1;
  ct::CoreBuilder b;
  b.note_order(order)
      .add_thread(main_thread)
      .add_thread(worker)
      .set_prpsinfo(ps)
      .set_siginfo(segv)
      .set_auxv({{9, 0x401000}, {33, 0x7ffd00010000}})
      .set_file_note(4096, {{0x400000, 0x402000, 0, "/usr/bin/seed"}})
      .add_segment(0x400000, 0x1000, ct::elfc::PF_R, std::vector<std::uint8_t>(0x1000, 0))
      .add_segment(0x401000, 0x1000, ct::elfc::PF_R | ct::elfc::PF_X, text)
      .add_segment(0x7ffd0000f000, 0x2000, ct::elfc::PF_R | ct::elfc::PF_W, stack);
  return b;
}

std::vector<std::uint8_t> with_selector(std::uint8_t selector, std::vector<std::uint8_t> desc) {
  desc.insert(desc.begin(), selector);
  return desc;
}

// BTF (include/uapi/linux/btf.h) with a struct module { list_head list; char name[56]; inner arch; }
// and a struct outer with an anonymous union: what kernel_btf's lookups walk.
std::vector<std::uint8_t> btf_seed() {
  using namespace ct::btfc;
  ct::BtfBuilder b;
  auto s = [&](const char* n) { return b.str(n); };
  b.type("int", kInt, 0, 4, {0x01000020});                                                          // 1
  b.type("", kPtr, 0, 0);                                                                           // 2: void *
  b.type("inner", kStruct, 2, 16, {s("a"), 1, 0, s("b"), 2, 64});                                   // 3
  b.type("", kUnion, 2, 8, {s("y"), 1, 0, s("z"), 2, 0});                                           // 4
  b.type("list_head", kStruct, 2, 16, {s("next"), 2, 0, s("prev"), 2, 64});                          // 5
  b.type("", kArray, 0, 0, {1, 1, 56});                                                             // 6
  b.type("module", kStruct, 3, 96, {s("list"), 5, 0, s("name"), 6, 128, s("arch"), 3, 640});        // 7
  b.type("outer", kStruct, 3, 32, {s("x"), 1, 0, 0, 4, 64, s("in"), 3, 128});                       // 8
  return b.bytes();
}

// fuzz_kernel_orc's input: 21 pt_regs words, then bytes that are both kernel text (a u32 count,
// s32 ip offsets, 6-byte orc_entries of Linux 6.1) and the task stack. The walk goes A -> B ->
// C's pt_regs -> user space.
std::vector<std::uint8_t> orc_seed() {
  namespace orc = ct::orc;
  constexpr std::uint64_t kText = 0xffffffff81000000, kStack = 0xffffc90000010000;
  // A sp+16, B sp+24, C a pt_regs at sp, then the end.
  const orc::Table table = orc::table(kText + 4, {{kText + 0x100, orc::end_bit_entry(16, orc::kRegSp, orc::kTypeCall)},
                                                  {kText + 0x200, orc::end_bit_entry(24, orc::kRegSp, orc::kTypeCall)},
                                                  {kText + 0x300, orc::end_bit_entry(0, orc::kRegSp, orc::kTypeRegs)},
                                                  {kText + 0x400, orc::end_bit_entry(0, orc::kRegUndefined, orc::kTypeCall, true)}});
  ct::ByteWriter blob({}, 4096);
  blob.u32(0, 4);
  blob.bytes(4, table.ips);
  blob.bytes(4 + table.ips.size(), table.entries);
  std::size_t s0 = 0x800, s2 = s0 + 40;
  blob.u64(s0 + 8, kText + 0x210);
  blob.u64(s0 + 32, kText + 0x320);
  const std::uint64_t iret[] = {0x401000, 0x33, 0x202, 0x7ffe0000, 0x2b};
  for (std::size_t i = 0; i < 5; ++i) blob.u64(s2 + 128 + 8 * i, iret[i]);
  ct::ByteWriter regs({}, 21 * 8);
  regs.u64(16 * 8, kText + 0x105);  // rip
  regs.u64(17 * 8, 0x10);           // cs: kernel
  regs.u64(19 * 8, kStack + s0);    // rsp
  regs.append(blob.data());
  return regs.take();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUTDIR\n");
    return 64;
  }
  fs::path out = argv[1];
  auto kernel = small_core(ct::NoteOrder::Kernel).build().bytes;
  auto gcore = small_core(ct::NoteOrder::Gcore).build().bytes;
  for (const char* target : {"elf_core", "analyze", "address_space"}) {
    write(out / target / "kernel-order.core", kernel);
    write(out / target / "gcore-order.core", gcore);
  }
  write(out / "elf_image" / "core-as-image", kernel);
  ct::ThreadSpec t;
  t.regs = {{"rip", 0x401136}};
  ct::PsInfoSpec ps;
  ps.fname = "seed";
  ct::SigInfoSpec kill;
  kill.signo = 6;
  kill.code = -6;
  kill.pid = 7;
  write(out / "core_notes" / "prpsinfo", with_selector(0, ct::CoreBuilder::encode_prpsinfo(ps)));
  write(out / "core_notes" / "siginfo", with_selector(1, ct::CoreBuilder::encode_siginfo(kill)));
  write(out / "core_notes" / "auxv", with_selector(2, ct::CoreBuilder::encode_auxv({{9, 0x401000}, {33, 0x7000}})));
  write(out / "core_notes" / "file", with_selector(3, ct::CoreBuilder::encode_file_note(4096, {{0x400000, 0x401000, 0, "/bin/x"}})));
  write(out / "core_notes" / "prstatus", with_selector(4, ct::CoreBuilder::encode_prstatus(t)));
  write(out / "core_notes" / "fxsave", with_selector(5, ct::CoreBuilder::encode_fxsave({})));
  write(out / "core_notes" / "xstate", with_selector(6, ct::CoreBuilder::encode_xstate({})));
  write(out / "kernel_btf" / "structs.btf", btf_seed());
  write(out / "kernel_orc" / "walk-to-user", orc_seed());
  // The kernel dump formats are seeded by their committed regressions and, in fuzzing builds, by
  // the heads of the real dumps (kernel/seeds.sh), the decompressors and the values engine's
  // location decoder and expression evaluator by their regressions; their seed folders must exist
  // either way (libFuzzer stops at a corpus folder that does not).
  for (const char* target : {"compressed", "vmcore_elf", "kdump_compressed", "kdump_flattened", "vmcoreinfo",
                             "dwarf_location", "value_expression"}) {
    fs::create_directories(out / target);
  }
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
