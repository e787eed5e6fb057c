// Every sample core, as the kernel and as gdb's gcore write it, names the right signal, si_code,
// fault address and crashing thread, and the right top frames with file:line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/model/strings.hpp"
#include "parsers/elf_image.hpp"
#include "tests/integration/samples.hpp"
#include "tests/support/core_pattern.hpp"
#include "tests/support/opt_out.hpp"

namespace corelens::testing {
namespace {

struct Case {
  std::string method;
  std::string sample;
};

// Names the case in test listings instead of gtest's byte dump.
[[maybe_unused]] void PrintTo(const Case& c, std::ostream* os) { *os << c.method << "/" << c.sample; }

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.method + "_" + info.param.sample;
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (const char* method : {"auto", "gcore"}) {
    for (const auto& s : sample_expectations()) out.push_back({method, s.name});
  }
  return out;
}

class SampleCore : public ::testing::TestWithParam<Case> {
 protected:
  const Report& report() { return sample_report(GetParam().method, GetParam().sample); }
  const SampleExpectation& expect() { return *find_sample(GetParam().sample); }
  const ModuleReport* main_module() {
    for (const auto& m : report().modules) {
      if (m.is_main_executable) return &m;
    }
    return nullptr;
  }
  // The crashed thread's frames inside the sample's own executable, without _start.
  std::vector<const Frame*> own_frames(const ThreadReport& t) {
    std::vector<const Frame*> out;
    const ModuleReport* exe = main_module();
    for (const auto& f : t.frames) {
      if (exe != nullptr && f.module == exe->path && f.function != "_start") out.push_back(&f);
    }
    return out;
  }
};

TEST_P(SampleCore, SignalAndCode) {
  const Report& r = report();
  ASSERT_TRUE(r.signal.has_value());
  EXPECT_EQ(r.signal->number, expect().signal);
  EXPECT_EQ(r.signal->code_name, expect().code_name);
  EXPECT_FALSE(r.signal->code_description.empty());
}

TEST_P(SampleCore, ProducerIsRecognised) {
  std::string method = read_text_file(cores_dir(GetParam().method) + "/" + GetParam().sample + ".method");
  method.erase(method.find_last_not_of(" \n") + 1);
  EXPECT_EQ(report().producer, method == "gcore" ? "gdb" : "kernel");
}

TEST_P(SampleCore, ProcessIdentity) {
  const Report& r = report();
  EXPECT_TRUE(r.process.executable.ends_with("/samples/" + GetParam().sample)) << r.process.executable;
  EXPECT_NE(r.process.command_line.find(GetParam().sample), std::string::npos) << r.process.command_line;
  ASSERT_TRUE(r.process.pid.has_value());
  ASSERT_TRUE(r.process.uid.has_value());
  // Every sample crashes in its main thread, whose tid is the pid.
  ASSERT_TRUE(r.crashed_tid.has_value());
  EXPECT_EQ(*r.crashed_tid, *r.process.pid);
  ASSERT_FALSE(r.threads.empty());
  EXPECT_TRUE(r.threads.front().crashed);
  EXPECT_EQ(r.threads.front().tid, *r.crashed_tid);
  EXPECT_EQ(std::count_if(r.threads.begin(), r.threads.end(), [](const ThreadReport& t) { return t.crashed; }), 1);
}

TEST_P(SampleCore, FaultAddress) {
  const Report& r = report();
  ASSERT_TRUE(r.signal.has_value());
  const std::string& name = GetParam().sample;
  const ThreadReport& crashed = r.threads.front();
  ASSERT_FALSE(crashed.frames.empty());
  auto mapping_of = [&](std::uint64_t addr) -> const MappingReport* {
    for (const auto& m : r.mappings) {
      if (addr >= m.start && addr < m.end) return &m;
    }
    return nullptr;
  };
  if (name == "null_read" || name == "threads_blocked" || name == "inlined_o2" || name == "member_string" ||
      name == "values_c" || name == "values_c_o2" || name == "values_static" || name == "values_static_dwarf4") {
    ASSERT_TRUE(r.signal->address.has_value());
    EXPECT_EQ(*r.signal->address, 0u);
  } else if (name == "values_cxx" || name == "values_cxx_o2") {
    ASSERT_TRUE(r.signal->address.has_value());
    EXPECT_EQ(*r.signal->address, 8u) << "shelf->capacity: NULL + 8";
  } else if (name == "wild_write") {
    ASSERT_TRUE(r.signal->address.has_value());
    EXPECT_NE(*r.signal->address, 0u);
    EXPECT_EQ(mapping_of(*r.signal->address), nullptr) << "a wild address is not mapped";
  } else if (name == "readonly_write") {
    ASSERT_TRUE(r.signal->address.has_value());
    const MappingReport* m = mapping_of(*r.signal->address);
    ASSERT_NE(m, nullptr) << "a write to read-only memory hits a mapping";
    EXPECT_EQ(m->perms[1], '-') << m->perms;
  } else if (name == "divide_by_zero" || name == "illegal_instruction") {
    ASSERT_TRUE(r.signal->address.has_value());
    EXPECT_EQ(*r.signal->address, crashed.frames.front().pc) << "the fault address is the faulting instruction";
  } else if (name == "stack_overflow") {
    ASSERT_TRUE(r.signal->address.has_value());
    auto sp = crashed.frames.front().sp;
    ASSERT_TRUE(sp.has_value());
    // The fault is on the guard page just below the stack pointer.
    EXPECT_LT(*r.signal->address, *sp + 4096);
    EXPECT_GT(*r.signal->address + (1u << 20), *sp);
  } else {
    // abort(): raised with tgkill by the process itself.
    ASSERT_TRUE(r.signal->sender_pid.has_value());
    EXPECT_EQ(*r.signal->sender_pid, *r.process.pid);
    EXPECT_FALSE(r.signal->address.has_value());
  }
}

TEST_P(SampleCore, TopFramesWithFileAndLine) {
  const SampleExpectation& e = expect();
  const ThreadReport& crashed = report().threads.front();
  auto own = own_frames(crashed);
  ASSERT_FALSE(own.empty()) << "no frame in the sample's executable";
  // Recursion: all frames of `recurse` stand on the same line; compare distinct functions.
  std::vector<const Frame*> distinct;
  for (const Frame* f : own) {
    if (distinct.empty() || comparable_name(distinct.back()->function) != comparable_name(f->function)) {
      distinct.push_back(f);
    }
  }
  ASSERT_GE(distinct.size(), e.own_frames.size());
  for (std::size_t i = 0; i < e.own_frames.size(); ++i) {
    const Frame& f = *distinct[i];
    EXPECT_EQ(comparable_name(f.function), e.own_frames[i]) << "frame " << f.index;
    int want = i == 0 ? marker_line(e.source, "CRASH-SITE") : marker_line(e.source, "CALL-SITE " + e.own_frames[i - 1]);
    ASSERT_GT(want, 0) << "marker missing in " << e.source;
    EXPECT_EQ(f.line, static_cast<std::uint32_t>(want)) << e.own_frames[i] << " in " << f.file;
    EXPECT_TRUE(f.file.ends_with("samples/" + e.source)) << f.file;
    EXPECT_GT(f.column, 0u) << "gcc 12 records columns";
  }
  // Functions of libc and the C++ runtime that lead from the crash site to the signal.
  std::size_t first_own = own.front()->index;
  for (const auto& want : e.runtime_frames) {
    bool found = false;
    for (std::size_t i = 0; i < first_own; ++i) {
      found |= comparable_name(crashed.frames[i].function).find(want) != std::string::npos;
    }
    EXPECT_TRUE(found) << want << " is not above the first frame of the program";
  }
  if (e.runtime_frames.empty()) {
    EXPECT_EQ(crashed.frames.front().index, own.front()->index) << "the crash is in the program itself";
  }
}

TEST_P(SampleCore, FramesSayHowTheyWereFound) {
  const ThreadReport& crashed = report().threads.front();
  ASSERT_FALSE(crashed.frames.empty());
  bool first_real = true;
  for (const auto& f : crashed.frames) {
    // An inlined call is found with the frame it is in: that frame's trust, said "inlined".
    if (f.inlined) {
      EXPECT_STREQ(trust_label(f), "inlined");
      EXPECT_EQ(f.trust, first_real ? FrameTrust::context : FrameTrust::cfi) << "frame " << f.index;
      continue;
    }
    // Every module here has .eh_frame, so every caller is found with CFI.
    EXPECT_EQ(f.trust, first_real ? FrameTrust::context : FrameTrust::cfi) << "frame " << f.index;
    EXPECT_EQ(f.origin, first_real ? FrameOrigin::context : FrameOrigin::cfi) << "frame " << f.index;
    first_real = false;
  }
}

TEST_P(SampleCore, EveryThreadUnwindsToItsStart) {
  for (const auto& t : report().threads) {
    ASSERT_FALSE(t.frames.empty()) << "thread " << t.tid;
    EXPECT_TRUE(t.unwind.complete()) << "thread " << t.tid << ": " << describe(t.unwind);
    std::string last = comparable_name(t.frames.back().function);
    EXPECT_TRUE(last == "_start" || last.find("clone") != std::string::npos)
        << "thread " << t.tid << " ends in " << last;
  }
}

TEST_P(SampleCore, MainExecutableIsIdentifiedByBuildId) {
  const ModuleReport* exe = main_module();
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->symbols, SymbolSource::file) << exe->symbols_note;
  auto info = read_elf_file(exe_path(GetParam().method, GetParam().sample));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(exe->build_id, info->build_id) << "the build-id read from the core's memory";
  EXPECT_EQ(exe->file_build_id, info->build_id);
  bool has_vdso = std::any_of(report().modules.begin(), report().modules.end(),
                              [](const ModuleReport& m) { return m.path == "[vdso]"; });
  EXPECT_TRUE(has_vdso);
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleCore, ::testing::ValuesIn(all_cases()), case_name);

