// Writes the fuzzers' synthetic seeds: small cores as the kernel and gcore lay them out (built by
// the test-only CoreBuilder, which shares no struct with the parser), note descriptors for the
// note decoders, and BTF and an ORC table with a stack for the kernel unwinder's. The real sample cores are the other seeds. Usage: make_seeds OUTDIR
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/support/core_builder.hpp"

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

// Little-endian words for the kernel seeds below.
void put(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v, std::size_t n) {
  if (b.size() < at + n) b.resize(at + n);
  for (std::size_t i = 0; i < n; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// BTF (include/uapi/linux/btf.h) with a struct module { list_head list; char name[56]; inner arch; }
// and a struct outer with an anonymous union: what kernel_btf's lookups walk.
std::vector<std::uint8_t> btf_seed() {
  std::string strings(1, '\0');
  auto str = [&](const char* n) -> std::uint32_t {
    if (*n == '\0') return 0;
    auto off = static_cast<std::uint32_t>(strings.size());
    strings += n;
    strings.push_back('\0');
    return off;
  };
  std::vector<std::uint8_t> types;
  auto type = [&](const char* name, std::uint32_t kind, std::uint32_t vlen, std::uint32_t st, std::vector<std::uint32_t> extra) {
    for (std::uint32_t w : std::vector<std::uint32_t>{str(name), vlen | kind << 24, st}) put(types, types.size(), w, 4);
    for (std::uint32_t w : extra) put(types, types.size(), w, 4);
  };
  type("int", 1, 0, 4, {0x01000020});                                                            // 1
  type("", 2, 0, 0, {});                                                                          // 2: void *
  type("inner", 4, 2, 16, {str("a"), 1, 0, str("b"), 2, 64});                                     // 3
  type("", 5, 2, 8, {str("y"), 1, 0, str("z"), 2, 0});                                            // 4
  type("list_head", 4, 2, 16, {str("next"), 2, 0, str("prev"), 2, 64});                          // 5
  type("", 3, 0, 0, {1, 1, 56});                                                                  // 6
  type("module", 4, 3, 96, {str("list"), 5, 0, str("name"), 6, 128, str("arch"), 3, 640});       // 7
  type("outer", 4, 3, 32, {str("x"), 1, 0, 0, 4, 64, str("in"), 3, 128});                        // 8
  std::vector<std::uint8_t> b;
  put(b, 0, 0xeb9f, 2);
  put(b, 2, 1, 1);
  put(b, 3, 0, 1);
  put(b, 4, 24, 4);
  put(b, 8, 0, 4);
  put(b, 12, types.size(), 4);
  put(b, 16, types.size(), 4);
  put(b, 20, strings.size(), 4);
  b.insert(b.end(), types.begin(), types.end());
  b.insert(b.end(), strings.begin(), strings.end());
  return b;
}

// fuzz_kernel_orc's input: 21 pt_regs words, then bytes that are both kernel text (a u32 count,
// s32 ip offsets, 6-byte orc_entries of Linux 6.1) and the task stack. The walk goes A -> B ->
// C's pt_regs -> user space.
std::vector<std::uint8_t> orc_seed() {
  constexpr std::uint64_t kText = 0xffffffff81000000, kStack = 0xffffc90000010000;
  std::vector<std::uint8_t> blob(4096, 0);
  const std::uint64_t ips[] = {kText + 0x100, kText + 0x200, kText + 0x300, kText + 0x400};
  // sp_offset, sp_reg | bp_reg << 4, type | end << 2: A sp+16, B sp+24, C pt_regs, then the end.
  const std::uint64_t entries[][3] = {{16, 5, 0}, {24, 5, 0}, {0, 5, 1}, {0, 0, 4}};
  put(blob, 0, 4, 4);
  for (std::size_t i = 0; i < 4; ++i) {
    std::uint64_t slot = kText + 4 + 4 * i;
    put(blob, 4 + 4 * i, static_cast<std::uint32_t>(static_cast<std::int32_t>(ips[i] - slot)), 4);
    put(blob, 20 + 6 * i, entries[i][0], 2);
    put(blob, 20 + 6 * i + 4, entries[i][1], 1);
    put(blob, 20 + 6 * i + 5, entries[i][2], 1);
  }
  std::size_t s0 = 0x800, s2 = s0 + 40;
  put(blob, s0 + 8, kText + 0x210, 8);
  put(blob, s0 + 32, kText + 0x320, 8);
  const std::uint64_t iret[] = {0x401000, 0x33, 0x202, 0x7ffe0000, 0x2b};
  for (std::size_t i = 0; i < 5; ++i) put(blob, s2 + 128 + 8 * i, iret[i], 8);
  std::vector<std::uint8_t> b(21 * 8, 0);
  put(b, 16 * 8, kText + 0x105, 8);  // rip
  put(b, 17 * 8, 0x10, 8);           // cs: kernel
  put(b, 19 * 8, kStack + s0, 8);    // rsp
  b.insert(b.end(), blob.begin(), blob.end());
  return b;
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
  // the heads of the real dumps (kernel_seeds.sh), the decompressors and the values engine's
  // location decoder and expression evaluator by their regressions; their seed folders must exist
  // either way (libFuzzer stops at a corpus folder that does not).
  for (const char* target : {"compressed", "vmcore_elf", "kdump_compressed", "kdump_flattened", "vmcoreinfo",
                             "dwarf_location", "value_expression"}) {
    fs::create_directories(out / target);
  }
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
