// Why a value cannot be shown. Every value the engine cannot know says so with one of these
// reasons, never with a guess or a zero (style.md, point 16).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/model/expected.hpp"

namespace corelens::values {

struct Unavailable {
  enum class Why {
    optimized_out,           // no location at this pc (gdb's <optimized out>)
    not_in_core,             // memory the core did not save (a filtered mapping, an omitted page)
    not_mapped,              // memory no mapping of the process covers (a wild pointer)
    register_not_recovered,  // a register the unwinder did not recover for this frame
    error,                   // damaged or unsupported DWARF, a cap reached
  };
  Why why = Why::error;
  std::string detail;                    // the register's name, the error in words
  std::optional<std::uint64_t> address;  // not_in_core / not_mapped: the first unreadable byte

  // "optimized out", "not saved in the core (0x7ffd0000)", "register not recovered (rdi)",
  // "cannot access memory at 0x10", "<error: DW_OP_xderef is not supported>".
  std::string describe() const;
};

// A value, or why it is unavailable.
template <typename T>
using Known = expected<T, Unavailable>;
inline unexpected<Unavailable> unavailable(Unavailable u) { return unexpected<Unavailable>(std::move(u)); }

inline Unavailable optimized_out() { return Unavailable{Unavailable::Why::optimized_out, {}, std::nullopt}; }
inline Unavailable value_error(std::string detail) {
  return Unavailable{Unavailable::Why::error, std::move(detail), std::nullopt};
}
inline Unavailable register_not_recovered(std::string name) {
  return Unavailable{Unavailable::Why::register_not_recovered, std::move(name), std::nullopt};
}

}  // namespace corelens::values
