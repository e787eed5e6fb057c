/* stack_smashing: a loop writes past the end of a local array, over the stack protector's canary;
 * the check when copy_name returns calls __stack_chk_fail, which aborts.
 * Built with -fstack-protector-strong (Debian's gcc does not enable it by default).
 *
 * What a debugger should show:
 *   signal  SIGABRT (6), si_code SI_TKILL (-6)
 *   frames  #0 __pthread_kill_implementation (libc) ... raise, abort, __libc_message,
 *           __fortify_fail, __stack_chk_fail, then copy_name (the crash-marker line: its
 *           closing brace, where the canary is checked), then main
 *   stderr  "*** stack smashing detected ***: terminated"
 */
#include <stdio.h>

void copy_name(const char *name, int length)
{
    /* Copies in locals: the stack protector puts scalars below the array, out of the overrun's
     * way; the arguments themselves lie above the return address on i386, in its way. */
    const char *from = name;
    int count = length;
    char local[8];
    for (int i = 0; i < count; ++i)
        local[i] = from[i % 4];         /* writes past local[7] when count > 8 */
    printf("%c\n", local[0]);
}                                       // CRASH-SITE

int main(void)
{
    copy_name("abcd", 64);              // CALL-SITE copy_name
    return 0;
}
