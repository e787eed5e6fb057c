#include <array>

#include "unwinder/arch_registers.hpp"

namespace corelens {
namespace {

// AAPCS64 DWARF numbering: 0-30 x0-x30 (x29 the frame pointer, x30 the link register), 31 sp.
// The pc has no DWARF number: it is given to unwinders on its own.
constexpr std::array<DwarfRegisterName, 32> kRegisters = {{
    {0, "x0"},   {1, "x1"},   {2, "x2"},   {3, "x3"},   {4, "x4"},   {5, "x5"},   {6, "x6"},   {7, "x7"},
    {8, "x8"},   {9, "x9"},   {10, "x10"}, {11, "x11"}, {12, "x12"}, {13, "x13"}, {14, "x14"}, {15, "x15"},
    {16, "x16"}, {17, "x17"}, {18, "x18"}, {19, "x19"}, {20, "x20"}, {21, "x21"}, {22, "x22"}, {23, "x23"},
    {24, "x24"}, {25, "x25"}, {26, "x26"}, {27, "x27"}, {28, "x28"}, {29, "x29"}, {30, "x30"}, {31, "sp"}}};
// AAPCS64 preserves x19-x29 and sp across calls.
constexpr std::array<unsigned, 12> kCalleeSaved = {19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31};

constexpr UnwindArch kArch{Arch::aarch64, kRegisters, {}, 31, 29, 30, kCalleeSaved, false};

}  // namespace

const UnwindArch& unwind_arch_aarch64() { return kArch; }

}  // namespace corelens
