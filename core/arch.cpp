#include "core/arch.hpp"

namespace corelens {

std::string_view to_string(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return "x86_64";
    case Arch::aarch64: return "aarch64";
    case Arch::i386: return "i386";
    case Arch::arm: return "arm";
    case Arch::ppc64le: return "ppc64le";
    case Arch::s390x: return "s390x";
    case Arch::unknown: break;
  }
  return "unknown";
}

// e_machine values from the ELF psABI supplements.
std::uint16_t elf_machine(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return 62;
    case Arch::aarch64: return 183;
    case Arch::i386: return 3;
    case Arch::arm: return 40;
    case Arch::ppc64le: return 21;
    case Arch::s390x: return 22;
    case Arch::unknown: break;
  }
  return 0;
}

Arch arch_from_elf_machine(std::uint16_t machine, bool is_64bit) {
  switch (machine) {
    case 62: return is_64bit ? Arch::x86_64 : Arch::unknown;
    case 183: return Arch::aarch64;
    case 3: return Arch::i386;
    case 40: return Arch::arm;
    case 21: return is_64bit ? Arch::ppc64le : Arch::unknown;
    case 22: return Arch::s390x;
    default: return Arch::unknown;
  }
}

}  // namespace corelens
