// ppc64le NT_PRSTATUS: pr_reg is elf_gregset_t, 48 longs (arch/powerpc/include/uapi/asm/elf.h,
// ELF_NGREG), laid out as the start of struct pt_regs: gpr[32], nip, msr, orig_gpr3, ctr, link,
// xer, ccr, softe, trap, dar, dsisr, result; four unused slots follow. At offset 112 of the
// 64-bit elf_prstatus (504 bytes).
#include "parsers/arch_layout.hpp"

namespace corelens {
namespace {

constexpr std::array<std::string_view, 44> kNames = {
    "r0",  "r1",  "r2",  "r3",  "r4",  "r5",  "r6",  "r7",  "r8",  "r9",  "r10", "r11",
    "r12", "r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23",
    "r24", "r25", "r26", "r27", "r28", "r29", "r30", "r31", "nip", "msr", "orig_r3", "ctr",
    "lr",  "xer", "cr",  "softe", "trap", "dar", "dsisr", "result"};
constexpr auto kSlots = consecutive_registers(kNames, 8);
constexpr PrStatusLayout kLayout{Arch::ppc64le, 504, 112, kSlots};

}  // namespace

const PrStatusLayout& prstatus_layout_ppc64le() { return kLayout; }

}  // namespace corelens
