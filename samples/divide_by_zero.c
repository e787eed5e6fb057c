/* divide_by_zero: integer division by zero two calls below main.
 *
 * What a debugger should show:
 *   signal  SIGFPE (8), si_code FPE_INTDIV (1), si_addr = the address of the idiv instruction
 *   frames  #0 average (the crash-marker line)
 *           #1 report  #2 main
 *
 * The divisor is read from a volatile object, so the compiler cannot fold or remove the division.
 */
#include <stdio.h>

static volatile int sample_count = 0;

int average(int total, int count)
{
    return total / count;               // CRASH-SITE
}

void report(int total)
{
    printf("average: %d\n", average(total, sample_count)); // CALL-SITE average
}

int main(void)
{
    report(1234);                       // CALL-SITE report
    return 0;
}
