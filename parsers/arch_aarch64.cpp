// aarch64 NT_PRSTATUS: pr_reg is struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h):
// x0-x30, sp, pc, pstate, each 8 bytes, at offset 112 of the 64-bit elf_prstatus (392 bytes).
#include "parsers/arch_layout.hpp"

namespace corelens {
namespace {

constexpr std::array<std::string_view, 34> kNames = {
    "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10", "x11",
    "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
    "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",  "pc",  "pstate"};
constexpr auto kSlots = consecutive_registers(kNames, 8);
constexpr PrStatusLayout kLayout{Arch::aarch64, 392, 112, kSlots};

}  // namespace

const PrStatusLayout& prstatus_layout_aarch64() { return kLayout; }

}  // namespace corelens
