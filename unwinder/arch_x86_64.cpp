#include <array>

#include "unwinder/arch_registers.hpp"

namespace corelens {
namespace {

// x86_64 psABI DWARF numbering: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
// 8-15 r8-r15, 16 the return address column (rip).
constexpr std::array<DwarfRegisterName, 17> kRegisters = {{
    {0, "rax"}, {1, "rdx"}, {2, "rcx"}, {3, "rbx"}, {4, "rsi"}, {5, "rdi"}, {6, "rbp"}, {7, "rsp"}, {8, "r8"},
    {9, "r9"}, {10, "r10"}, {11, "r11"}, {12, "r12"}, {13, "r13"}, {14, "r14"}, {15, "r15"}, {16, "rip"}}};
// The SysV x86_64 ABI preserves rbx, rbp, r12-r15 (and rsp) across calls.
constexpr std::array<unsigned, 8> kCalleeSaved = {3, 6, 7, 12, 13, 14, 15, 16};

constexpr UnwindArch kArch{Arch::x86_64, kRegisters, {}, 7, 6, std::nullopt, kCalleeSaved, true};

}  // namespace

const UnwindArch& unwind_arch_x86_64() { return kArch; }

}  // namespace corelens
