// s390x NT_PRSTATUS: pr_reg is s390_regs (arch/s390/include/uapi/asm/ptrace.h): the PSW (mask,
// then address: the pc), r0-r15, sixteen 4-byte access registers, orig_gpr2; at offset 112 of the
// 64-bit elf_prstatus (336 bytes). Big-endian, like every field of an s390x core.
#include "parsers/arch_layout.hpp"

namespace corelens {
namespace {

constexpr std::array<std::string_view, 18> kPswAndGprs = {
    "pswm", "pswa", "r0", "r1", "r2",  "r3",  "r4",  "r5",  "r6",
    "r7",   "r8",   "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
constexpr std::array<std::string_view, 16> kAccess = {
    "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13", "a14", "a15"};

constexpr std::array<RegisterSlot, 35> slots() {
  std::array<RegisterSlot, 35> out{};
  auto first = consecutive_registers(kPswAndGprs, 8);
  auto access = consecutive_registers(kAccess, 4, 144);
  for (std::size_t i = 0; i < first.size(); ++i) out[i] = first[i];
  for (std::size_t i = 0; i < access.size(); ++i) out[first.size() + i] = access[i];
  out[34] = RegisterSlot{"orig_r2", 208, 8};
  return out;
}
constexpr auto kSlots = slots();
constexpr PrStatusLayout kLayout{Arch::s390x, 336, 112, kSlots};

}  // namespace

const PrStatusLayout& prstatus_layout_s390x() { return kLayout; }

}  // namespace corelens
