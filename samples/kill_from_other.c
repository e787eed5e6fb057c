/* kill_from_other: a forked child sends its parent SIGSEGV while the parent waits in pause().
 * Nothing in the parent faulted.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SI_USER (0), si_pid = the child's pid
 *   frames  pause (libc), wait_for_child (the crash-marker line) <- main
 */
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

void wait_for_child(void)
{
    for (;;)
        pause();                        // CRASH-SITE
}

int main(void)
{
    pid_t parent = getpid();
    if (fork() == 0) {
        usleep(100 * 1000);             /* let the parent reach pause() first */
        kill(parent, SIGSEGV);
        _exit(0);
    }
    wait_for_child();                   // CALL-SITE wait_for_child
    return 0;
}
