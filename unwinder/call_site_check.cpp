#include "unwinder/call_site_check.hpp"

#include <capstone/capstone.h>

#include <array>
#include <cstring>

namespace corelens {
namespace {

// x86_64 calls are 2 (call *%rax) to 8 bytes (REX + call *disp32(%r12,...)) long.
constexpr std::size_t kMinCallSize = 2, kMaxCallSize = 8;

}  // namespace

CallSiteCheck::CallSiteCheck(Arch arch) : arch_(arch) {
  csh h = 0;
  if (arch == Arch::x86_64 && cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK) handle_ = h;
}

CallSiteCheck::~CallSiteCheck() {
  if (handle_ != 0) {
    csh h = handle_;
    cs_close(&h);
  }
}

bool CallSiteCheck::is_return_address(const Target& target, std::uint64_t addr) const {
  if (addr < kMaxCallSize || !target.is_executable(addr - 1)) return false;
  if (handle_ == 0) return true;  // no decoder for this architecture: executable is all we know
  std::array<std::uint8_t, kMaxCallSize> bytes{};
  if (!target.read_code(addr - kMaxCallSize, std::as_writable_bytes(std::span(bytes)))) return false;
  for (std::size_t size = kMinCallSize; size <= kMaxCallSize; ++size) {
    cs_insn* insn = nullptr;
    std::size_t n = cs_disasm(handle_, bytes.data() + (kMaxCallSize - size), size, addr - size, 1, &insn);
    bool is_call = n == 1 && insn[0].size == size && std::strncmp(insn[0].mnemonic, "call", 4) == 0;
    if (n > 0) cs_free(insn, n);
    if (is_call) return true;
  }
  return false;
}

}  // namespace corelens
