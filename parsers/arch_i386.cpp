// i386 NT_PRSTATUS: pr_reg is struct user_regs_struct of i386 (arch/x86/include/asm/user_32.h),
// 17 words, at offset 72 of the 32-bit elf_prstatus (144 bytes). The segment registers are
// named without the kernel's "x" prefix (xds -> ds), as gdb names them.
#include "parsers/arch_layout.hpp"

namespace corelens {
namespace {

constexpr std::array<std::string_view, 17> kNames = {
    "ebx", "ecx", "edx",      "esi", "edi", "ebp",    "eax", "ds", "es",
    "fs",  "gs",  "orig_eax", "eip", "cs",  "eflags", "esp", "ss"};
constexpr auto kSlots = consecutive_registers(kNames, 4);
constexpr PrStatusLayout kLayout{Arch::i386, 144, 72, kSlots};

}  // namespace

const PrStatusLayout& prstatus_layout_i386() { return kLayout; }

}  // namespace corelens
