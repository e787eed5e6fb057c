// Real kernel dumps (samples/make-kernel-dumps.sh, the kernel_dumps fixture): every format gives
// the release, the panic, both CPUs with registers and stacks, and the same log makedumpfile
// reads; the panicking CPU's stack is the Call Trace the kernel itself printed on its console.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/pipeline/kernel/kernel_session.hpp"
#include "core/pipeline/session.hpp"
#include "core/report/json_report.hpp"
#include "core/report/text_report.hpp"
#include "parsers/detect.hpp"
#include "tests/kernel/kernel_dump_files.hpp"

namespace corelens {
namespace {

using namespace kernel_test;

class KernelDumpTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    path_ = kDir / GetParam();
    CORELENS_REQUIRE_KERNEL_FILE(path_, "kernel_dumps.make");
  }
  fs::path path_;
};

TEST_P(KernelDumpTest, ReportTellsThePanicStory) {
  auto report = analyze_file(path_.string(), {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->dump_kind, "kernel-dump");
  ASSERT_TRUE(report->kernel);
  const KernelReport& k = *report->kernel;
  EXPECT_EQ(k.release, run_info(GetParam(), "release"));
  EXPECT_EQ(k.panic_message, "sysrq triggered crash");
  EXPECT_EQ(k.oops_headline, "sysrq: Trigger a crash");
  ASSERT_TRUE(k.panic_cpu);
  EXPECT_EQ(k.panic_pid, 1);
  EXPECT_EQ(k.panic_comm, "init");
  ASSERT_EQ(k.cpus.size(), 2u);  // SMP=2
  EXPECT_TRUE(k.cpus.front().panicking);
  EXPECT_EQ(k.cpus.front().cpu, *k.panic_cpu);
  bool has_rip = false, has_rsp = false;
  for (const auto& r : k.cpus.front().registers) {
    if (r.name == "rip" && r.value >= kStartKernelMap) has_rip = true;
    if (r.name == "rsp" && r.value != 0) has_rsp = true;
  }
  EXPECT_TRUE(has_rip && has_rsp);
  EXPECT_GT(k.kallsyms_symbols, 10000u);
  EXPECT_GT(k.log_records, 100u);
  EXPECT_TRUE(k.log_complete);
  // The other CPU sits in a named kernel function (idle or stop_this_cpu).
  EXPECT_FALSE(k.cpus.back().pc_symbol.empty());
  std::string text = report_to_text(*report);
  EXPECT_NE(text.find("Panic     sysrq triggered crash"), std::string::npos) << text;
  // "At" names the function that panicked, not the panic machinery above it (__crash_kexec for
  // kdump, pvpanic's notifier for QEMU, panic itself).
  ASSERT_TRUE(k.panic_frame);
  const ThreadReport& panicking = report->threads.front();
  ASSERT_LT(*k.panic_frame, panicking.frames.size());
  EXPECT_EQ(panicking.frames[*k.panic_frame].function, "sysrq_handle_crash");
  EXPECT_TRUE(k.panic_at.starts_with("sysrq_handle_crash+0x")) << k.panic_at;
  EXPECT_EQ(panicking.frames[*k.panic_frame - 1].function, "panic");
  EXPECT_NE(text.find(" in " + k.panic_at + "  (frame #" + std::to_string(*k.panic_frame)), std::string::npos) << text;
  EXPECT_NE(report_to_json(*report).find("\"kernel\""), std::string::npos);
}

// KASLR as the boot asked for it: with `nokaslr` the kernel text at its link address and the
// direct map at its base; else moved (both at once: a zero text offset alone happens 1 in ~500).
TEST_P(KernelDumpTest, AddressesAreWhereTheBootPutThem) {
  auto file = MappedFile::open(path_.string());
  ASSERT_TRUE(file);
  auto s = open_kernel_dump(*file, detect_format((*file)->bytes()));
  ASSERT_TRUE(s) << s.error().message;
  auto offset = (*s)->dump->vmcoreinfo.kernel_offset();
  ASSERT_TRUE(offset);
  auto page_offset_base = (*s)->symbols.address_of("page_offset_base");
  ASSERT_TRUE(page_offset_base);
  auto direct_map = (*s)->memory->read_u64(*page_offset_base);
  ASSERT_TRUE(direct_map);
  auto stext = (*s)->symbols.address_of("_stext");
  ASSERT_TRUE(stext);
  bool nokaslr = run_info(GetParam(), "method").find("append=nokaslr") != std::string::npos;
  ASSERT_EQ(nokaslr, std::string(GetParam()).starts_with("nokaslr/"));
  if (nokaslr) {
    EXPECT_EQ(*offset, 0u);
    EXPECT_EQ(*stext, 0xffffffff81000000ull);
    EXPECT_EQ(*direct_map, 0xffff888000000000ull);
  } else {
    EXPECT_TRUE(*offset != 0 || *direct_map != 0xffff888000000000ull);
    EXPECT_EQ(*stext, 0xffffffff81000000ull + *offset);
  }
  // Every task_struct is slab memory in the direct map (the 64 TiB from page_offset_base).
  ASSERT_FALSE((*s)->tasks.empty());
  for (const auto& t : (*s)->tasks) {
    if (t.pid == 0) continue;  // init_task: in the kernel image
    EXPECT_GE(t.address, *direct_map) << t.pid;
    EXPECT_LT(t.address, *direct_map + (64ull << 40)) << t.pid;
  }
}

TEST_P(KernelDumpTest, LogHasTheInitMarkerAndEqualsMakedumpfile) {
  auto file = MappedFile::open(path_.string());
  ASSERT_TRUE(file);
  auto s = open_kernel_dump(*file, detect_format((*file)->bytes()));
  ASSERT_TRUE(s) << s.error().message;
  std::string ours;
  for (const auto& r : (*s)->log.records) ours += format_log_line(r);
  EXPECT_NE(ours.find("CORELENS-KDUMP-MARKER: init pid 1 about to crash"), std::string::npos);
  // Ground truth of the same run: makedumpfile --dump-dmesg of this dump (made where it works:
  // vmcore.elf and the diskdumps), or of qemu.kdump for the other QEMU files.
  fs::path truth = path_.string() + ".dmesg";
  if (!fs::exists(truth)) truth = path_.parent_path() / (is_qemu_dump(GetParam()) ? "qemu.kdump.dmesg" : "vmcore.kdump.dmesg");
  ASSERT_TRUE(fs::exists(truth)) << truth;
  EXPECT_EQ(ours, slurp(truth));
}

TEST_P(KernelDumpTest, PanickingCpuStackIsTheConsoleCallTrace) {
  auto report = analyze_file(path_.string(), {});
  ASSERT_TRUE(report) << report.error().message;
  const KernelReport& k = *report->kernel;
  ASSERT_FALSE(k.cpus.empty());
  const KernelCpuReport& cpu = k.cpus.front();
  ASSERT_TRUE(cpu.panicking);
  const ThreadReport* thread = nullptr;
  for (const auto& t : report->threads) {
    if (t.name == "CPU " + std::to_string(cpu.cpu)) thread = &t;
  }
  ASSERT_NE(thread, nullptr);
  ASSERT_EQ(thread->frames.size(), cpu.frames.size());
  std::string text = report_to_text(*report);
  EXPECT_TRUE(thread->unwind_complete) << thread->unwind_status << "\n" << text;
  EXPECT_EQ(thread->unwind_status, "complete: reached user space");

  ConsoleTrace console = console_trace(GetParam());
  ASSERT_FALSE(console.frames.empty()) << "no Call Trace on the console of " << GetParam();
  // Ours: every frame reliable (ORC), none scanned, the user context last.
  std::vector<std::string> ours;
  for (std::size_t i = 0; i < thread->frames.size(); ++i) {
    const Frame& f = thread->frames[i];
    EXPECT_NE(f.trust, FrameTrust::scan) << i << "\n" << text;
    EXPECT_EQ(f.trust, i == 0 ? FrameTrust::context : FrameTrust::cfi) << i;
    if (cpu.frames[i].stack == "user") continue;
    EXPECT_EQ(cpu.frames[i].stack, "task") << i;
    EXPECT_FALSE(cpu.frames[i].symbol.empty()) << i << "\n" << text;
    ours.push_back(cpu.frames[i].symbol);
  }
  // Frame 0: where the CPU stood when the dump was taken. kdump: in __crash_kexec, called by
  // panic; QEMU: in pvpanic's panic notifier (a module: its own ORC table and symbols), which
  // panic reaches through the notifier chain.
  if (is_qemu_dump(GetParam())) {
    EXPECT_EQ(thread->frames[0].module, "pvpanic");
    EXPECT_TRUE(ours[0].ends_with(" [pvpanic]")) << ours[0];
  } else {
    EXPECT_EQ(thread->frames[0].function, "__crash_kexec");
    EXPECT_EQ(thread->frames[0].module, "kernel");
    EXPECT_EQ(cpu.unwind_method, "ORC (frame 0 by its prologue: no ORC there)");
  }
  // From panic() on, the console's reliable lines: the same functions; the same offsets but for
  // panic's own (the console was printed from its dump_stack() call, the dump taken later).
  auto ours_panic = std::find_if(ours.begin(), ours.end(), [](const std::string& s) { return name_of(s) == "panic"; });
  auto console_panic = std::find_if(console.frames.begin(), console.frames.end(),
                                    [](const std::string& s) { return name_of(s) == "panic"; });
  ASSERT_NE(ours_panic, ours.end()) << text;
  ASSERT_NE(console_panic, console.frames.end());
  std::vector<std::string> ours_tail(ours_panic, ours.end()), console_tail(console_panic, console.frames.end());
  ASSERT_EQ(ours_tail.size(), console_tail.size()) << text;
  for (std::size_t i = 0; i < ours_tail.size(); ++i) {
    if (i == 0) EXPECT_EQ(name_of(ours_tail[i]), name_of(console_tail[i]));
    else EXPECT_EQ(ours_tail[i], console_tail[i]) << i;
  }
  EXPECT_GE(console_tail.size(), 8u);  // panic ... sysrq ... vfs_write ... entry_SYSCALL_64_after_hwframe
  EXPECT_EQ(name_of(console_tail.back()), "entry_SYSCALL_64_after_hwframe");
  EXPECT_NE(std::find_if(console_tail.begin(), console_tail.end(),
                         [](const std::string& s) { return name_of(s) == "sysrq_handle_crash"; }),
            console_tail.end());
  // The user context below the syscall, as the oops's "RIP: 0033:..." and "RSP: 002b:..." say.
  ASSERT_EQ(cpu.frames.back().stack, "user");
  const Frame& user = thread->frames.back();
  char rip[64], rsp[64];
  std::uint64_t cs = 0, ss = 0, sp = 0;
  for (const auto& r : user.registers) {
    if (r.name == "cs") cs = r.value;
    if (r.name == "ss") ss = r.value;
    if (r.name == "rsp") sp = r.value;
  }
  std::snprintf(rip, sizeof rip, "%04llx:%#llx", static_cast<unsigned long long>(cs), static_cast<unsigned long long>(user.pc));
  std::snprintf(rsp, sizeof rsp, "%04llx:%016llx", static_cast<unsigned long long>(ss), static_cast<unsigned long long>(sp));
  EXPECT_EQ(rip, console.user_rip);
  EXPECT_EQ(rsp, console.user_rsp);
  EXPECT_NE(text.find("RIP: " + console.user_rip), std::string::npos) << text;
  EXPECT_EQ(report->crashed_tid, cpu.pid);
}

TEST_P(KernelDumpTest, OtherCpuHasASaneStack) {
  auto report = analyze_file(path_.string(), {});
  ASSERT_TRUE(report) << report.error().message;
  const KernelReport& k = *report->kernel;
  ASSERT_EQ(k.cpus.size(), 2u);
  const KernelCpuReport& cpu = k.cpus.back();
  const ThreadReport* thread = nullptr;
  for (const auto& t : report->threads) {
    if (t.name == "CPU " + std::to_string(cpu.cpu)) thread = &t;
  }
  ASSERT_NE(thread, nullptr);
  std::string text = report_to_text(*report);
  ASSERT_GT(thread->frames.size(), 3u) << text;
  EXPECT_TRUE(thread->unwind_complete) << thread->unwind_status << "\n" << text;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < thread->frames.size(); ++i) {
    const Frame& f = thread->frames[i];
    EXPECT_NE(f.trust, FrameTrust::scan) << i << "\n" << text;
    if (cpu.frames[i].stack == "user") {
      EXPECT_EQ(i + 1, thread->frames.size()) << "the user context ends the stack";
      continue;
    }
    EXPECT_FALSE(f.function.empty()) << i << "\n" << text;
    names.push_back(f.function);
  }
  // Idle (stopped by the NMI in its idle loop; the boot CPU's idle task ends in start_kernel, a
  // secondary's in start_secondary), or interrupted in a task that entered the kernel from user
  // space (then the user context ends the stack), or in a kernel thread (ret_from_fork ends it):
  // whatever the CPU was doing when the panicking one stopped it.
  bool idle = std::find(names.begin(), names.end(), "cpu_startup_entry") != names.end();
  if (idle) {
    EXPECT_TRUE(names.back().starts_with("secondary_startup_64")) << text;
    EXPECT_TRUE(std::find(names.begin(), names.end(), "do_idle") != names.end()) << text;
  } else if (cpu.frames.back().stack != "user") {
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.back(), "ret_from_fork") << text;
    EXPECT_TRUE(std::find(names.begin(), names.end(), "kthread") != names.end()) << text;
  }
}

