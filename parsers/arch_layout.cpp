#include "parsers/arch_layout.hpp"

namespace corelens {

const PrStatusLayout* prstatus_layout(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return &prstatus_layout_x86_64();
    case Arch::aarch64: return &prstatus_layout_aarch64();
    case Arch::i386: return &prstatus_layout_i386();
    case Arch::arm: return &prstatus_layout_arm();
    case Arch::ppc64le: return &prstatus_layout_ppc64le();
    case Arch::s390x: return &prstatus_layout_s390x();
    case Arch::unknown: break;
  }
  return nullptr;
}

void decode_prstatus_registers(const PrStatusLayout& layout, const ByteReader& prstatus, Thread& thread) {
  thread.registers.general.clear();
  thread.registers.general.reserve(layout.registers.size());
  for (const RegisterSlot& slot : layout.registers) {
    std::uint64_t offset = layout.pr_reg_offset + slot.offset;
    std::optional<std::uint64_t> value;
    if (slot.size == 4) {
      if (auto v = prstatus.u32(offset)) value = *v;
    } else if (auto v = prstatus.u64(offset)) {
      value = *v;
    }
    if (!value) continue;  // a short note: the registers past its end are unknown, not zero
    thread.registers.general.push_back(Register{slot.name, *value});
  }
}

}  // namespace corelens
