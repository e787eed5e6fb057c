/* kill_from_library: a program whose code lives in a shared library, as python3's lives in
 * libpython: main only jumps to the library's run_program (a tail call at -O2), so the executable
 * has nothing but _start on the stack when the library sends SIGSEGV to its own pid.
 * FLAGS: -O2 for the executable (main's tail call); the library is this file again, built with
 * -DKILL_FROM_LIBRARY_SO -O0 -fPIC -shared (tests/binaries/make-binaries-cores.sh builds both).
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SI_USER (0), si_pid = its own pid
 *   frames  kill (libc), stop_in_library (the crash-marker line) <- run_program <- libc's start
 *           <- _start; main is gone from the stack
 */
#include <signal.h>
#include <unistd.h>

int run_program(void);

#ifdef KILL_FROM_LIBRARY_SO
void stop_in_library(void)
{
    kill(getpid(), SIGSEGV);            // CRASH-SITE
}

int run_program(void)
{
    stop_in_library();
    return 0;
}
#else
int main(void)
{
    return run_program();               /* a tail call: main leaves the stack */
}
#endif
