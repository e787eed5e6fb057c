#include "unwinder/call_site_check.hpp"

#include <array>
#include <span>

namespace corelens {
namespace {

// The lengths a call instruction may have, shortest first, for each architecture.
struct CallShape {
  std::size_t min = 0, max = 0, step = 1;
};

CallShape shape(Arch arch, bool thumb) {
  switch (arch) {
    case Arch::x86_64: return {2, 8, 1};  // call *%rax .. REX + call *disp32(%r12,...)
    case Arch::i386: return {2, 7, 1};
    case Arch::aarch64: case Arch::ppc64le: return {4, 4, 4};
    case Arch::arm: return thumb ? CallShape{2, 4, 2} : CallShape{4, 4, 4};
    case Arch::s390x: return {2, 6, 2};
    case Arch::unknown: break;
  }
  return {};
}

}  // namespace

CallSiteCheck::CallSiteCheck(Arch arch) : arch_(arch) {
  decoders_[0] = InstructionDecoder::open(arch, false);
  if (arch == Arch::arm) decoders_[1] = InstructionDecoder::open(arch, true);
}

std::optional<CallSiteCheck::CallSite> CallSiteCheck::decode_call(const Target& target, std::uint64_t ret,
                                                                  std::size_t decoder_index) const {
  const bool thumb = decoder_index == 1;
  const CallShape s = shape(arch_, thumb);
  constexpr std::size_t kMaxCall = 8;
  if (s.max == 0 || ret < s.max || !target.is_executable(ret - 1)) return std::nullopt;
  std::array<std::uint8_t, kMaxCall> bytes{};
  std::span<std::uint8_t> window(bytes.data() + (kMaxCall - s.max), s.max);
  if (!target.read_code(ret - s.max, std::as_writable_bytes(window))) return std::nullopt;
  for (std::size_t size = s.min; size <= s.max; size += s.step) {
    auto insn = decoders_[decoder_index]->decode(std::span(bytes.data() + (kMaxCall - size), size), ret - size);
    if (insn && insn->length == size && insn->is_call) return CallSite{ret - size, insn->direct_target};
  }
  return std::nullopt;
}

std::optional<CallSiteCheck::CallSite> CallSiteCheck::call_before(const Target& target, std::uint64_t addr) const {
  if (arch_ == Arch::arm && (addr & 1) != 0) {
    // A Thumb return address: the call (a 4-byte bl/blx, or a 2-byte blx rN) ends at addr - 1.
    if (!decoders_[1]) return std::nullopt;
    return decode_call(target, addr & ~std::uint64_t{1}, 1);
  }
  if (!decoders_[0]) {
    // No decoder for this architecture: executable is all we know.
    if (addr == 0 || !target.is_executable(addr - 1)) return std::nullopt;
    return CallSite{addr - 1, std::nullopt};
  }
  if ((arch_ == Arch::aarch64 || arch_ == Arch::ppc64le || arch_ == Arch::arm) && (addr & 3) != 0) return std::nullopt;
  if (arch_ == Arch::s390x && (addr & 1) != 0) return std::nullopt;
  return decode_call(target, addr, 0);
}

bool CallSiteCheck::is_return_address(const Target& target, std::uint64_t addr) const {
  return call_before(target, addr).has_value() || is_signal_trampoline(target, addr);
}

bool CallSiteCheck::is_signal_trampoline(const Target& target, std::uint64_t addr) const {
  // A signal handler returns into the sigreturn trampoline the kernel set up (glibc's
  // __restore_rt: mov $15, %rax; syscall), which no call precedes. x86_64 only: the code is
  // glibc's and the ABI's, the same in every release.
  static constexpr std::array<std::uint8_t, 9> kRestoreRt{0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};
  if (arch_ != Arch::x86_64 || !target.is_executable(addr)) return false;
  std::array<std::uint8_t, kRestoreRt.size()> bytes{};
  return target.read_code(addr, std::as_writable_bytes(std::span(bytes))) && bytes == kRestoreRt;
}

bool CallSiteCheck::is_unverifiable(const Target& target, std::uint64_t addr) const {
  const std::uint64_t code = code_address(addr);
  if (code == 0 || !target.is_executable(code - 1)) return false;
  std::array<std::byte, 1> byte{};
  return !target.read_code(code - 1, byte);
}

}  // namespace corelens
