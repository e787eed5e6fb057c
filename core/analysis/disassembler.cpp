#include "core/analysis/disassembler.hpp"

#include "core/analysis/disassembler_arch.hpp"

#include <capstone/capstone.h>

namespace corelens {

Result<std::unique_ptr<Disassembler>> make_disassembler(Arch arch, const std::vector<Register>* registers) {
  switch (arch) {
    case Arch::x86_64: return make_disassembler_x86(true);
    case Arch::i386: return make_disassembler_x86(false);
    case Arch::aarch64: return make_disassembler_arm64();
    case Arch::arm: {
      // CPSR's T bit (5): the thread was running Thumb code, as Debian's armhf code is.
      bool thumb = true;
      if (registers != nullptr) {
        for (const auto& r : *registers) {
          if (r.name == "cpsr") thumb = (r.value & (1u << 5)) != 0;
        }
      }
      return make_disassembler_arm(thumb);
    }
    case Arch::ppc64le: return make_disassembler_ppc64le();
    case Arch::s390x: return make_disassembler_s390x();
    case Arch::unknown: break;
  }
  return fail(ErrorCode::unsupported, "no disassembler for " + std::string(to_string(arch)));
}

std::pair<std::string, std::string> disassembler_library_version() {
  int major = 0, minor = 0;
  cs_version(&major, &minor);
  return {"capstone", std::to_string(major) + "." + std::to_string(minor)};
}

}  // namespace corelens
