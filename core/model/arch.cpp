#include "core/model/arch.hpp"

#include <elf.h>

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

Arch arch_from_string(std::string_view name) {
  for (Arch a : {Arch::x86_64, Arch::aarch64, Arch::i386, Arch::arm, Arch::ppc64le, Arch::s390x}) {
    if (to_string(a) == name) return a;
  }
  return Arch::unknown;
}

// e_machine values from the ELF psABI supplements (<elf.h> names them).
std::uint16_t elf_machine(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return EM_X86_64;
    case Arch::aarch64: return EM_AARCH64;
    case Arch::i386: return EM_386;
    case Arch::arm: return EM_ARM;
    case Arch::ppc64le: return EM_PPC64;
    case Arch::s390x: return EM_S390;
    case Arch::unknown: break;
  }
  return 0;
}

Arch arch_from_elf_machine(std::uint16_t machine, bool is_64bit, bool big_endian) {
  // Each architecture comes in one class and one byte order here; a header claiming another
  // (a 32-bit EM_X86_64 file, a big-endian EM_AARCH64 one) is another ABI, not this one.
  switch (machine) {
    case EM_X86_64: return is_64bit && !big_endian ? Arch::x86_64 : Arch::unknown;
    case EM_AARCH64: return is_64bit && !big_endian ? Arch::aarch64 : Arch::unknown;
    case EM_386: return !is_64bit && !big_endian ? Arch::i386 : Arch::unknown;
    case EM_ARM: return !is_64bit && !big_endian ? Arch::arm : Arch::unknown;
    case EM_PPC64: return is_64bit && !big_endian ? Arch::ppc64le : Arch::unknown;
    case EM_S390: return is_64bit && big_endian ? Arch::s390x : Arch::unknown;
    default: return Arch::unknown;
  }
}

unsigned pointer_size(Arch arch) { return arch == Arch::i386 || arch == Arch::arm ? 4 : 8; }

int address_digits(std::string_view arch_name) { return static_cast<int>(2 * pointer_size(arch_from_string(arch_name))); }

std::endian byte_order(Arch arch) { return arch == Arch::s390x ? std::endian::big : std::endian::little; }

std::string_view pc_register(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return "rip";
    case Arch::i386: return "eip";
    case Arch::aarch64: case Arch::arm: return "pc";
    case Arch::ppc64le: return "nip";
    case Arch::s390x: return "pswa";
    case Arch::unknown: break;
  }
  return "";
}

std::string_view sp_register(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return "rsp";
    case Arch::i386: return "esp";
    case Arch::aarch64: case Arch::arm: return "sp";
    case Arch::ppc64le: return "r1";
    case Arch::s390x: return "r15";
    case Arch::unknown: break;
  }
  return "";
}

std::string_view link_register(Arch arch) {
  switch (arch) {
    case Arch::aarch64: return "x30";
    case Arch::arm: case Arch::ppc64le: return "lr";
    case Arch::s390x: return "r14";
    default: return "";
  }
}

std::string_view gnu_triple(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return "x86_64-linux-gnu";
    case Arch::aarch64: return "aarch64-linux-gnu";
    case Arch::i386: return "i686-linux-gnu";
    case Arch::arm: return "arm-linux-gnueabihf";
    case Arch::ppc64le: return "powerpc64le-linux-gnu";
    case Arch::s390x: return "s390x-linux-gnu";
    case Arch::unknown: break;
  }
  return "";
}

}  // namespace corelens
