/* kill_self: sends SIGSEGV to its own pid with kill(2), as `kill -SEGV $$` does to a shell.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SI_USER (0), si_pid = its own pid
 *   frames  kill (libc), stop_now (the crash-marker line) <- main
 */
#include <signal.h>
#include <unistd.h>

void stop_now(void)
{
    kill(getpid(), SIGSEGV);            // CRASH-SITE
}

int main(void)
{
    stop_now();                         // CALL-SITE stop_now
    return 0;
}
