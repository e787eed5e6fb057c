#include <array>

#include "unwinder/arch_registers.hpp"

namespace corelens {
namespace {

// 64-bit ELFv2 DWARF numbering: 0-31 r0-r31 (r1 the stack pointer, r2 the TOC), 65 lr, 66 ctr.
// The pc (nip) has no DWARF number. The stack pointer is also the frame chain: 0(r1) holds the
// caller's r1 (the back chain), which is what fp_regno names here.
constexpr std::array<DwarfRegisterName, 32> kRegisters = {{
    {0, "r0"},   {1, "r1"},   {2, "r2"},   {3, "r3"},   {4, "r4"},   {5, "r5"},   {6, "r6"},   {7, "r7"},
    {8, "r8"},   {9, "r9"},   {10, "r10"}, {11, "r11"}, {12, "r12"}, {13, "r13"}, {14, "r14"}, {15, "r15"},
    {16, "r16"}, {17, "r17"}, {18, "r18"}, {19, "r19"}, {20, "r20"}, {21, "r21"}, {22, "r22"}, {23, "r23"},
    {24, "r24"}, {25, "r25"}, {26, "r26"}, {27, "r27"}, {28, "r28"}, {29, "r29"}, {30, "r30"}, {31, "r31"}}};
constexpr std::array<DwarfRegisterName, 2> kExtra = {{{65, "lr"}, {66, "ctr"}}};
// ELFv2 preserves r1, r2 (restored after calls through the TOC save slot) and r14-r31.
constexpr std::array<unsigned, 20> kCalleeSaved = {1,  2,  14, 15, 16, 17, 18, 19, 20, 21,
                                                    22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

constexpr UnwindArch kArch{Arch::ppc64le, kRegisters, kExtra, 1, 1, 65, kCalleeSaved, false};

}  // namespace

const UnwindArch& unwind_arch_ppc64le() { return kArch; }

}  // namespace corelens
