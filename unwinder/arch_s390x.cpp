#include <array>

#include "unwinder/arch_registers.hpp"

namespace corelens {
namespace {

// s390x ELF ABI DWARF numbering: 0-15 r0-r15 (r14 the return address, r15 the stack pointer).
// The pc is the PSW's address (pswa), with no DWARF number. Without -mbackchain (Debian's default)
// frames are not chained, so there is no frame-pointer walk.
constexpr std::array<DwarfRegisterName, 16> kRegisters = {{
    {0, "r0"}, {1, "r1"}, {2, "r2"},   {3, "r3"},   {4, "r4"},   {5, "r5"},   {6, "r6"},   {7, "r7"},
    {8, "r8"}, {9, "r9"}, {10, "r10"}, {11, "r11"}, {12, "r12"}, {13, "r13"}, {14, "r14"}, {15, "r15"}}};
// The s390x ABI preserves r6-r13 and r15 across calls.
constexpr std::array<unsigned, 9> kCalleeSaved = {6, 7, 8, 9, 10, 11, 12, 13, 15};

constexpr UnwindArch kArch{Arch::s390x, kRegisters, {}, 15, std::nullopt, 14, kCalleeSaved, false};

}  // namespace

const UnwindArch& unwind_arch_s390x() { return kArch; }

}  // namespace corelens
