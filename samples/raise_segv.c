/* raise_segv: calls raise(SIGSEGV) itself; nothing faults.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SI_TKILL (-6), si_pid = its own pid
 *   frames  libc's raise path, give_up (the crash-marker line) <- main
 */
#include <signal.h>

void give_up(void)
{
    raise(SIGSEGV);                     // CRASH-SITE
}

int main(void)
{
    give_up();                          // CALL-SITE give_up
    return 0;
}
