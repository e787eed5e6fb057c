// Fuzz target: the kernel ORC unwinder (unwinder/kernel_orc, kernel_prologue) over hostile
// memory. The input is a CPU's 21 pt_regs words, then bytes that serve at once as kernel text
// holding an ORC table (a u32 count, ip offsets, entries) and as the CPU's task stack, so every
// value the walk reads is the fuzzer's.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "unwinder/kernel/orc.hpp"
#include "unwinder/kernel/prologue.hpp"

namespace {

constexpr std::uint64_t kText = 0xffffffff81000000, kStack = 0xffffc90000010000;

class Blob final : public corelens::MemorySource {
 public:
  explicit Blob(std::vector<std::byte> b) : bytes_(std::move(b)) {}
  corelens::Result<void> read(std::uint64_t addr, std::span<std::byte> out) const override {
    for (std::uint64_t base : {kText, kStack}) {
      if (addr >= base && addr - base <= bytes_.size() && bytes_.size() - (addr - base) >= out.size()) {
        if (!out.empty()) std::memcpy(out.data(), bytes_.data() + (addr - base), out.size());
        return {};
      }
    }
    return corelens::fail(corelens::ErrorCode::not_mapped, "unmapped", addr);
  }
  std::size_t size() const { return bytes_.size(); }

 private:
  std::vector<std::byte> bytes_;
};

class Finder final : public corelens::OrcFinder {
 public:
  Finder(const Blob& m, corelens::OrcTable t) : m_(m), t_(t) {}
  std::optional<corelens::OrcEntry> find(std::uint64_t ip) const override { return t_.find(m_, ip); }
  corelens::OrcFlavor flavor() const override { return t_.flavor(); }

 private:
  const Blob& m_;
  corelens::OrcTable t_;
};

class Stacks final : public corelens::StackMap {
 public:
  explicit Stacks(std::uint64_t size) : size_(size) {}
  std::optional<corelens::StackRegion> region_of(std::uint64_t a) const override {
    if (a >= kStack && a - kStack < size_) return corelens::StackRegion{kStack, kStack + size_, "task"};
    return std::nullopt;
  }

 private:
  std::uint64_t size_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kRegs = corelens::kPtRegsSize;
  if (size < kRegs + 5) return 0;
  corelens::RegisterSet start;
  for (std::size_t i = 0; i < corelens::kPtRegsCount; ++i) {
    std::uint64_t v = 0;
    std::memcpy(&v, data + 8 * i, 8);
    start.general.push_back({corelens::pt_regs_names()[i], v});
  }
  std::vector<std::byte> bytes(size - kRegs);
  std::memcpy(bytes.data(), data + kRegs, bytes.size());
  Blob mem(std::move(bytes));
  std::uint32_t count = 0;
  std::memcpy(&count, data + kRegs, 4);
  count %= 4096;
  corelens::OrcFlavor flavor;
  flavor.layout = (count & 1) != 0 ? corelens::OrcLayout::typed : corelens::OrcLayout::end_bit;
  corelens::OrcTableRef ref{kText + 4, kText + 4 + 4ull * count, count};
  (void)corelens::check_orc_table(mem, ref, flavor, kText, kText + mem.size());
  Finder finder(mem, corelens::OrcTable(ref, flavor, corelens::OrcLookupRef{kText, 16, kText, kText + 4096}));
  Stacks stacks(mem.size());
  corelens::OrcWalkLimits limits{64, 4, {}};
  (void)corelens::orc_walk(mem, finder, stacks, start, limits);
  // The prologue reader on the same bytes as code, up to an offset the input chooses.
  std::vector<std::uint8_t> code(std::min<std::size_t>(size - kRegs, 4096));
  std::memcpy(code.data(), data + kRegs, code.size());
  std::uint64_t pc = kText + (code.empty() ? 0 : data[kRegs + 4] % (code.size() + 1));
  (void)corelens::stack_depth_at(code, kText, pc);
  return 0;
}
