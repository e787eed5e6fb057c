// Real kernel dumps whose ORC tables (and task list) are damaged in memory (an overlay on the
// dump's physical memory, so the 270 MB files are never copied): garbage, unsorted ips, entries
// that decode but lie, a garbage orc_lookup, the other kernel's entry layout, a task list that
// loops. Each gives a diagnostic or a bounded partial result; where the damage is only in what we
// double-check, the same stacks.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "parsers/detect.hpp"
#include "parsers/kernel/btf.hpp"
#include "tests/kernel/kernel_dump_files.hpp"
#include "tests/support/kernel/orc_builder.hpp"
#include "unwinder/pipeline/kernel/kernel_session.hpp"

namespace corelens {
namespace {

namespace fs = std::filesystem;
namespace orc = corelens::testing::orc;
const fs::path kDir = CORELENS_KDUMPS_DIR;

// The dump's RAM with some physical ranges replaced.
class Overlay final : public PhysicalMemory {
 public:
  explicit Overlay(std::shared_ptr<const PhysicalMemory> base) : base_(std::move(base)) {}
  void patch(std::uint64_t paddr, std::vector<std::byte> bytes) { patches_.push_back({paddr, std::move(bytes)}); }
  Result<void> read(std::uint64_t paddr, std::span<std::byte> out) const override {
    if (auto r = base_->read(paddr, out); !r) return r;
    for (const auto& [at, bytes] : patches_) {
      std::uint64_t lo = std::max(at, paddr), hi = std::min(at + bytes.size(), paddr + out.size());
      if (lo < hi) std::memcpy(out.data() + (lo - paddr), bytes.data() + (lo - at), hi - lo);
    }
    return {};
  }
  std::vector<PhysicalRange> ranges() const override { return base_->ranges(); }

 private:
  std::shared_ptr<const PhysicalMemory> base_;
  std::vector<std::pair<std::uint64_t, std::vector<std::byte>>> patches_;
};

struct DumpRun {
  std::vector<StackReport> stacks;
  std::vector<KernelTask> tasks;
  Diagnostics diags;
};

class DamagedOrc : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    fs::path p = kDir / GetParam();
    CORELENS_REQUIRE_KERNEL_FILE(p, "kernel_dumps.make");
    auto file = MappedFile::open(p.string());
    ASSERT_TRUE(file);
    auto s = open_kernel_dump(*file, detect_format((*file)->bytes()));
    ASSERT_TRUE(s) << s.error().message;
    session_ = *s;
    for (const char* n : {"__start_orc_unwind_ip", "__stop_orc_unwind_ip", "__start_orc_unwind", "__stop_orc_unwind", "orc_lookup",
                          "orc_lookup_end"}) {
      auto a = session_->symbols.address_of(n);
      ASSERT_TRUE(a) << n;
      addr_[n] = *a;
    }
  }

  // Replaces the bytes of [FROM, TO) (kernel virtual, in the image: physically contiguous) by
  // what EDIT makes of them, then reads the dump again from scratch.
  DumpRun run_with(const char* from, const char* to, const std::function<void(std::vector<std::byte>&)>& edit) {
    std::uint64_t lo = addr_.at(from), hi = addr_.at(to);
    std::vector<std::byte> bytes(hi - lo);
    EXPECT_TRUE(session_->memory->read(lo, bytes));
    edit(bytes);
    return run_patched(lo, std::move(bytes));
  }

