#include "tests/unit/unit_support.hpp"

#include <stdlib.h>

#include <algorithm>
#include <stdexcept>

#include "parsers/elf_core.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::unit {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "corelens_unit_XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::fresh(const std::string& stem) {
  return path_ / (stem + "-" + std::to_string(counter_++));
}

std::filesystem::path TempDir::write(const Bytes& bytes, const std::string& stem) {
  auto p = fresh(stem);
  ct::write_file(p, bytes);
  return p;
}

std::shared_ptr<const MappedFile> WithTempDir::map(const Bytes& bytes) {
  auto f = MappedFile::open(dir_.write(bytes).string());
  if (!f) throw std::runtime_error("cannot map a scratch file: " + f.error().message);
  return *f;
}

Result<ProcessDump> WithTempDir::parse(const Bytes& bytes) { return parse_elf_core(map(bytes)); }

Result<Report> WithTempDir::analyze(const Bytes& bytes) {
  AnalyzeOptions options;
  options.locator.sysroot = (dir_.path() / "sysroot").string();
  return analyze_file(dir_.write(bytes).string(), options);
}

std::map<std::string, std::uint64_t> all_regs(std::uint64_t rip, std::uint64_t rsp) {
  std::map<std::string, std::uint64_t> regs;
  std::uint64_t v = 0x1000;
  for (const char* name : ct::kX86_64RegNames) regs[name] = v++;
  regs["rip"] = rip;
  regs["rsp"] = rsp;
  regs["rbp"] = 0;  // ends a frame-pointer walk at once
  regs["cs"] = 0x33;
  regs["ss"] = 0x2b;
  regs["eflags"] = 0x246;
  return regs;
}

std::string diag_codes(const Diagnostics& d) {
  std::string out;
  for (const auto& e : d.entries()) out += (out.empty() ? "" : ",") + e.code;
  return out;
}

Bytes elf_image(const ImageSpec& s) {
  ct::ByteWriter w({}, std::max<std::size_t>(s.size, 0x100 + 16 + s.build_id.size()));
  const std::uint16_t phnum = s.build_id.empty() ? 1 : 2;
  const ct::ElfSizes sizes = ct::elf_sizes(w.format());
  ct::put_ehdr(w, {.type = s.type, .entry = s.load_vaddr + 0x10, .phoff = sizes.ehdr, .phnum = phnum});
  // PT_LOAD: p_offset congruent to p_vaddr modulo the page size, as a linker writes it.
  const std::uint64_t page_off = s.load_vaddr % 4096;
  ct::put_phdr(w, sizes.ehdr, {ct::elfc::PT_LOAD, ct::elfc::PF_R | ct::elfc::PF_X, page_off, s.load_vaddr, s.load_vaddr,
                               s.load_memsz, s.load_memsz, s.load_align});
  if (!s.build_id.empty()) {
    const std::uint64_t note_vaddr = s.load_vaddr - page_off + 0x100;
    const std::uint64_t size = ct::note_size("GNU", s.build_id.size());
    ct::put_phdr(w, sizes.ehdr + sizes.phdr, {ct::elfc::PT_NOTE, ct::elfc::PF_R, 0x100, note_vaddr, note_vaddr, size, size, 4});
    ct::put_note(w, 0x100, "GNU", ct::elfc::NT_GNU_BUILD_ID, s.build_id);
  }
  return w.take();
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

namespace canon {

Bytes build_id(std::uint8_t first) {
  Bytes b(20);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(first + i);
  return b;
}

std::string build_id_hex(std::uint8_t first) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t v : build_id(first)) {
    out.push_back(digits[v >> 4]);
    out.push_back(digits[v & 0xf]);
  }
  return out;
}