// The "auto" set is the kernel's own cores wherever the kernel can write them (make-cores falls
// back to gcore elsewhere): so both producers' layouts are tested, and a sample the kernel wrote
// no core of is a failure, not a second gcore set.
TEST(SampleCoreDetails, TheAutoSetIsTheKernels) {
  CORELENS_REQUIRE("kernel-cores", kernel_core_problem().empty(),
                   "the kernel writes no core into the working directory here: " + kernel_core_problem() +
                       "; the auto set is gdb's gcore");
  int cores = 0;
  for (const auto& e : std::filesystem::directory_iterator(cores_dir("auto"))) {
    if (e.path().extension() != ".method") continue;
    ++cores;
    EXPECT_TRUE(read_text_file(e.path().string()).starts_with("kernel"))
        << e.path().stem().string() << ": the kernel wrote no core (see its .log)";
  }
  EXPECT_GE(cores, static_cast<int>(sample_expectations().size()));
}

TEST(SampleCoreDetails, InlinedFramesShareThePcOfTheRealFrame) {
  for (const char* method : {"auto", "gcore"}) {
    const ThreadReport& t = sample_report(method, "inlined_o2").threads.front();
    ASSERT_GE(t.frames.size(), 5u);
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(t.frames[i].inlined) << method << " frame " << i;
      EXPECT_EQ(t.frames[i].pc, t.frames[3].pc);
    }
    EXPECT_FALSE(t.frames[3].inlined);
    EXPECT_EQ(comparable_name(t.frames[3].function), "process_request");
  }
}

