// Whether an address is a plausible return address: executable, and just after a call
// instruction (decoded with Capstone). The frame-pointer walk and the stack scan accept a caller
// only on this evidence; it is what keeps a scan from turning stale stack words into frames.
#pragma once

#include <cstdint>
#include <memory>

#include "core/arch.hpp"
#include "unwinder/target.hpp"

namespace corelens {

class CallSiteCheck {
 public:
  explicit CallSiteCheck(Arch arch);
  ~CallSiteCheck();
  CallSiteCheck(const CallSiteCheck&) = delete;
  CallSiteCheck& operator=(const CallSiteCheck&) = delete;

  bool is_return_address(const Target& target, std::uint64_t addr) const;

 private:
  Arch arch_;
  std::size_t handle_ = 0;  // Capstone's csh; 0 when Capstone has no decoder for ARCH
};

}  // namespace corelens
