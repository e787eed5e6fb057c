// Writes the fuzzers' synthetic seeds: small cores as the kernel and gcore lay them out (built by
// the test-only CoreBuilder, which shares no struct with the parser), and note descriptors for the
// note decoders. The real sample cores are the other seeds. Usage: make_seeds OUTDIR
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
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
