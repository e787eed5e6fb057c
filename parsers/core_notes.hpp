// Decoders for the architecture-independent notes of a Linux core: NT_PRPSINFO, NT_SIGINFO,
// NT_AUXV, NT_FILE, and the signal fields of NT_PRSTATUS. Layouts are those of
// include/uapi/linux/elfcore.h and siginfo_t, in two sizes: WORD is the size of a long and of a
// pointer, 8 on 64-bit targets (x86_64, aarch64, ppc64le, s390x), 4 on 32-bit ones (i386, arm).
// The byte order is the ByteReader's (s390x is big-endian).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/file/byte_reader.hpp"
#include "core/model/diagnostics.hpp"
#include "core/model/process.hpp"

namespace corelens::notes {

// Note types (include/uapi/linux/elf.h); the name says which namespace the type lives in.
inline constexpr std::uint32_t kPrStatus = 1, kFpRegSet = 2, kPrPsInfo = 3, kTaskStruct = 4,
                               kAuxv = 6, kSigInfo = 0x53494749, kFile = 0x46494c45,
                               kPrXfpReg = 0x46e62b7f, kX86Xstate = 0x202,
                               kX86XsaveLayout = 0x205, kGdbTdesc = 0xff000000;  // gdb 13 writes the target description as type 0xff000000

// "NT_PRSTATUS" ..., or "" when unknown. NAME is the note's owner ("CORE", "LINUX", "GDB").
std::string type_name(const std::string& name, std::uint32_t type);

// Descriptor sizes: struct elf_prpsinfo (64-bit; 32-bit with 16-bit ids, i386 and arm) and
// siginfo_t.
inline constexpr std::uint64_t kPrPsInfoSize64 = 136, kPrPsInfoSize32 = 124;
inline constexpr std::uint64_t kSigInfoSize = 128;

// Caps on counts a note may claim; real processes stay far below them.
inline constexpr std::uint64_t kMaxAuxvEntries = 1024;
inline constexpr std::uint64_t kMaxFileEntries = 1u << 20;
inline constexpr std::uint64_t kMaxPathLength = 4096;

// The signal and process fields that precede pr_reg in struct elf_prstatus.
void decode_prstatus_header(const ByteReader& desc, Thread& thread, unsigned word = 8);
Result<PsInfo> decode_prpsinfo(const ByteReader& desc, unsigned word = 8);
Result<SigInfo> decode_siginfo(const ByteReader& desc, unsigned word = 8);
std::vector<AuxvEntry> decode_auxv(const ByteReader& desc, Diagnostics& diags, unsigned word = 8);
std::vector<FileRange> decode_file(const ByteReader& desc, Diagnostics& diags, unsigned word = 8);

}  // namespace corelens::notes
