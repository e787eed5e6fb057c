/* wild_read: reads a length through a pointer that was never set to anything valid; the value
 * read is only added up, never used as an address.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV, SEGV_MAPERR, fault address 0xdead0000
 *   pc      the load in total_length (the crash-marker line), then main
 */
#include <stdint.h>
#include <stdio.h>

struct chunk {
    long length;
    struct chunk *next;
};

long total_length(const struct chunk *c)
{
    long total = c->length;             // CRASH-SITE
    return total + 1;
}

int main(void)
{
    const struct chunk *stale = (const struct chunk *)(uintptr_t)0xdead0000u;
    printf("%ld\n", total_length(stale)); // CALL-SITE total_length
    return 0;
}