TEST(SampleCoreDetails, StackOverflowUnwindsThroughEveryRecursionToMain) {
  for (const char* method : {"auto", "gcore"}) {
    const ThreadReport& t = sample_report(method, "stack_overflow").threads.front();
    std::size_t recursion = std::count_if(t.frames.begin(), t.frames.end(),
                                          [](const Frame& f) { return f.function == "recurse"; });
    EXPECT_GT(recursion, 100u) << method;
    auto main_it = std::find_if(t.frames.begin(), t.frames.end(), [](const Frame& f) { return f.function == "main"; });
    ASSERT_NE(main_it, t.frames.end()) << method;
    EXPECT_EQ(main_it->line, static_cast<std::uint32_t>(marker_line("stack_overflow.c", "CALL-SITE recurse")));
  }
}

TEST(SampleCoreDetails, BlockedThreadsStandWhereTheyBlocked) {
  for (const char* method : {"auto", "gcore"}) {
    const Report& r = sample_report(method, "threads_blocked");
    EXPECT_GE(r.threads.size(), 9u);
    // Every worker's CALL-SITE line (where it blocks) is on some thread's stack.
    std::ifstream in(std::string(CORELENS_SAMPLES_SOURCE_DIR) + "/threads_blocked.c");
    std::string line;
    int n = 0, sites = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.find("CALL-SITE") == std::string::npos || line.find("crash_in_main_thread") != std::string::npos) continue;
      ++sites;
      bool found = false;
      for (const auto& t : r.threads) {
        for (const auto& f : t.frames) found |= f.file.ends_with("threads_blocked.c") && f.line == static_cast<std::uint32_t>(n);
      }
      EXPECT_TRUE(found) << method << ": nothing blocked at threads_blocked.c:" << n;
    }
    EXPECT_GE(sites, 8);
  }
}

}  // namespace
}  // namespace corelens::testing
