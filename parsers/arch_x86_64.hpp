// x86_64 specifics of ELF cores: the NT_PRSTATUS layout and register names, the FXSAVE area of
// NT_FPREGSET and the XSAVE area of NT_X86_XSTATE. Another architecture gets a file like this one.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/file/byte_reader.hpp"
#include "core/model/process.hpp"

namespace corelens::x86_64 {

// struct elf_prstatus on x86_64: 112 bytes of header, pr_reg (27 x u64), pr_fpvalid + padding.
inline constexpr std::uint64_t kPrStatusSize = 336;
inline constexpr std::uint64_t kPrRegOffset = 112;
inline constexpr std::size_t kUserRegsCount = 27;
inline constexpr std::size_t kUserRegsSize = kUserRegsCount * 8;  // sizeof(struct user_regs_struct)
inline constexpr std::uint64_t kPrFpvalidOffset = kPrRegOffset + kUserRegsSize;  // right after pr_reg
// struct user_i387_struct (FXSAVE format).
inline constexpr std::uint64_t kFxsaveSize = 512;

// user_regs_struct in the kernel's order; also the order registers are listed in reports.
std::span<const std::string_view> user_regs_names();

// Decodes pr_reg into THREAD's general registers.
void decode_user_regs(const ByteReader& prstatus, Thread& thread);
// Adds x87 (st0-7), SSE (xmm0-15) and control registers from an FXSAVE area.
void decode_fxsave(const ByteReader& fxsave, Thread& thread);
// Adds the upper halves of AVX registers (ymm0-15) from an XSAVE area when XSTATE_BV says they
// are live; xmm registers come from the legacy area at its start (same layout as FXSAVE).
void decode_xsave(const ByteReader& xsave, Thread& thread);

}  // namespace corelens::x86_64
