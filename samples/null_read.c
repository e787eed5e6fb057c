/* null_read: reads an int through a NULL pointer three calls below main.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0
 *   frames  #0 f3  (the crash-marker line)
 *           #1 f2  #2 f1  #3 main
 *
 * Built with -g -O0, so every function keeps its own frame and the load is a real load.
 */
#include <stddef.h>
#include <stdio.h>

int f3(const int *p)
{
    return *p;                          // CRASH-SITE
}

int f2(const int *p)
{
    return f3(p) + 1;                   // CALL-SITE f3
}

int f1(const int *p)
{
    return f2(p) * 2;                   // CALL-SITE f2
}

int main(void)
{
    const int *p = NULL;
    printf("%d\n", f1(p));              // CALL-SITE f1
    return 0;
}
