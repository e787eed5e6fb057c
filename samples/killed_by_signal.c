/* killed_by_signal: another process (a child it forks) sends it SIGQUIT while it waits in
 * pause(); SIGQUIT's default action dumps core. Nothing in the program is wrong: the core says
 * who sent the signal (si_code SI_USER, si_pid = the child's pid, si_uid).
 *
 * What a debugger should show:
 *   signal  SIGQUIT (3), si_code SI_USER (0), sent by the child's pid
 *   frames  #0 __libc_pause (libc), then wait_for_work (the crash-marker line), then main
 */
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

void wait_for_work(void)
{
    for (;;)
        pause();                        // CRASH-SITE
}

int main(void)
{
    pid_t parent = getpid();
    if (fork() == 0) {
        usleep(100 * 1000);             /* let the parent reach pause() first */
        kill(parent, SIGQUIT);
        _exit(0);
    }
    wait_for_work();                    // CALL-SITE wait_for_work
    return 0;
}
