// Test-only writer of the ELF structures every synthetic file shares (the identification, the file
// header, program headers, notes) in either class and byte order, and the constants they use, in
// our own spelling with values from the ELF gABI and the Linux uapi headers. Deliberately not
// <elf.h> nor the parsers' definitions: a wrong layout there cannot hide behind a shared one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/support/byte_writer.hpp"

namespace corelens::testing {

namespace elfc {
inline constexpr std::uint16_t ET_EXEC = 2;
inline constexpr std::uint16_t ET_DYN = 3;
inline constexpr std::uint16_t ET_CORE = 4;
inline constexpr std::uint16_t EM_386 = 3;
inline constexpr std::uint16_t EM_PPC64 = 21;
inline constexpr std::uint16_t EM_S390 = 22;
inline constexpr std::uint16_t EM_ARM = 40;
inline constexpr std::uint16_t EM_X86_64 = 62;
inline constexpr std::uint16_t EM_AARCH64 = 183;
inline constexpr std::uint8_t ELFCLASS32 = 1;
inline constexpr std::uint8_t ELFCLASS64 = 2;
inline constexpr std::uint8_t ELFDATA2LSB = 1;
inline constexpr std::uint8_t ELFDATA2MSB = 2;
inline constexpr std::uint8_t EV_CURRENT = 1;
inline constexpr std::uint32_t PT_LOAD = 1;
inline constexpr std::uint32_t PT_DYNAMIC = 2;
inline constexpr std::uint32_t PT_NOTE = 4;
inline constexpr std::uint32_t PT_PHDR = 6;
inline constexpr std::uint32_t PT_ARM_EXIDX = 0x70000001;
inline constexpr std::uint32_t PF_X = 1;
inline constexpr std::uint32_t PF_W = 2;
inline constexpr std::uint32_t PF_R = 4;
inline constexpr std::uint32_t NT_PRSTATUS = 1;
inline constexpr std::uint32_t NT_PRFPREG = 2;  // a.k.a. NT_FPREGSET
inline constexpr std::uint32_t NT_PRPSINFO = 3;
inline constexpr std::uint32_t NT_GNU_BUILD_ID = 3;  // owner "GNU"
inline constexpr std::uint32_t NT_AUXV = 6;
inline constexpr std::uint32_t NT_GDB_TDESC = 0xff000000;  // owner "GDB" (what gdb 13 gcore writes)
inline constexpr std::uint32_t NT_X86_XSTATE = 0x202;
inline constexpr std::uint32_t NT_X86_XSAVE_LAYOUT = 0x205;  // "LINUX", once, after all threads
inline constexpr std::uint32_t NT_SIGINFO = 0x53494749;  // "SIGI"
inline constexpr std::uint32_t NT_FILE = 0x46494c45;     // "FILE"
inline constexpr std::uint32_t NT_VMCOREINFO = 0;        // owner "VMCOREINFO" (kernel/crash_core.c)
inline constexpr std::uint64_t AT_NULL = 0;

inline constexpr std::size_t EHDR64_SIZE = 64;
inline constexpr std::size_t EHDR32_SIZE = 52;
inline constexpr std::size_t PHDR64_SIZE = 56;
inline constexpr std::size_t PHDR32_SIZE = 32;
inline constexpr std::size_t NHDR_SIZE = 12;
inline constexpr std::size_t PRSTATUS_SIZE = 336;  // x86_64 struct elf_prstatus
inline constexpr std::size_t PRPSINFO_SIZE = 136;  // 64-bit struct elf_prpsinfo
inline constexpr std::size_t PRPSINFO32_SIZE = 124;  // i386/arm struct elf_prpsinfo (16-bit uid)
inline constexpr std::size_t SIGINFO_SIZE = 128;   // siginfo_t
inline constexpr std::size_t FXSAVE_SIZE = 512;    // struct user_i387_struct
inline constexpr std::size_t PRSTATUS_PR_REG_OFFSET = 112;
inline constexpr std::size_t XSAVE_HEADER_OFFSET = 512;
inline constexpr std::size_t XSAVE_XCR0_OFFSET = 464;  // Linux puts XCR0 in sw_reserved
inline constexpr std::size_t XSAVE_YMMH_OFFSET = 576;
}  // namespace elfc

// The sizes of the class's structures.
struct ElfSizes {
  std::size_t ehdr, phdr, shdr, sym;
};
ElfSizes elf_sizes(const ElfFormat& f);

struct EhdrFields {
  std::uint16_t type = elfc::ET_CORE;
  std::uint64_t entry = 0;
  std::uint64_t phoff = 0;
  std::uint64_t shoff = 0;
  std::uint16_t phnum = 0;
  std::uint16_t shnum = 0;  // e_shentsize is written only with sections
  std::uint16_t shstrndx = 0;
};
// The ELF header at offset 0: identification (class, byte order, EV_CURRENT, ELFOSABI_NONE as
// Linux writes it), e_machine from the writer's format, e_ehsize and e_phentsize always.
void put_ehdr(ByteWriter& w, const EhdrFields& e);

struct PhdrFields {
  std::uint32_t type = elfc::PT_LOAD;
  std::uint32_t flags = 0;
  std::uint64_t offset = 0, vaddr = 0, paddr = 0, filesz = 0, memsz = 0, align = 0;
};
// A program header at AT (Elf64_Phdr puts p_flags second, Elf32_Phdr next to last).
void put_phdr(ByteWriter& w, std::size_t at, const PhdrFields& p);

// A note (gABI): namesz, descsz, type, the name and its NUL padded to 4, the descriptor padded to
// 4 (as Linux and QEMU write notes in both classes). Returns where the descriptor starts.
std::size_t put_note(ByteWriter& w, std::size_t at, std::string_view name, std::uint32_t type, const Bytes& desc);
// The padded size of that note.
std::size_t note_size(std::string_view name, std::size_t desc_size);

}  // namespace corelens::testing
