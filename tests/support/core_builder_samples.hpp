// The sample core of the builder's self-tests (core_builder_selftest.cpp pins its bytes,
// core_builder_tools_test.cpp has eu-readelf, readelf and gdb decode it): two threads, every
// process note, and three segments, with values distinct enough that a field read from the
// wrong offset shows.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/support/core_builder.hpp"

namespace corelens::testing::selftest {

namespace ct = corelens::testing;
using ct::elfc::PF_R;
using ct::elfc::PF_W;
using ct::elfc::PF_X;

inline constexpr std::uint64_t kRip = 0x401136;
inline constexpr std::uint64_t kRsp = 0x7ffc0000f000;
inline constexpr std::uint64_t kRax = 0x1122334455667788;
inline constexpr std::uint64_t kFaultAddr = 0xdeadbeef;

inline ct::ThreadSpec crashing_thread() {
  ct::ThreadSpec t;
  t.tid = 4242;
  t.cursig = 11;
  t.ppid = 1;
  t.pgrp = 4242;
  t.sid = 4242;
  t.regs = {{"rip", kRip}, {"rsp", kRsp}, {"rax", kRax}, {"cs", 0x33}, {"ss", 0x2b},
            {"eflags", 0x246}, {"fs_base", 0x7f0000001000}};
  ct::FxSave fx;
  fx.mxcsr = 0x1fa0;  // default | PE
  fx.xmm[1][0] = 0xab;
  fx.st[0] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};  // 1.0L
  t.fpregs = fx;
  ct::XState xs;
  xs.legacy = fx;
  xs.ymmh.emplace();
  (*xs.ymmh)[1][0] = 0xcd;
  t.xstate = xs;
  return t;
}

inline ct::CoreBuilder sample_builder() {
  ct::ThreadSpec second;
  second.tid = 4243;
  second.info_code = 2;  // not what the kernel writes (0, 0): distinct values pin the order
  second.info_errno = 3;
  second.regs = {{"rip", 0x401200}};
  ct::PsInfoSpec ps;
  ps.pid = 4242;
  ps.ppid = 1;
  ps.uid = 1000;
  ps.gid = 1000;
  ps.fname = "crashy";
  ps.psargs = "./crashy --boom";
  ct::SigInfoSpec si;
  si.signo = 11;
  si.code = 1;  // SEGV_MAPERR
  si.addr = kFaultAddr;
  ct::CoreBuilder b;
  b.add_thread(crashing_thread())
      .add_thread(second)
      .set_prpsinfo(ps)
      .set_siginfo(si)
      .set_auxv({{6, 4096}, {9, 0x401000}})  // AT_PAGESZ, AT_ENTRY
      .set_file_note(4096, {{0x400000, 0x401000, 0, "/usr/bin/crashy"},
                            {0x401000, 0x403000, 1, "/usr/bin/crashy"}})
      .add_segment(0x400000, 0x1000, PF_R, std::vector<std::uint8_t>(4096, 0x7f))
      .add_segment(0x401000, 0x2000, PF_R | PF_X, std::vector<std::uint8_t>(100, 0xcc))
      .add_segment(0x7ffc0000e000, 0x2000, PF_R | PF_W, std::vector<std::uint8_t>(8192, 0x11));
  return b;
}

}  // namespace corelens::testing::selftest
