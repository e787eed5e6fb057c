// 32-bit arm (armhf) NT_PRSTATUS: pr_reg is elf_gregset_t, 18 words (arch/arm/include/asm/elf.h):
// r0-r15 and cpsr, then orig_r0, at offset 72 of the 32-bit elf_prstatus (148 bytes). r13-r15
// are named sp, lr and pc, as gdb names them.
#include "parsers/arch_layout.hpp"

namespace corelens {
namespace {

constexpr std::array<std::string_view, 18> kNames = {
    "r0", "r1", "r2",  "r3",  "r4",  "r5", "r6", "r7", "r8",
    "r9", "r10", "r11", "r12", "sp", "lr", "pc", "cpsr", "orig_r0"};
constexpr auto kSlots = consecutive_registers(kNames, 4);
constexpr PrStatusLayout kLayout{Arch::arm, 148, 72, kSlots};

}  // namespace

const PrStatusLayout& prstatus_layout_arm() { return kLayout; }

}  // namespace corelens
