// The exit codes of `corelens`, documented in --help and the README.
#pragma once

#include "core/model/error.hpp"

namespace corelens::cli {

inline constexpr int kExitOk = 0;           // the dump was analysed (whatever it shows)
inline constexpr int kExitUsage = 64;       // bad command line (EX_USAGE)
inline constexpr int kExitNotADump = 65;    // the file is not a dump, or is damaged beyond reading (EX_DATAERR)
inline constexpr int kExitUnsupported = 69; // a dump of a kind this version cannot read (EX_UNAVAILABLE)
inline constexpr int kExitIo = 66;          // the file cannot be opened or mapped (EX_NOINPUT)
inline constexpr int kExitInternal = 70;    // a bug or an unexpected library failure (EX_SOFTWARE)
inline constexpr int kExitLimit = 75;       // --isolate: past the time or memory limit; --pid: traced by
                                            // another process (EX_TEMPFAIL)
inline constexpr int kExitNoPermission = 77;  // --pid, snapshot: not permitted to trace it (EX_NOPERM)

// The exit code for a dump (or, with --pid, a process) that could not be analysed.
inline int exit_code_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::io: return kExitIo;
    case ErrorCode::not_a_dump:
    case ErrorCode::truncated:
    case ErrorCode::malformed: return kExitNotADump;
    case ErrorCode::unsupported: return kExitUnsupported;
    case ErrorCode::not_found: return kExitIo;  // --pid: no such process
    case ErrorCode::not_permitted: return kExitNoPermission;
    case ErrorCode::busy: return kExitLimit;     // --pid: traced by another process; try again later
    default: return kExitInternal;
  }
}

}  // namespace corelens::cli