  // BYTES at kernel virtual address AT (within one page: any mapping), then the dump read again.
  DumpRun run_patched(std::uint64_t at, std::vector<std::byte> bytes) {
    auto overlay = std::make_shared<Overlay>(session_->dump->physical);
    overlay->patch(*session_->memory->translate(at), std::move(bytes));
    KernelDump d = *session_->dump;
    d.physical = overlay;
    DumpRun r;
    auto mem = make_kernel_memory(d, r.diags);
    KernelSymbols syms = read_kallsyms(*mem, d.vmcoreinfo, r.diags);
    auto btf = read_kernel_btf(*mem, syms, r.diags);
    KernelUnwinder unwinder(d, *mem, syms, btf ? &*btf : nullptr, r.diags);
    for (const auto& cpu : d.cpus) r.stacks.push_back(unwinder.unwind_cpu(cpu));
    KernelPerCpu per_cpu(*mem, syms, btf ? &*btf : nullptr);
    KernelCpuFacts facts = read_cpu_facts(d, *mem, syms, btf ? &*btf : nullptr, per_cpu, r.diags);
    if (btf) r.tasks = read_kernel_tasks(d, *mem, syms, *btf, unwinder, facts, r.diags);
    return r;
  }

  static std::vector<std::string> symbols_of(const StackReport& s) {
    std::vector<std::string> out;
    for (const auto& f : s.frames) out.push_back(f.oops_symbol + "@" + trust_label(f));
    return out;
  }

  // Frame 0 from the registers, then nothing ORC vouches for.
  static void expect_frame0_and_scan(const DumpRun& r) {
    ASSERT_FALSE(r.stacks.empty());
    for (const auto& s : r.stacks) {
      ASSERT_FALSE(s.frames.empty());
      EXPECT_EQ(s.frames[0].trust, FrameTrust::context);
      EXPECT_FALSE(s.unwind.complete());
      for (std::size_t i = 1; i < s.frames.size(); ++i) EXPECT_EQ(s.frames[i].trust, FrameTrust::scan) << i;
      EXPECT_LE(s.frames.size(), 1u + KernelStackLimits{}.max_scan_frames);
    }
  }

  std::shared_ptr<const KernelSession> session_;
  std::map<std::string, std::uint64_t> addr_;
};

TEST_P(DamagedOrc, GarbageEntriesAreNotUsed) {
  DumpRun r = run_with("__start_orc_unwind", "__stop_orc_unwind", [](auto& b) { std::fill(b.begin(), b.end(), std::byte{0xff}); });
  EXPECT_TRUE(r.diags.has("orc-bad-table"));
  expect_frame0_and_scan(r);
  for (const auto& s : r.stacks) EXPECT_EQ(describe(s.unwind), "no usable ORC table");
}

TEST_P(DamagedOrc, UnsortedIpsAreNotUsed) {
  DumpRun r = run_with("__start_orc_unwind_ip", "__stop_orc_unwind_ip", [](auto& b) {
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = std::byte(static_cast<unsigned char>(i * 37 + (i >> 7)));
  });
  EXPECT_TRUE(r.diags.has("orc-bad-table"));
  expect_frame0_and_scan(r);
}

TEST_P(DamagedOrc, EntriesThatDecodeButLieAreCaughtByTheWalk) {
  // Every entry a call frame of size 0 (the stack never grows), then of size -8 (it shrinks),
  // then 32 KiB (past the stack): the table looks sane, the walk's own rules stop each.
  for (std::int16_t size : {std::int16_t{0}, std::int16_t{-8}, std::int16_t{0x7ff8}}) {
    DumpRun r = run_with("__start_orc_unwind", "__stop_orc_unwind", [&](auto& b) {
      const orc::Entry e = orc::end_bit_entry(size, orc::kRegSp, orc::kTypeCall);
      for (std::size_t i = 0; i + orc::kEntrySize <= b.size(); i += orc::kEntrySize) std::memcpy(b.data() + i, e.data(), e.size());
    });
    EXPECT_FALSE(r.diags.has("orc-bad-table")) << size;
    for (const auto& s : r.stacks) {
      ASSERT_FALSE(s.frames.empty());
      EXPECT_FALSE(s.unwind.complete()) << size;
      EXPECT_LT(s.frames.size(), 3u + KernelStackLimits{}.max_scan_frames) << size;
      EXPECT_FALSE(describe(s.unwind).empty());
    }
  }
}

