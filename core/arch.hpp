// The CPU architectures a dump can come from. Architecture specifics (register layouts, names,
// DWARF numbering) live in per-architecture files in parsers/ and unwinder/.
#pragma once

#include <cstdint>
#include <string_view>

namespace corelens {

enum class Arch { unknown, x86_64, aarch64, i386, arm, ppc64le, s390x };

std::string_view to_string(Arch arch);
// The ELF e_machine value of an architecture (0 when unknown).
std::uint16_t elf_machine(Arch arch);
Arch arch_from_elf_machine(std::uint16_t machine, bool is_64bit);

}  // namespace corelens