const KernelTaskReport* task_named(const KernelReport& k, std::string_view comm) {
  for (const auto& t : k.tasks) {
    if (t.comm == comm) return &t;
  }
  return nullptr;
}

bool has_function(const KernelTaskReport& t, std::string_view name) {
  return std::any_of(t.frames.begin(), t.frames.end(), [&](const Frame& f) { return f.function == name; });
}

TEST_P(KernelDumpTest, TasksIncludeTheInitramfsProcesses) {
  auto report = analyze_file(path_.string(), {});
  ASSERT_TRUE(report) << report.error().message;
  const KernelReport& k = *report->kernel;
  std::string text = report_to_text(*report);
  ASSERT_TRUE(k.tasks_read) << text;
  ASSERT_GT(k.tasks.size(), 40u);  // ~50 kernel threads and the initramfs's processes
  EXPECT_EQ(k.tasks.front().pid, 0);  // init_task heads the list
  EXPECT_EQ(k.tasks.front().comm, "swapper/0");
  for (const auto& n : k.not_done) EXPECT_FALSE(n.starts_with("tasks")) << n;
  // init is the task that panicked: running on the panicking CPU, whose stack is its.
  const KernelTaskReport* init = task_named(k, "init");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->pid, 1);
  EXPECT_EQ(init->running_on, k.panic_cpu);
  EXPECT_TRUE(init->frames.empty());
  // What crash-init.sh started: `sleep 3600` and the corelens-sleeper loop (comm: 15 characters).
  const KernelTaskReport* sleep = nullptr;
  for (const auto& t : k.tasks) {
    if (t.comm == "sleep" && !t.running_on && has_function(t, "hrtimer_nanosleep")) sleep = &t;
  }
  ASSERT_NE(sleep, nullptr) << text;
  EXPECT_EQ(sleep->state, 'S');
  EXPECT_FALSE(sleep->kernel_thread);
  EXPECT_EQ(sleep->frame_notes.back().stack, "user");
  EXPECT_NE(task_named(k, "corelens-sleepe"), nullptr) << text;
  // kthreadd: a kernel thread, its stack from __schedule down to ret_from_fork.
  const KernelTaskReport* kthreadd = task_named(k, "kthreadd");
  ASSERT_NE(kthreadd, nullptr);
  EXPECT_EQ(kthreadd->pid, 2);
  EXPECT_TRUE(kthreadd->kernel_thread);
  EXPECT_EQ(kthreadd->wchan, "kthreadd");
  ASSERT_FALSE(kthreadd->frames.empty());
  EXPECT_EQ(kthreadd->frames.back().function, "ret_from_fork");
  // Every switched-out task unwinds completely with ORC, and no running task is unwound twice.
  std::size_t running = 0;
  for (const auto& t : k.tasks) {
    if (t.running_on) {
      ++running;
      continue;
    }
    EXPECT_TRUE(t.unwind_complete) << t.pid << " " << t.comm << ": " << t.unwind_status;
    EXPECT_FALSE(t.wchan.empty()) << t.pid << " " << t.comm;
    for (const auto& f : t.frames) EXPECT_NE(f.trust, FrameTrust::scan) << t.pid << " " << t.comm;
  }
  EXPECT_EQ(running, k.cpus.size());
  // kdump's NT_PRSTATUS names each CPU's task (QEMU writes its own ids there).
  if (report->producer == "kexec/kdump") {
    for (const auto& c : k.cpus) {
      auto t = std::find_if(k.tasks.begin(), k.tasks.end(), [&](const KernelTaskReport& x) { return x.running_on == c.cpu; });
      ASSERT_NE(t, k.tasks.end());
      EXPECT_EQ(t->pid, c.pid) << "CPU " << c.cpu;
    }
  }
  EXPECT_NE(text.find("Tasks (" + std::to_string(k.tasks.size()) + "):"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, KernelDumpTest,
                         ::testing::Values(CORELENS_SYSRQ_DUMPS),
                         [](const auto& param_info) { return param_name(param_info.param); });

TEST(KernelDumpFormats, DetectedByContent) {
  for (auto [name, want] : {std::pair{"vmcore.elf", DumpFormat::elf_kernel_core}, {"qemu.elf", DumpFormat::elf_kernel_core},
                            {"vmcore.kdump", DumpFormat::kdump_compressed}, {"vmcore.flat", DumpFormat::kdump_flattened},
                            {"qemu.flat", DumpFormat::kdump_flattened}}) {
    CORELENS_REQUIRE_KERNEL_FILE(kDir / name, "kernel_dumps.make");
    auto f = MappedFile::open((kDir / name).string());
    ASSERT_TRUE(f);
    EXPECT_EQ(detect_format((*f)->bytes()), want) << name;
  }
}

}  // namespace
}  // namespace corelens
