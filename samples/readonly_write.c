/* readonly_write: writes into a string literal, which lives in the read-only .rodata segment.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_ACCERR (2) (the page is mapped, but not writable),
 *           fault address = the address of the literal "hello, world" inside the executable
 *   frames  #0 capitalize (the crash-marker line)
 *           #1 greet  #2 main
 */
#include <stdio.h>

void capitalize(char *text)
{
    text[0] = 'H';                      // CRASH-SITE
}

void greet(void)
{
    char *message = "hello, world";     /* a literal: char[] in C, but stored read-only */
    capitalize(message);                // CALL-SITE capitalize
    puts(message);
}

int main(void)
{
    greet();                            // CALL-SITE greet
    return 0;
}
