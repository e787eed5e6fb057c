// Errors are values (std::expected): no exception crosses a library boundary.
// An Error says what went wrong, in words a user can act on, and where (a file offset or a
// virtual address) when that is known.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/model/expected.hpp"

namespace corelens {

enum class ErrorCode {
  io,            // the file could not be opened, stat'ed or mapped
  not_a_dump,    // the bytes are not a format we read
  unsupported,   // a dump we recognise but cannot read (another architecture, ELFCLASS32 ...)
  truncated,     // the file ends before a structure it claims to contain
  malformed,     // a structure is inconsistent (overflowing sizes, counts beyond caps ...)
  not_mapped,    // a virtual address outside every mapping of the dump
  not_saved,     // a virtual address inside a mapping whose bytes the dump did not save
  not_found,     // a file, module, thread or symbol that was asked for does not exist
  internal,      // a library we call failed in a way the input does not explain
  cancelled,     // the caller asked the work to stop (a front end's Cancel button)
  not_permitted, // the system refuses (ptrace of a live process: Yama, capabilities)
  busy,          // held by someone else (a live process another debugger already traces)
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  // The file offset (for parse errors) or virtual address (for memory faults) the error is about.
  std::optional<std::uint64_t> where;

  std::string describe() const;
};

template <typename T>
using Result = expected<T, Error>;

inline unexpected<Error> fail(ErrorCode code, std::string message,
                              std::optional<std::uint64_t> where = std::nullopt) {
  return unexpected<Error>(Error{code, std::move(message), where});
}

}  // namespace corelens