ct::ThreadSpec thread(int index) {
  ct::ThreadSpec t;
  t.tid = kPid + index;
  t.ppid = 1;
  t.pgrp = kPid;
  t.sid = kPid;
  if (index == 0) {
    t.cursig = 11;
    t.sigpend = 0x100;
    t.sighold = 0x200;
    t.regs = all_regs(kRip, kRsp);
    t.regs["rax"] = kRax;
    t.regs["orig_rax"] = ~0ull;
    t.regs["fs_base"] = 0x7f0000100000;
    ct::FxSave fx;
    fx.mxcsr = 0x1fa0;
    fx.fcw = 0x037f;
    for (std::uint8_t i = 0; i < 16; ++i) fx.xmm[0][i] = static_cast<std::uint8_t>(0x10 + i);
    fx.xmm[15][15] = 0xee;
    fx.st[0] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};  // 1.0L
    t.fpregs = fx;
    ct::XState xs;
    xs.legacy = fx;
    xs.ymmh.emplace();
    for (std::uint8_t i = 0; i < 16; ++i) (*xs.ymmh)[0][i] = static_cast<std::uint8_t>(0xa0 + i);
    t.xstate = xs;
  } else if (index == 1) {
    t.regs = all_regs(0x401200, kRsp - 0x800);
    ct::FxSave fx;
    fx.xmm[0][0] = 0x77;
    t.fpregs = fx;
  } else {
    t.regs = all_regs(0x401300, kRsp - 0x1000);
  }
  return t;
}

ct::PsInfoSpec psinfo() {
  ct::PsInfoSpec p;
  p.sname = 'R';
  p.nice = -5;
  p.flag = 0x400600;
  p.uid = 1000;
  p.gid = 1001;
  p.pid = kPid;
  p.ppid = 1;
  p.pgrp = kPid;
  p.sid = kPid;
  p.fname = "crashy";
  p.psargs = "./crashy --boom ";  // the kernel leaves a trailing space
  return p;
}

ct::SigInfoSpec siginfo() {
  ct::SigInfoSpec s;
  s.signo = 11;
  s.code = 1;  // SEGV_MAPERR
  s.addr = kFault;
  return s;
}

}  // namespace canon

ct::CoreBuilder canonical_core() {
  using namespace canon;
  using ct::elfc::PF_R;
  using ct::elfc::PF_W;
  using ct::elfc::PF_X;
  ImageSpec exe;
  exe.type = ct::elfc::ET_EXEC;
  exe.load_vaddr = kExe;
  exe.load_memsz = 0x3000;
  exe.build_id = build_id(0x01);
  exe.size = 0x1000;
  ImageSpec libc;
  libc.load_vaddr = 0;
  libc.build_id = build_id(0x41);
  libc.size = 0x1000;
  ImageSpec vdso;
  vdso.load_vaddr = 0;
  vdso.load_memsz = 0x1800;
  vdso.build_id = build_id(0x81);
  vdso.size = 0x2000;
  Bytes stack(0x2000, 0);
  for (std::size_t i = 0; i < 0x1000; ++i) stack[i] = static_cast<std::uint8_t>(i * 13);
  const std::string execfn = kExePath;
  std::copy(execfn.begin(), execfn.end(), stack.begin() + static_cast<std::ptrdiff_t>(kExecFn - kStack));

  ct::CoreBuilder b;
  b.add_thread(thread(0)).add_thread(thread(1)).add_thread(thread(2));
  b.set_prpsinfo(psinfo()).set_siginfo(siginfo());
  b.set_auxv({{3, kExe + 0x40},   // AT_PHDR
              {6, 4096},          // AT_PAGESZ
              {9, kEntry},        // AT_ENTRY
              {33, kVdso},        // AT_SYSINFO_EHDR
              {31, kExecFn}});    // AT_EXECFN
  b.set_file_note(4096, {{kExe, kExe + 0x1000, 0, kExePath},
                         {kText, kText + 0x2000, 1, kExePath},
                         {kLibc, kLibc + 0x1000, 0, kLibcPath},
                         {kLibc + 0x1000, kLibc + 0x3000, 1, kLibcPath},
                         {kLocale, kLocale + 0x1000, 0, kLocalePath}});
  b.add_raw_note("ACME", 0x1234, {1, 2, 3, 4, 5});
  b.add_segment(kExe, 0x1000, PF_R, elf_image(exe));
  b.add_segment(kText, 0x2000, PF_R | PF_X, Bytes(kTextSaved, 0xcc));
  b.add_segment(kLibc, 0x1000, PF_R, elf_image(libc));
  b.add_segment(kLibc + 0x1000, 0x2000, PF_R | PF_X, {});  // not dumped
  b.add_segment(kLocale, 0x1000, PF_R, bytes_of("# locale archive, not an ELF object\n"));
  b.add_segment(kStack, 0x2000, PF_R | PF_W, stack);
  b.add_segment(kVdso, 0x2000, PF_R | PF_X, elf_image(vdso));
  return b;
}

}  // namespace corelens::unit
