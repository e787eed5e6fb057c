#include <array>

#include "unwinder/arch_registers.hpp"

namespace corelens {
namespace {

// AAPCS (32-bit arm) DWARF numbering: 0-15 r0-r15, r13 sp, r14 lr, r15 pc. Debian's armhf code is
// Thumb-2, whose frame pointer (r7) points into the frame at no fixed distance from the saved lr:
// there is no frame chain to follow, so no frame-pointer register is named here.
constexpr std::array<DwarfRegisterName, 16> kRegisters = {{
    {0, "r0"}, {1, "r1"}, {2, "r2"},   {3, "r3"},   {4, "r4"},   {5, "r5"},   {6, "r6"},  {7, "r7"},
    {8, "r8"}, {9, "r9"}, {10, "r10"}, {11, "r11"}, {12, "r12"}, {13, "sp"}, {14, "lr"}, {15, "pc"}}};
// AAPCS preserves r4-r11 and sp across calls. r15 is DWARF register 15, but unwinders give a
// caller's pc on its own (from the return address in lr), so it is reported by name beside them.
constexpr std::array<unsigned, 9> kCalleeSaved = {4, 5, 6, 7, 8, 9, 10, 11, 13};

constexpr UnwindArch kArch{Arch::arm, kRegisters, {}, 13, std::nullopt, 14, kCalleeSaved, false};

}  // namespace

const UnwindArch& unwind_arch_arm() { return kArch; }

}  // namespace corelens
