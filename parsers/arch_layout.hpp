// Per-architecture layouts of NT_PRSTATUS: where pr_reg sits in struct elf_prstatus, and which
// register is at which offset in it, under the name reports use for that architecture (the names
// gdb shows). One implementation file per architecture (arch_aarch64.cpp, arch_arm.cpp, ...);
// this header is what elf_core.cpp dispatches on.
//
// struct elf_prstatus is the same on every Linux architecture up to pr_reg, but in two sizes: the
// 64-bit one (longs and timevals of 8 bytes, pr_reg at 112) and the 32-bit one (i386, arm: pr_reg
// at 72). pr_reg is the architecture's elf_gregset_t: 27 longs on x86_64, 34 on aarch64, 48 on
// ppc64; s390x mixes 8-byte registers with 4-byte access registers.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/file/byte_reader.hpp"
#include "core/model/arch.hpp"
#include "core/model/process.hpp"

namespace corelens {

struct RegisterSlot {
  std::string_view name;
  std::uint16_t offset = 0;  // within pr_reg
  std::uint8_t size = 8;     // bytes: 4 or 8, in the core's byte order
};

struct PrStatusLayout {
  Arch arch = Arch::unknown;
  std::uint64_t size = 0;           // sizeof(struct elf_prstatus), what the kernel and qemu write
  std::uint64_t pr_reg_offset = 0;  // 112 (64-bit) or 72 (32-bit)
  std::span<const RegisterSlot> registers;  // in pr_reg order, which is also the report's order
};

// The layout for ARCH, or null for an architecture we do not know.
const PrStatusLayout* prstatus_layout(Arch arch);

const PrStatusLayout& prstatus_layout_x86_64();
const PrStatusLayout& prstatus_layout_aarch64();
const PrStatusLayout& prstatus_layout_i386();
const PrStatusLayout& prstatus_layout_arm();
const PrStatusLayout& prstatus_layout_ppc64le();
const PrStatusLayout& prstatus_layout_s390x();

// Decodes pr_reg into THREAD's general registers; registers cut off by a short note are left out.
void decode_prstatus_registers(const PrStatusLayout& layout, const ByteReader& prstatus, Thread& thread);

// A table of N consecutive registers of SIZE bytes from offset FIRST: the common case.
template <std::size_t N>
constexpr std::array<RegisterSlot, N> consecutive_registers(const std::array<std::string_view, N>& names,
                                                            std::uint8_t size, std::uint16_t first = 0) {
  std::array<RegisterSlot, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    out[i] = RegisterSlot{names[i], static_cast<std::uint16_t>(first + i * size), size};
  }
  return out;
}

}  // namespace corelens
