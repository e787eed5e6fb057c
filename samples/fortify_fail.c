/* fortify_fail: strcpy into an 8-byte array of a longer string, built with _FORTIFY_SOURCE: the
 * compiler calls __strcpy_chk with the array's size, which stops before writing and aborts
 * through __chk_fail.
 * FLAGS: -O2 -D_FORTIFY_SOURCE=2
 *
 * What a debugger should show:
 *   signal  SIGABRT, SI_TKILL; frames ... abort, __libc_message, __fortify_fail, __chk_fail,
 *           __strcpy_chk, then save_name (the crash-marker line), then main
 *   stderr  "*** buffer overflow detected ***: terminated" (glibc 2.27-2.33: "...: <program> terminated")
 */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) void save_name(const char *name)
{
    char copy[8];
    strcpy(copy, name);                 // CRASH-SITE
    printf("%s\n", copy);
}

volatile const char *request = "a name far longer than eight bytes";

int main(void)
{
    save_name((const char *)request);   // CALL-SITE save_name
    return 0;
}
