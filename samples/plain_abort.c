/* plain_abort: the program calls abort() itself, with no message.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGABRT, SI_TKILL; frames ... raise, abort, then give_up (the crash-marker line), main
 */
#include <stdio.h>
#include <stdlib.h>

void give_up(int reason)
{
    if (reason != 0)
        abort();                        // CRASH-SITE
}

int main(void)
{
    give_up(3);                         // CALL-SITE give_up
    return 0;
}