TEST_P(DamagedOrc, GarbageLookupTableChangesNothing) {
  DumpRun r = run_with("orc_lookup", "orc_lookup_end", [](auto& b) {
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = std::byte(static_cast<unsigned char>(i * 131));
  });
  ASSERT_EQ(r.stacks.size(), session_->stacks.size());
  for (std::size_t i = 0; i < r.stacks.size(); ++i) {
    EXPECT_EQ(symbols_of(r.stacks[i]), symbols_of(session_->stacks[i])) << i;
    EXPECT_TRUE(r.stacks[i].unwind.complete()) << describe(r.stacks[i].unwind);
  }
}

TEST_P(DamagedOrc, TheOtherLayoutIsRecognised) {
  // The same entries rewritten in 6.4's layout (type:3 with UNDEFINED 0, END_OF_STACK 1, CALL 2,
  // REGS 3, REGS_PARTIAL 4): the release says 6.1, the sample says otherwise; the stacks stay.
  DumpRun r = run_with("__start_orc_unwind", "__stop_orc_unwind", [](auto& b) {
    for (std::size_t i = 0; i + orc::kEntrySize <= b.size(); i += orc::kEntrySize) {
      orc::Entry e{};
      std::memcpy(e.data(), b.data() + i, e.size());
      e = orc::to_typed(e);
      std::memcpy(b.data() + i, e.data(), e.size());
    }
  });
  EXPECT_TRUE(r.diags.has("orc-layout"));
  ASSERT_EQ(r.stacks.size(), session_->stacks.size());
  for (std::size_t i = 0; i < r.stacks.size(); ++i) {
    // A module's table is its own and was not rewritten: it no longer matches, and is not used.
    if (session_->stacks[i].frames.at(0).module != "kernel") continue;
    EXPECT_EQ(symbols_of(r.stacks[i]), symbols_of(session_->stacks[i])) << i;
  }
}

TEST_P(DamagedOrc, TaskListThatLoopsIsCut) {
  // kthreadd's tasks.next made to point at itself: the walk meets a task it has seen.
  ASSERT_TRUE(session_->btf);
  auto tasks_at = session_->btf->offset_of("task_struct", "tasks");
  ASSERT_TRUE(tasks_at);
  auto kthreadd = std::find_if(session_->tasks.begin(), session_->tasks.end(), [](const KernelTask& t) { return t.pid == 2; });
  ASSERT_NE(kthreadd, session_->tasks.end());
  std::uint64_t next = kthreadd->address + *tasks_at;
  std::vector<std::byte> self(8);
  std::memcpy(self.data(), &next, 8);
  // What is left: swapper/0, init, kthreadd from the list; the other CPUs' idle tasks and
  // whatever each CPU ran, which are found without the list.
  auto only_the_start = [](const std::vector<KernelTask>& tasks) {
    std::set<std::int32_t> pids;
    for (const auto& t : tasks) {
      if (t.pid > 2) {
        EXPECT_TRUE(t.running_on) << t.pid << " " << t.comm << " is past the cut";
      }
      pids.insert(t.pid);
    }
    EXPECT_EQ(pids.count(1), 1u);
    EXPECT_EQ(pids.count(2), 1u);
  };
  DumpRun r = run_patched(next, self);
  EXPECT_TRUE(r.diags.has("tasks-list"));
  ASSERT_LT(r.tasks.size(), 10u);
  EXPECT_EQ(r.tasks.front().comm, "swapper/0");
  only_the_start(r.tasks);
  // A list that breaks off: tasks.next pointing where the dump has nothing.
  std::uint64_t nowhere = 0xdead000000000000ull;
  std::memcpy(self.data(), &nowhere, 8);
  r = run_patched(next, self);
  EXPECT_TRUE(r.diags.has("tasks-list"));
  ASSERT_LT(r.tasks.size(), 10u);
  only_the_start(r.tasks);
}

INSTANTIATE_TEST_SUITE_P(Dumps, DamagedOrc, ::testing::Values("vmcore.elf", "qemu.kdump"), [](const auto& param_info) {
  std::string n = param_info.param;
  for (char& c : n) if (c == '.' || c == '-') c = '_';
  return n;
});

}  // namespace
}  // namespace corelens
