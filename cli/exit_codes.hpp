// The exit codes of `corelens`, documented in --help and the README.
#pragma once

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

}  // namespace corelens::cli
