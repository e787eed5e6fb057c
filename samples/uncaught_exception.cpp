// uncaught_exception: throws std::runtime_error three calls below main and nobody catches it.
//
// What a debugger should show:
//   signal  SIGABRT (6), si_code SI_TKILL (-6): __cxa_throw finds no handler and calls
//           std::terminate, whose default handler prints the message and calls abort()
//   frames  #0 __pthread_kill_implementation (libc) ... raise, abort,
//           __gnu_cxx::__verbose_terminate_handler, __cxxabiv1::__terminate, std::terminate,
//           __cxa_throw (libstdc++), then validate_config(int) (the crash-marker line),
//           load_config(int), run_job(), main
//   stderr  "terminate called after throwing an instance of 'std::runtime_error'
//             what():  config value out of range: -1"
// Because there is no handler at all, the stack is not unwound: the throwing frames stay in the core.
#include <cstdio>
#include <stdexcept>
#include <string>

void validate_config(int value)
{
    if (value < 0)
        throw std::runtime_error("config value out of range: " + std::to_string(value)); // CRASH-SITE
}

int load_config(int value)
{
    validate_config(value);             // CALL-SITE validate_config
    return value * 2;
}

int run_job()
{
    return load_config(-1) + 1;         // CALL-SITE load_config
}

int main()
{
    std::printf("%d\n", run_job());     // CALL-SITE run_job
    return 0;
}
