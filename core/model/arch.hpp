// The CPU architectures a dump can come from. Architecture specifics (register layouts, names,
// DWARF numbering) live in per-architecture files in parsers/ and unwinder/; this header holds
// the few facts every layer needs: word size, byte order, the names of the pc and sp registers.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>

namespace corelens {

enum class Arch { unknown, x86_64, aarch64, i386, arm, ppc64le, s390x };

std::string_view to_string(Arch arch);
// The inverse of to_string (a Report names its architecture so): Arch::unknown for any other name.
Arch arch_from_string(std::string_view name);
// The ELF e_machine value of an architecture (0 when unknown).
std::uint16_t elf_machine(Arch arch);
// IS_64BIT is the ELF class, BIG_ENDIAN its data encoding: EM_PPC64 is ppc64le only when
// little-endian (big-endian ppc64 is another ABI we do not read).
Arch arch_from_elf_machine(std::uint16_t machine, bool is_64bit, bool big_endian = false);

// Bytes in a pointer (and in a general register's saved slot): 4 for i386 and arm.
unsigned pointer_size(Arch arch);
// Hex digits of an address as the text reports print it: 8 on 32-bit architectures, as gdb and
// eu-stack print them there, 16 elsewhere (and for an architecture the report does not name).
int address_digits(std::string_view arch_name);
std::endian byte_order(Arch arch);
// The register names (as the parsers name them in RegisterSet) of the program counter and the
// stack pointer: "rip"/"rsp", "pc"/"sp", "eip"/"esp", "nip"/"r1", "pswa"/"r15".
std::string_view pc_register(Arch arch);
std::string_view sp_register(Arch arch);
// The register holding the return address on entry to a function, on architectures whose calls
// put it there instead of on the stack ("x30", "lr", "r14"); "" on x86.
std::string_view link_register(Arch arch);
// Debian's multiarch triple, which also names the cross sysroot /usr/<triple> that Debian's
// libc6-dev-<arch>-cross packages install ("aarch64-linux-gnu"); "" when unknown.
std::string_view gnu_triple(Arch arch);

}  // namespace corelens
