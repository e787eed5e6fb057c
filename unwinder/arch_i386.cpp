#include <array>

#include "unwinder/arch_registers.hpp"

namespace corelens {
namespace {

// i386 psABI DWARF numbering: 0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi, 7 edi, 8 the
// return address column (eip).
constexpr std::array<DwarfRegisterName, 9> kRegisters = {{
    {0, "eax"}, {1, "ecx"}, {2, "edx"}, {3, "ebx"}, {4, "esp"}, {5, "ebp"}, {6, "esi"}, {7, "edi"}, {8, "eip"}}};
// The i386 SysV ABI preserves ebx, ebp, esi, edi (and esp) across calls.
constexpr std::array<unsigned, 6> kCalleeSaved = {3, 4, 5, 6, 7, 8};

constexpr UnwindArch kArch{Arch::i386, kRegisters, {}, 4, 5, std::nullopt, kCalleeSaved, true};

}  // namespace

const UnwindArch& unwind_arch_i386() { return kArch; }

}  // namespace corelens
